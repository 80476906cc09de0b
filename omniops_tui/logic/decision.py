"""The runbook decision tree, kept as data (TOML beside the runbooks) and walked by the wizard.

The tree is pure data plus a pure walk: given the answers so far it says which question comes
next or which runbook is recommended and why. The wizard screen and replay both fold the
recorded `wizard_*` events through `walk`, so a replayed wizard takes exactly the same path.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from omniops_tui.core.errors import UserError

if TYPE_CHECKING:
    from omniops_tui.logic.history import MetricHistory

TREE_FILE = "decision-tree.toml"


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    question: str
    yes: str
    no: str
    help: str = ""
    probe: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    id: str
    runbook: str
    text: str


@dataclass(frozen=True, slots=True)
class Answer:
    node_id: str
    question: str
    answer: bool


@dataclass(slots=True)
class WalkResult:
    """Where a sequence of answers leads: a question to ask, or an outcome."""

    path: list[Answer] = field(default_factory=list)
    question: Question | None = None
    outcome: Outcome | None = None


@dataclass(slots=True)
class DecisionTree:
    start: str
    questions: dict[str, Question]
    outcomes: dict[str, Outcome]
    source: str = ""

    def node(self, node_id: str) -> Question | Outcome:
        if node_id in self.questions:
            return self.questions[node_id]
        return self.outcomes[node_id]

    def walk(self, answers: list[bool]) -> WalkResult:
        """Follow `answers` from the start; stop at an outcome or when answers run out."""
        result = WalkResult()
        node: Question | Outcome = self.node(self.start)
        for answer in answers:
            if isinstance(node, Outcome):
                break
            result.path.append(Answer(node.id, node.question, answer))
            node = self.node(node.yes if answer else node.no)
        if isinstance(node, Outcome):
            result.outcome = node
        else:
            result.question = node
        return result

    def runbook_ids(self) -> set[str]:
        return {outcome.runbook for outcome in self.outcomes.values()}

    def all_paths(self) -> list[list[bool]]:
        """Every answer sequence that ends at an outcome (for tests and `lint`)."""
        paths: list[list[bool]] = []

        def visit(node_id: str, answers: list[bool]) -> None:
            node = self.node(node_id)
            if isinstance(node, Outcome):
                paths.append(answers)
                return
            visit(node.yes, [*answers, True])
            visit(node.no, [*answers, False])

        visit(self.start, [])
        return paths


def load_tree(path: Path, text: str | None = None) -> DecisionTree:
    """Read and validate a decision-tree TOML; every error names the file and what to fix."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8") if text is None else text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: invalid TOML: {exc}") from exc
    except OSError as exc:
        raise UserError(f"{path}: cannot read decision tree ({exc.strerror})") from exc
    nodes = data.get("nodes")
    if not isinstance(nodes, dict) or not nodes:
        raise UserError(f"{path}: no [nodes.*] tables; see the bundled {TREE_FILE} for the format")
    questions: dict[str, Question] = {}
    outcomes: dict[str, Outcome] = {}
    for node_id, node in nodes.items():
        if not isinstance(node, dict):
            raise UserError(f"{path}: nodes.{node_id} must be a table")
        if "runbook" in node:
            outcomes[node_id] = Outcome(node_id, str(node["runbook"]), str(node.get("text", "")))
        elif {"question", "yes", "no"} <= node.keys():
            questions[node_id] = Question(
                node_id,
                str(node["question"]),
                str(node["yes"]),
                str(node["no"]),
                str(node.get("help", "")),
                str(node.get("probe", "")),
            )
        else:
            raise UserError(f"{path}: nodes.{node_id} needs either 'runbook' or 'question', 'yes' and 'no'")
    start = str(data.get("start", ""))
    if start not in questions and start not in outcomes:
        raise UserError(f"{path}: start = '{start}' does not name a node")
    for question in questions.values():
        for branch in (question.yes, question.no):
            if branch not in questions and branch not in outcomes:
                raise UserError(f"{path}: nodes.{question.id} leads to unknown node '{branch}'")
    return DecisionTree(start, questions, outcomes, str(path))


# ---------------------------------------------------------------------------- live probes
@dataclass(frozen=True, slots=True)
class Suggestion:
    """A probe's answer to a wizard question, with what it saw; None when it cannot tell."""

    answer: bool | None
    evidence: str


HEALTH_WINDOW = 3


def suggest(probe: str, facts: MetricHistory) -> Suggestion:
    """Pre-answer a question from the session's latest facts (the metric history)."""
    prober = _PROBES.get(probe)
    if prober is None:
        return Suggestion(None, "")
    return prober(facts)


def _health(facts: MetricHistory) -> tuple[int, int]:
    recent = facts.values("health_ok")[-HEALTH_WINDOW:]
    return sum(1 for v in recent if v < 1), len(recent)


def _production_down(facts: MetricHistory) -> Suggestion:
    failed, total = _health(facts)
    error_rate = facts.latest("error_rate")
    p95 = facts.latest("p95_ms")
    if total == 0 and error_rate is None and p95 is None:
        return Suggestion(None, "no live data yet: answer from what you know")
    parts = [f"health failed {failed}/{total}"] if total else []
    if error_rate is not None and error_rate.value is not None:
        parts.append(f"error rate {error_rate.value:.1f}%")
    if p95 is not None and p95.value is not None:
        parts.append(f"P95 {p95.value / 1000:.1f} s")
    down = (
        (total > 0 and failed * 2 > total)
        or (error_rate is not None and (error_rate.value or 0) > 5)
        or (p95 is not None and (p95.value or 0) > 3000)
    )
    return Suggestion(down, ", ".join(parts))


def _complete_outage(facts: MetricHistory) -> Suggestion:
    failed, total = _health(facts)
    if total == 0:
        return Suggestion(None, "no health samples yet")
    db = facts.latest("db_connected")
    chat = facts.latest("chat_ok")
    hosts = facts.hosts("cpu_percent")
    hosts_down = [h for h in hosts if (p := facts.latest("cpu_percent", h)) and p.status == "error"]
    parts = [f"health failed {failed}/{total}"]
    if db is not None and db.value is not None:
        parts.append("database " + ("connected" if db.value else "DOWN"))
    if chat is not None and chat.value is not None:
        parts.append("chat " + ("working" if chat.value else "broken"))
    if hosts:
        parts.append(f"hosts unreachable {len(hosts_down)}/{len(hosts)}")
    everything_failing = failed == total and (
        (db is not None and db.value == 0)
        or (chat is not None and chat.value == 0)
        or (hosts and len(hosts_down) == len(hosts))
    )
    return Suggestion(bool(everything_failing), ", ".join(parts))


def _capacity_issue(facts: MetricHistory) -> Suggestion:
    signals: list[str] = []
    seen = False
    for metric, limit, label in (
        ("cpu_percent", 70, "CPU"),
        ("mem_percent", 90, "memory"),
        ("disk_percent", 90, "disk"),
        ("load_per_cpu", 1.0, "load/CPU"),
    ):
        worst = facts.worst(metric)
        if worst is None:
            continue
        seen = True
        host, point = worst
        if point.value is not None and point.value > limit:
            signals.append(f"{label} {point.value:.0f}{'%' if metric != 'load_per_cpu' else ''} on {host}")
    p95 = facts.latest("p95_ms")
    if p95 is not None and p95.value is not None:
        seen = True
        if p95.value > 500:
            signals.append(f"P95 {p95.value:.0f} ms")
    if not seen:
        return Suggestion(None, "no host metrics yet")
    return Suggestion(bool(signals), ", ".join(signals) or "CPU, memory, disk and latency within limits")


_PROBES = {
    "production_down": _production_down,
    "complete_outage": _complete_outage,
    "capacity_issue": _capacity_issue,
}
