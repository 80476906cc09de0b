"""The vocabulary of a session: every state change is one of these immutable, typed events.

DESIGN principle 1: the session is an event log and every screen is a projection of it.
Events are small dataclasses registered by their `type` string. They serialise to one JSON
object per line (`to_record`) and come back with `from_record`, which tolerates fields it does
not know (a newer version added them) and turns unknown types into `UnknownEvent` so readers
can skip and count them.

Stamps (`seq`, `t` = seconds since the session started on a monotonic clock, `at` = UTC wall
time) are set by the recorder, never by the code that creates the event.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

FORMAT_NAME = "omniops-tui-session"
FORMAT_VERSION = 1

E = TypeVar("E", bound="Event")
EVENT_TYPES: dict[str, type[Event]] = {}
_FIELDS: dict[type, frozenset[str]] = {}
# Per class: (static defaults, (field, default factory) pairs); None when __init__ must run.
_PLANS: dict[type, tuple[dict[str, Any], tuple[tuple[str, Callable[[], Any]], ...]] | None] = {}
STAMP_FIELDS = ("seq", "t", "at")


def event_type(name: str):
    """Register an event class under its wire name."""

    def register(cls: type[E]) -> type[E]:
        if name in EVENT_TYPES:
            raise ValueError(f"event type {name!r} registered twice")
        cls.type = name
        EVENT_TYPES[name] = cls
        _FIELDS[cls] = frozenset(f.name for f in dataclasses.fields(cls))
        _PLANS[cls] = _plan(cls)
        return cls

    return register


@dataclass(kw_only=True)
class Event:
    type: ClassVar[str] = "event"
    seq: int = 0
    t: float = 0.0
    at: str = ""

    def payload(self) -> dict[str, Any]:
        """The event's own fields, without the stamps.

        Shallow on purpose: fields hold plain JSON values and events are never mutated once
        recorded, so `dataclasses.asdict`'s deep copy (of every line of a log batch) is waste.
        """
        data = dict(self.__dict__)
        for key in STAMP_FIELDS:
            data.pop(key, None)
        return data

    @property
    def wall_time(self) -> datetime | None:
        try:
            return datetime.fromisoformat(self.at.replace("Z", "+00:00"))
        except ValueError:
            return None


@dataclass(kw_only=True)
class UnknownEvent(Event):
    """An event of a type this version does not know; kept so it can be counted and re-written."""

    type_name: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


def to_record(event: Event) -> dict[str, Any]:
    if isinstance(event, UnknownEvent):
        return dict(event.raw)
    record: dict[str, Any] = {"seq": event.seq, "t": round(event.t, 6), "at": event.at, "type": event.type}
    record.update(event.payload())
    return record


def from_record(record: dict[str, Any], *, consume: bool = False) -> Event:
    """The event a record describes; unknown fields are dropped, unknown types kept as such.

    `consume=True` lets a caller that will not use `record` again (the reader) hand it over,
    saving a copy per event.
    """
    name = record.get("type")
    cls = EVENT_TYPES.get(name) if isinstance(name, str) else None
    if cls is None:
        return UnknownEvent(
            seq=int(record.get("seq", 0) or 0),
            t=float(record.get("t", 0) or 0),
            at=str(record.get("at", "")),
            type_name=str(name),
            raw=record,
        )
    known = _FIELDS[cls]
    plan = _PLANS.get(cls)
    if plan is None:
        return cls(**{k: v for k, v in record.items() if k in known})
    # The fast path (a 100,000-event session must open in under a second): make the instance
    # dict directly, which is all the generated __init__ does, without its call overhead.
    values = record if consume else record.copy()
    del values["type"]
    if len(values) != len(known) or not known.issuperset(values):
        defaults, factories = plan
        values = {**defaults, **{k: v for k, v in values.items() if k in known}}
        for key, factory in factories:
            if key not in values:
                values[key] = factory()
    event = _new(cls)
    event.__dict__ = values
    return event


_new = object.__new__


def _plan(cls: type) -> tuple[dict[str, Any], tuple[tuple[str, Callable[[], Any]], ...]] | None:
    """How `from_record` may build `cls` without calling __init__, or None when it must call it."""
    if hasattr(cls, "__post_init__") or hasattr(cls, "__slots__"):
        return None
    defaults: dict[str, Any] = {}
    factories: list[tuple[str, Callable[[], Any]]] = []
    for f in dataclasses.fields(cls):
        if not f.init:
            return None
        if f.default is not dataclasses.MISSING:
            defaults[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            factories.append((f.name, f.default_factory))
        else:
            return None
    return defaults, tuple(factories)


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --------------------------------------------------------------------------- session
@event_type("session_started")
@dataclass(kw_only=True)
class SessionStarted(Event):
    tool_version: str = ""
    runbook_source: list[str] = field(default_factory=list)
    environment: str = ""


@event_type("session_resumed")
@dataclass(kw_only=True)
class SessionResumed(Event):
    tool_version: str = ""


@event_type("session_ended")
@dataclass(kw_only=True)
class SessionEnded(Event):
    reason: str = "quit"


@event_type("screen_opened")
@dataclass(kw_only=True)
class ScreenOpened(Event):
    screen: str = ""
    runbook_id: str = ""
    section_id: str = ""


# --------------------------------------------------------------------------- runbooks
@event_type("runbook_started")
@dataclass(kw_only=True)
class RunbookStarted(Event):
    runbook_id: str = ""
    title: str = ""
    via: str = ""  # home, wizard, palette, banner, resume


@event_type("item_checked")
@dataclass(kw_only=True)
class ItemChecked(Event):
    """The engineer ticked an item (source "manual"), possibly overriding a check's verdict."""

    runbook_id: str = ""
    item_id: str = ""
    text: str = ""
    source: str = "manual"
    reason: str = ""


@event_type("item_unchecked")
@dataclass(kw_only=True)
class ItemUnchecked(Event):
    runbook_id: str = ""
    item_id: str = ""
    text: str = ""
    source: str = "manual"
    reason: str = ""


@event_type("note_added")
@dataclass(kw_only=True)
class NoteAdded(Event):
    text: str = ""
    runbook_id: str = ""
    section_id: str = ""


@event_type("command_copied")
@dataclass(kw_only=True)
class CommandCopied(Event):
    runbook_id: str = ""
    block_id: str = ""
    command: str = ""


# --------------------------------------------------------------------------- wizard
@event_type("wizard_started")
@dataclass(kw_only=True)
class WizardStarted(Event):
    pass


@event_type("wizard_answered")
@dataclass(kw_only=True)
class WizardAnswered(Event):
    """One answer. `source`: manual, or confirmed / overridden when a live probe suggested one."""

    node_id: str = ""
    question: str = ""
    answer: bool = False
    source: str = "manual"
    suggested: bool | None = None
    evidence: str = ""
    # Session time of the oldest figure the evidence read (logic.decision.Suggestion.at):
    # how old the evidence is, so a later look can tell whether the answer still stands.
    evidence_at: float | None = None


@event_type("wizard_back")
@dataclass(kw_only=True)
class WizardBack(Event):
    node_id: str = ""


@event_type("wizard_restarted")
@dataclass(kw_only=True)
class WizardRestarted(Event):
    pass


@event_type("wizard_recommended")
@dataclass(kw_only=True)
class WizardRecommended(Event):
    runbook_id: str = ""
    outcome_id: str = ""
    text: str = ""
    path: list[dict[str, Any]] = field(default_factory=list)


# --------------------------------------------------------------------------- live checks
@event_type("check_result")
@dataclass(kw_only=True)
class CheckResultEvent(Event):
    """One run of one bound check (issue: live checks)."""

    check_id: str = ""
    kind: str = ""
    target: str = ""
    status: str = "unknown"  # pass, warn, fail, error, unknown
    value: Any = None
    unit: str = ""
    summary: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)
    duration_ms: float = 0.0
    item_ids: list[str] = field(default_factory=list)


@event_type("item_flagged")
@dataclass(kw_only=True)
class ItemFlagged(Event):
    """An item whose check was passing and now fails: flagged, never silently unticked."""

    item_id: str = ""
    check_id: str = ""
    summary: str = ""


# --------------------------------------------------------------------------- logs and metrics
@event_type("log_lines")
@dataclass(kw_only=True)
class LogLines(Event):
    """A batch of lines from one log source (batched: a stream can run at 50k lines/s)."""

    source_id: str = ""
    host: str = ""
    lines: list[str] = field(default_factory=list)
    errors_only: bool = False  # past the per-session cap only ERROR lines are kept


@event_type("log_disconnected")
@dataclass(kw_only=True)
class LogDisconnected(Event):
    source_id: str = ""
    host: str = ""
    reason: str = ""


@event_type("log_reconnected")
@dataclass(kw_only=True)
class LogReconnected(Event):
    source_id: str = ""
    host: str = ""
    gap_s: float = 0.0
    attempts: int = 0


@event_type("log_record_capped")
@dataclass(kw_only=True)
class LogRecordCapped(Event):
    """The session's log budget is spent: from here on only ERROR lines are recorded."""

    cap_bytes: int = 0


@event_type("metric_sample")
@dataclass(kw_only=True)
class MetricSample(Event):
    metric: str = ""
    host: str = ""
    value: float | None = None
    unit: str = ""
    status: str = "unknown"  # pass (green), warn (amber), fail (red), error, unknown
    detail: str = ""


@event_type("criterion_fired")
@dataclass(kw_only=True)
class CriterionFired(Event):
    """An Emergency Rollback decision criterion has held for its duration."""

    criterion_id: str = ""
    metric: str = ""
    threshold: str = ""
    action: str = ""
    evidence: str = ""


@event_type("criterion_cleared")
@dataclass(kw_only=True)
class CriterionCleared(Event):
    criterion_id: str = ""
    evidence: str = ""


@event_type("wizard_suggested")
@dataclass(kw_only=True)
class WizardSuggested(Event):
    """A live probe's suggested answer to a wizard question, with what it saw."""

    node_id: str = ""
    suggested: bool | None = None
    evidence: str = ""


# --------------------------------------------------------------------------- incident tooling
@event_type("diagnostics_gathered")
@dataclass(kw_only=True)
class DiagnosticsGathered(Event):
    path: str = ""
    files: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@event_type("scenario_switched")
@dataclass(kw_only=True)
class ScenarioSwitched(Event):
    """The demo's sandbox production switched scenario (healthy, error-spike, …)."""

    scenario: str = ""
