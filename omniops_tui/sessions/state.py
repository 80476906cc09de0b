"""The projection: folding events into the state every screen shows (DESIGN principle 1).

`SessionState.apply` is the only place where state changes. The live app applies each event
as it is recorded; `--resume` applies a file's events; replay applies them up to a point in
time. The same fold everywhere is what makes replay faithful.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from omniops_tui.core.events import (
    CheckResultEvent,
    CommandCopied,
    CommandFinished,
    CommandOutput,
    CommandRefused,
    CommandStarted,
    CriterionCleared,
    CriterionFired,
    Event,
    ItemChecked,
    ItemFlagged,
    ItemUnchecked,
    LogDisconnected,
    LogLines,
    LogReconnected,
    LogRecordCapped,
    LogStreamsStarted,
    MetricBackfill,
    MetricSample,
    NoteAdded,
    RunbookStarted,
    ScreenOpened,
    SessionEnded,
    StepConfirmed,
    WizardAnswered,
    WizardBack,
    WizardRecommended,
    WizardRestarted,
    WizardStarted,
    WizardSuggested,
)
from omniops_tui.core.status import SEVERITY
from omniops_tui.logic.history import MetricHistory
from omniops_tui.sessions.describe import is_milestone
from omniops_tui.sessions.projections import commands
from omniops_tui.sessions.projections.commands import CommandHistory
from omniops_tui.sessions.projections.criteria import FiringCriteria
from omniops_tui.sessions.projections.logs import LogView

PASSING = "pass"


@dataclass(slots=True)
class ItemState:
    """One checklist item: the engineer's tick (if any) over the check's verdict (if any)."""

    manual: bool | None = None
    manual_reason: str = ""
    manual_at: float = 0.0
    check_id: str = ""
    check_status: str = ""
    check_summary: str = ""
    check_at: float = 0.0
    flagged: bool = False
    flag_summary: str = ""
    # Latest (status, summary, t) of every check verifying this item: one per host when an SSH
    # check runs on several hosts. The item shows the worst of them, never just the last.
    results: dict[str, tuple[str, str, float]] | None = None
    preticked: bool = False  # written `- [x]` in the document: ticked when the runbook started

    @property
    def done(self) -> bool:
        if self.manual is not None:
            return self.manual
        return self.check_status == PASSING

    def copy(self) -> ItemState:
        """A field-by-field copy (every field is immutable), much cheaper than `copy.deepcopy`."""
        copied = object.__new__(ItemState)
        for name in _ITEM_FIELDS:
            setattr(copied, name, getattr(self, name))
        if self.results is not None:
            copied.results = dict(self.results)
        return copied

    @property
    def overridden(self) -> bool:
        """A manual verdict that disagrees with the automated one."""
        return (
            self.manual is not None
            and bool(self.check_status)
            and self.manual != (self.check_status == PASSING)
        )


_ITEM_FIELDS = tuple(f.name for f in fields(ItemState))


@dataclass(slots=True)
class WizardState:
    """The wizard's walk: answers so far, the live probes' latest suggestion, the outcome."""

    answers: list[WizardAnswered] = field(default_factory=list)
    recommendation: WizardRecommended | None = None
    history: list[Event] = field(default_factory=list)
    active: bool = False
    suggestion: WizardSuggested | None = None

    def suggestion_for(self, node_id: str) -> WizardSuggested | None:
        """The probes' suggested answer to `node_id`, if the latest suggestion is about it."""
        found = self.suggestion
        return found if found is not None and found.node_id == node_id else None


@dataclass(slots=True)
class SessionState:
    items: dict[str, ItemState] = field(default_factory=dict)
    notes: list[NoteAdded] = field(default_factory=list)
    runbooks_started: list[str] = field(default_factory=list)
    wizard: WizardState = field(default_factory=WizardState)
    checks: dict[str, CheckResultEvent] = field(default_factory=dict)
    # Step or section id -> the latest result of each check shown there (by check id).
    places: dict[str, dict[str, CheckResultEvent]] = field(default_factory=dict)
    copied: list[CommandCopied] = field(default_factory=list)
    confirmed_steps: dict[str, StepConfirmed] = field(default_factory=dict)  # step id -> first confirmation
    screen: ScreenOpened | None = None
    last_section: dict[str, str] = field(default_factory=dict)  # runbook id -> section last read
    milestones: list[Event] = field(default_factory=list)
    last_event: Event | None = None
    events_applied: int = 0
    # Typed projections: the figures, the firing criteria, the log panes.
    metrics: MetricHistory = field(default_factory=MetricHistory)
    criteria: FiringCriteria = field(default_factory=FiringCriteria)
    logs: LogView = field(default_factory=LogView)
    commands: CommandHistory = field(default_factory=CommandHistory)

    # ------------------------------------------------------------------ queries
    def item(self, item_id: str) -> ItemState:
        state = self.items.get(item_id)
        if state is None:
            state = self.items[item_id] = ItemState()
        return state

    def is_done(self, item_id: str) -> bool:
        state = self.items.get(item_id)
        return state.done if state is not None else False

    def progress(self, item_ids: list[str]) -> tuple[int, int]:
        return sum(1 for i in item_ids if self.is_done(i)), len(item_ids)

    def snapshot(self) -> SessionState:
        """An independent copy, for replay checkpoints and seeks.

        Structured rather than `copy.deepcopy` (which is ~50x slower and would make a seek in a
        long session miss its 100 ms budget): containers are copied, events are shared because
        an event is never mutated once recorded; each projection copies itself.
        """
        copied = object.__new__(SessionState)
        for name in _STATE_FIELDS:
            setattr(copied, name, _SNAPSHOT[name](getattr(self, name)))
        return copied

    # ------------------------------------------------------------------ the fold
    def apply(self, event: Event) -> None:
        self.events_applied += 1
        self.last_event = event
        if is_milestone(event):
            self.milestones.append(event)
        handler = _HANDLERS.get(type(event))
        if handler is not None:
            handler(self, event)


def _same(value: Any) -> Any:
    return value


def _copy_wizard(wizard: WizardState) -> WizardState:
    copied = object.__new__(WizardState)
    for name in _WIZARD_FIELDS:
        value = getattr(wizard, name)
        setattr(copied, name, list(value) if type(value) is list else value)
    return copied


_WIZARD_FIELDS = tuple(f.name for f in fields(WizardState))


_STATE_FIELDS = tuple(f.name for f in fields(SessionState))
# How each field of SessionState is copied by `snapshot()`; events inside are shared.
_SNAPSHOT: dict[str, Any] = {
    "items": lambda items: {key: item.copy() for key, item in items.items()},
    "notes": list,
    "runbooks_started": list,
    "wizard": _copy_wizard,
    "checks": dict,
    "places": lambda places: {key: dict(value) for key, value in places.items()},
    "copied": list,
    "confirmed_steps": dict,
    "screen": _same,
    "last_section": dict,
    "milestones": list,
    "last_event": _same,
    "events_applied": _same,
    "metrics": MetricHistory.snapshot,
    "criteria": FiringCriteria.snapshot,
    "logs": LogView.snapshot,
    "commands": CommandHistory.snapshot,
}


def _checked(state: SessionState, event: ItemChecked) -> None:
    item = state.item(event.item_id)
    item.manual, item.manual_reason, item.manual_at = True, event.reason, event.t
    item.flagged = False


def _unchecked(state: SessionState, event: ItemUnchecked) -> None:
    item = state.item(event.item_id)
    # Unticking an item nobody verified returns it to "not done", not to a forced "no".
    item.manual = False if item.check_status == PASSING or event.reason else None
    item.manual_reason, item.manual_at = event.reason, event.t


def _check_result(state: SessionState, event: CheckResultEvent) -> None:
    state.checks[event.check_id] = event
    for place in event.places:
        state.places.setdefault(place, {})[event.check_id] = event
    for item_id in event.item_ids:
        item = state.item(item_id)
        if item.results is None:
            item.results = {}
        item.results[event.check_id] = (event.status, event.summary, event.t)
        worst_id, (status, summary, _t) = max(
            item.results.items(), key=lambda entry: SEVERITY.get(entry[1][0], 1)
        )
        if len(item.results) > 1 and "@" in worst_id:
            summary = f"{worst_id.split('@', 1)[1]}: {summary}"  # which host
        item.check_id, item.check_status, item.check_summary = worst_id, status, summary
        item.check_at = event.t


def _flagged(state: SessionState, event: ItemFlagged) -> None:
    item = state.item(event.item_id)
    item.flagged, item.flag_summary = True, event.summary


def _note(state: SessionState, event: NoteAdded) -> None:
    state.notes.append(event)


def _runbook_started(state: SessionState, event: RunbookStarted) -> None:
    if event.runbook_id not in state.runbooks_started:
        state.runbooks_started.append(event.runbook_id)
    for item_id in event.preticked:
        item = state.item(item_id)
        if item.manual is None:
            item.manual, item.manual_at, item.preticked = True, event.t, True


def _step_confirmed(state: SessionState, event: StepConfirmed) -> None:
    state.confirmed_steps.setdefault(event.step_id, event)


def _screen(state: SessionState, event: ScreenOpened) -> None:
    state.screen = event
    if event.runbook_id and event.section_id:
        state.last_section[event.runbook_id] = event.section_id


def _copied(state: SessionState, event: CommandCopied) -> None:
    state.copied.append(event)


def _wizard_started(state: SessionState, event: WizardStarted) -> None:
    state.wizard.active = True
    state.wizard.history.append(event)


def _wizard_answered(state: SessionState, event: WizardAnswered) -> None:
    state.wizard.answers.append(event)
    state.wizard.recommendation = None
    state.wizard.history.append(event)


def _wizard_back(state: SessionState, event: WizardBack) -> None:
    if state.wizard.answers:
        state.wizard.answers.pop()
    state.wizard.recommendation = None
    state.wizard.history.append(event)


def _wizard_restarted(state: SessionState, event: WizardRestarted) -> None:
    state.wizard.answers.clear()
    state.wizard.recommendation = None
    state.wizard.history.append(event)


def _wizard_recommended(state: SessionState, event: WizardRecommended) -> None:
    state.wizard.recommendation = event
    state.wizard.history.append(event)


def _wizard_suggested(state: SessionState, event: WizardSuggested) -> None:
    state.wizard.suggestion = event


Handler = Callable[[SessionState, Any], None]
# Every event type the fold knows, and what it does: registered here, explicitly, in one table.
_HANDLERS: dict[type[Event], Handler] = {
    ItemChecked: _checked,
    ItemUnchecked: _unchecked,
    CheckResultEvent: _check_result,
    ItemFlagged: _flagged,
    NoteAdded: _note,
    RunbookStarted: _runbook_started,
    StepConfirmed: _step_confirmed,
    ScreenOpened: _screen,
    CommandCopied: _copied,
    WizardStarted: _wizard_started,
    WizardAnswered: _wizard_answered,
    WizardBack: _wizard_back,
    WizardRestarted: _wizard_restarted,
    WizardRecommended: _wizard_recommended,
    WizardSuggested: _wizard_suggested,
    MetricSample: lambda state, event: state.metrics.add(event),
    MetricBackfill: lambda state, event: state.metrics.add_history(event),
    CriterionFired: lambda state, event: state.criteria.fired(event),
    CriterionCleared: lambda state, event: state.criteria.cleared(event),
    LogStreamsStarted: lambda state, event: state.logs.streams_started(event),
    SessionEnded: lambda state, event: state.logs.stop_all(),
    LogLines: lambda state, event: state.logs.add_lines(event),
    LogDisconnected: lambda state, event: state.logs.disconnected(event),
    LogReconnected: lambda state, event: state.logs.reconnected(event),
    LogRecordCapped: lambda state, event: state.logs.record_capped(event),
    CommandStarted: lambda state, event: commands.started(state.commands, event),
    CommandOutput: lambda state, event: commands.output(state.commands, event),
    CommandFinished: lambda state, event: commands.finished(state.commands, event),
    CommandRefused: lambda state, event: commands.refused(state.commands, event),
}
