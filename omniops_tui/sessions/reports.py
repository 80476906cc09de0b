"""The parts of the post-mortem that list rather than tell: checklists, checks, wizard, runs.

Each is built from the final `SessionState` of the (redacted) events: the runbooks followed with
every item's final state and who or what decided it, the failing checks with their evidence,
the wizard's path, and the commands run (issue #13 "The record": what ran, where, by whom,
how it ended, and a short tail of its output).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from omniops_tui.core.events import WizardBack, WizardRestarted
from omniops_tui.core.timefmt import format_offset
from omniops_tui.runbooks.model import RunbookSet
from omniops_tui.sessions.incident import Moment
from omniops_tui.sessions.state import ItemState, SessionState

TAIL_LINES = 3
TAIL_WIDTH = 160


@dataclass(slots=True)
class ItemReport:
    id: str
    text: str
    done: bool
    how: str
    source: str  # manual, override, check, document (written `- [x]`), none
    flagged: bool = False


@dataclass(slots=True)
class GroupReport:
    id: str
    title: str
    done: int
    total: int
    items: list[ItemReport]


@dataclass(slots=True)
class RunbookReport:
    id: str
    title: str
    groups: list[GroupReport]

    @property
    def done(self) -> int:
        return sum(g.done for g in self.groups)

    @property
    def total(self) -> int:
        return sum(g.total for g in self.groups)


@dataclass(slots=True)
class CheckReport:
    check_id: str
    kind: str
    target: str
    first_failed: Moment
    failures: int
    worst_status: str
    last_status: str
    summary: str
    value: Any
    unit: str
    evidence: dict[str, Any]


@dataclass(slots=True)
class HostResult:
    host: str  # "" for a local run
    exit_code: int | None
    duration_s: float
    interrupted_by: str
    error: str
    tail: str


@dataclass(slots=True)
class CommandReport:
    """One run: who ran what, where, after which confirmation, and how each host ended."""

    started: Moment
    run_id: str
    runbook_id: str
    block_id: str
    command: str
    target: str
    hosts: list[str]
    safety: str
    confirmation: str
    user: str
    results: list[HostResult]
    capped: bool


@dataclass(slots=True)
class RefusedReport:
    at: Moment
    command: str
    target: str
    safety: str
    reason: str


def command_reports(state: SessionState, user: str) -> tuple[list[CommandReport], list[RefusedReport]]:
    """The runs in the order they started (with a tail of each host's output), and the refusals."""
    runs = []
    for run in state.commands.runs.values():
        start = run.started
        results = []
        for host in run.hosts:
            end = run.finished.get(host)
            tail = "\n".join(_clip(line, TAIL_WIDTH) for line in run.tail(host, TAIL_LINES).splitlines())
            if end is None:
                results.append(HostResult(host, None, 0.0, "", "no end recorded", tail))
            else:
                results.append(
                    HostResult(host, end.exit_code, end.duration_s, end.interrupted_by, end.error, tail)
                )
        runs.append(
            CommandReport(
                started=Moment.of(start, start.command, "command run"),
                run_id=start.run_id,
                runbook_id=start.runbook_id,
                block_id=start.block_id,
                command=start.command,
                target=start.target or "local",
                hosts=list(start.hosts),
                safety=start.safety,
                confirmation=start.confirmation,
                user=user,
                results=results,
                capped=run.capped,
            )
        )
    refused = [
        RefusedReport(Moment.of(e, e.reason, "refused"), e.command, e.target or "local", e.safety, e.reason)
        for e in state.commands.refused
    ]
    return runs, refused


def _clip(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def wizard_report(state: SessionState) -> dict[str, Any]:
    wizard = state.wizard
    recommendation = wizard.recommendation
    return {
        "answers": [
            {
                "t": a.t,
                "at": a.at,
                "node_id": a.node_id,
                "question": a.question,
                "answer": a.answer,
                "source": a.source,
                "suggested": a.suggested,
                "evidence": a.evidence,
            }
            for a in wizard.answers
        ],
        "recommendation": None
        if recommendation is None
        else {
            "t": recommendation.t,
            "at": recommendation.at,
            "runbook_id": recommendation.runbook_id,
            "outcome_id": recommendation.outcome_id,
            "text": recommendation.text,
        },
        "restarts": sum(1 for e in wizard.history if isinstance(e, WizardRestarted)),
        "backs": sum(1 for e in wizard.history if isinstance(e, WizardBack)),
    }


def runbook_reports(state: SessionState, runbooks: RunbookSet | None, user: str) -> list[RunbookReport]:
    """Every runbook started or touched, with each checklist group's final state."""
    touched = list(state.runbooks_started)
    for item_id in state.items:
        runbook_id = item_id.split("/", 1)[0]
        if runbook_id not in touched:
            touched.append(runbook_id)
    reports = []
    for runbook_id in touched:
        runbook = runbooks.get(runbook_id) if runbooks is not None else None
        if runbook is None:
            items = [
                ItemReport(i, i.rsplit("/", 1)[-1].replace("-", " "), *_how(state.items[i], user))
                for i in state.items
                if i.startswith(runbook_id + "/")
            ]
            unloaded = GroupReport(
                runbook_id, "Items (runbook not loaded)", sum(i.done for i in items), len(items), items
            )
            reports.append(RunbookReport(runbook_id, runbook_id, [unloaded] if items else []))
            continue
        groups = []
        for group in runbook.checklist_groups():
            items = []
            for item in group.items:
                item_state = state.items.get(item.id)
                if item_state is None:
                    items.append(ItemReport(item.id, item.text, False, "not done", "none"))
                else:
                    items.append(ItemReport(item.id, item.text, *_how(item_state, user)))
            title = f"{group.title} ({group.timing})" if group.timing else group.title
            groups.append(GroupReport(group.id, title, sum(i.done for i in items), len(items), items))
        reports.append(RunbookReport(runbook.id, runbook.title, groups))
    return reports


def _how(item: ItemState, user: str) -> tuple[bool, str, str, bool]:
    """(done, how, source, flagged): who or what decided the item's final state."""
    check = f"check {item.check_id} {item.check_status}"
    if item.check_summary:
        check += f": {item.check_summary}"
    if item.manual is not None and item.overridden:
        verb = "ticked" if item.manual else "unticked"
        how = f"override: {verb} by hand ({user or 'engineer'}) against {check}"
        how += f"; reason: {item.manual_reason}" if item.manual_reason else "; no reason given"
        source = "override"
    elif item.manual is True and item.preticked:
        how, source = "ticked in the document (written - [x]) when the runbook started", "document"
    elif item.manual is True:
        how, source = f"ticked by hand ({user or 'engineer'}) at {format_offset(item.manual_at)}", "manual"
    elif item.manual is False:
        how = "unticked by hand" + (f" ({item.manual_reason})" if item.manual_reason else "")
        source = "manual"
    elif item.check_status:
        how, source = check, "check"
    else:
        how, source = "not done", "none"
    if item.flagged:
        how += f" [flagged: {item.flag_summary}]"
    return item.done, how, source, item.flagged
