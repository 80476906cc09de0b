"""The runbook decision tree, kept as data (TOML beside the runbooks) and walked by the wizard.

The tree is pure data plus a pure walk: given the answers so far it says which question comes
next or which runbook is recommended and why. The wizard screen and replay both fold the
recorded `wizard_*` events through `walk`, so a replayed wizard takes exactly the same path.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from omniops_tui.errors import UserError

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


def load_tree(path: Path) -> DecisionTree:
    """Read and validate a decision-tree TOML; every error names the file and what to fix."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
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
                node_id, str(node["question"]), str(node["yes"]), str(node["no"]),
                str(node.get("help", "")), str(node.get("probe", "")),
            )
        else:
            raise UserError(
                f"{path}: nodes.{node_id} needs either 'runbook' or 'question', 'yes' and 'no'"
            )
    start = str(data.get("start", ""))
    if start not in questions and start not in outcomes:
        raise UserError(f"{path}: start = '{start}' does not name a node")
    for question in questions.values():
        for branch in (question.yes, question.no):
            if branch not in questions and branch not in outcomes:
                raise UserError(f"{path}: nodes.{question.id} leads to unknown node '{branch}'")
    return DecisionTree(start, questions, outcomes, str(path))
