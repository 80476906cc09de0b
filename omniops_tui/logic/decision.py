"""The runbook decision tree, kept as data (TOML beside the runbooks) and walked by the wizard.

The tree is pure data plus a pure walk: given the answers so far it says which question comes
next or which runbook is recommended and why. The wizard screen and replay both fold the
recorded `wizard_*` events through `walk`, so a replayed wizard takes exactly the same path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from omniops_tui.core.errors import UserError
from omniops_tui.core.events import WizardAnswered
from omniops_tui.core.thresholds import thresholds
from omniops_tui.core.tomlfile import read_toml
from omniops_tui.logic.metrics import BY_NAME, Facts, Point, format_value

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
    data = read_toml(path, "decision tree", text)
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
    """A probe's answer to a wizard question, with what it saw; None when it cannot tell.

    `at` is the age of the evidence: the session time of the oldest of the latest samples it
    read (None when it read none). A recorded answer keeps it (`WizardAnswered.evidence_at`)
    so `is_stale` can tell, later, whether the answer still stands.
    """

    answer: bool | None
    evidence: str
    at: float | None = None


def suggest(probe: str, facts: Facts) -> Suggestion:
    """Pre-answer a question from the figures so far (the metric history)."""
    prober = _PROBES.get(probe)
    if prober is None:
        return Suggestion(None, "")
    return prober(_Reading(facts))


class _Reading:
    """The facts a probe reads, remembering the oldest of the latest samples it used."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.at: float | None = None

    def _used(self, point: Point | None) -> Point | None:
        if point is not None:
            self.at = point.t if self.at is None else min(self.at, point.t)
        return point

    def latest(self, metric: str, host: str = "") -> Point | None:
        """The newest point; when it could not be measured (one failed request during an error
        spike), the newest measured point still young enough to stand as evidence, its age shown.

        Why: an error spike fails some health requests, and the wizard's answer flipped between
        "yes" and "unknown" with whichever request came last.
        """
        newest = self.facts.latest(metric, host)
        if newest is not None and newest.value is None:
            max_age = thresholds().wizard.evidence_max_age_s
            for point in reversed(self.facts.recent(metric, host)):
                if point.value is not None and newest.t - point.t <= max_age:
                    return self._used(point)
        return self._used(newest)

    def health(self) -> tuple[int, int]:
        """(failed, measured) among the last `health_window` health samples."""
        window = thresholds().wizard.health_window
        recent = [p for p in self.facts.recent("health_ok") if p.value is not None][-window:]
        if recent:
            self._used(recent[-1])
        return sum(1 for p in recent if (p.value or 0) < 1), len(recent)

    def suggestion(self, answer: bool | None, evidence: str) -> Suggestion:
        return Suggestion(answer, evidence, self.at)


def _shown(name: str, point: Point | None) -> str:
    """ "error rate 8.2%", or "error rate unknown (HTTP 503 …)" when it could not be measured."""
    label = BY_NAME[name].label.lower() if name not in _SHORT else _SHORT[name]
    if point is None:
        return ""
    if point.value is None:
        return f"{label} unknown ({point.detail})" if point.detail else f"{label} unknown"
    return f"{label} {format_value(BY_NAME[name], point.value)}"


_SHORT = {"error_rate": "error rate", "p95_ms": "P95", "health_ok": "health"}


def _production_down(facts: _Reading) -> Suggestion:
    """Down or severely degraded: most recent health checks failed, or error rate or P95 is red."""
    failed, total = facts.health()
    error_rate = facts.latest("error_rate")
    p95 = facts.latest("p95_ms")
    measured = [p for p in (error_rate, p95) if p is not None and p.value is not None]
    if total == 0 and not measured:
        return facts.suggestion(None, "no live data yet: answer from what you know")
    parts = [f"health failed {failed}/{total}"] if total else []
    parts += [text for text in (_shown("error_rate", error_rate), _shown("p95_ms", p95)) if text]
    down = (
        (total > 0 and failed * 2 > total)
        or (error_rate is not None and BY_NAME["error_rate"].limits.red(error_rate.value))
        or (p95 is not None and BY_NAME["p95_ms"].limits.red(p95.value))
    )
    return facts.suggestion(down, ", ".join(parts))


def _complete_outage(facts: _Reading) -> Suggestion:
    """Nothing answers: every health check failed and the database, chat or every host is gone."""
    failed, total = facts.health()
    if total == 0:
        return facts.suggestion(None, "no health samples yet")
    db = facts.latest("db_connected")
    chat = facts.latest("chat_ok")
    hosts = facts.facts.hosts("host_reachable")
    down_hosts = [h for h in hosts if (p := facts.latest("host_reachable", h)) and p.value == 0]
    parts = [f"health failed {failed}/{total}"]
    if db is not None and db.value is not None:
        parts.append("database " + ("connected" if db.value else "DOWN"))
    elif db is not None:
        parts.append("database unknown")
    if chat is not None and chat.value is not None:
        parts.append("chat " + ("working" if chat.value else "broken"))
    if hosts:
        parts.append(f"hosts unreachable {len(down_hosts)}/{len(hosts)}")
    everything_failing = failed == total and (
        (db is not None and db.value == 0)
        or (chat is not None and chat.value == 0)
        or bool(hosts and len(down_hosts) == len(hosts))
    )
    return facts.suggestion(everything_failing, ", ".join(parts))


def _capacity_issue(facts: _Reading) -> Suggestion:
    """Resources near their limits: a host figure or P95 outside its target (thresholds.toml)."""
    signals: list[str] = []
    seen = False
    for name in ("cpu_percent", "mem_percent", "disk_percent", "load_per_cpu"):
        definition = BY_NAME[name]
        worst = facts.facts.worst(name)
        if worst is None:
            continue
        host, point = worst
        facts.latest(name, host)
        seen = True
        if definition.status(point.value) not in ("pass", "unknown"):
            shown = format_value(definition, point.value)
            signals.append(f"{definition.label} {shown} on {host} (target {definition.threshold_text()})")
    p95 = facts.latest("p95_ms")
    if p95 is not None and p95.value is not None:
        seen = True
        if BY_NAME["p95_ms"].status(p95.value) != "pass":
            signals.append(f"P95 {p95.value:.0f} ms (target {BY_NAME['p95_ms'].threshold_text()})")
    if not seen:
        return facts.suggestion(None, "no host metrics yet")
    return facts.suggestion(
        bool(signals), ", ".join(signals) or "CPU, memory, disk, load and latency within their targets"
    )


_PROBES: dict[str, Callable[[_Reading], Suggestion]] = {
    "production_down": _production_down,
    "complete_outage": _complete_outage,
    "capacity_issue": _capacity_issue,
}


# ---------------------------------------------------------------------------- evidence age
@dataclass(frozen=True, slots=True)
class Staleness:
    """Whether a recorded answer still stands on the figures now, and how old its evidence is.

    `stale`: re-ask it (or mark it stale with `age_s`). `current` is what the probe says now.
    """

    stale: bool
    age_s: float | None
    reason: str
    current: Suggestion | None = None


def is_stale(
    answer: WizardAnswered, tree: DecisionTree, facts: Facts, now: float, max_age_s: float | None = None
) -> Staleness:
    """Does `answer` still stand at session time `now`?

    Stale when the probe now suggests the other answer (the error spike became an outage), or
    when the answer rested on evidence and no fresh evidence (younger than `max_age_s`,
    thresholds.toml's `evidence_max_age_s` by default) confirms it. Answers to questions no
    probe can judge are the engineer's knowledge: never stale.
    """
    max_age = thresholds().wizard.evidence_max_age_s if max_age_s is None else max_age_s
    evidence_at = answer.evidence_at if answer.evidence_at is not None else answer.t
    age = max(0.0, now - evidence_at)
    question = tree.questions.get(answer.node_id)
    if question is None or not question.probe:
        return Staleness(False, age, "answered from what you know")
    current = suggest(question.probe, facts)
    if current.answer is not None and current.answer != answer.answer:
        word = "YES" if current.answer else "NO"
        reason = f"the evidence has changed: it now suggests {word} ({current.evidence})"
        return Staleness(True, age, reason, current)
    if answer.suggested is None:
        return Staleness(False, age, "answered without live evidence", current)
    fresh = current.at is not None and now - current.at <= max_age
    if current.answer == answer.answer and fresh:
        return Staleness(False, age, "fresh evidence still supports it", current)
    return Staleness(True, age, f"its evidence is {_age(age)} old and nothing newer confirms it", current)


def _age(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"
