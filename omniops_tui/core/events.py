"""The vocabulary of a session: every state change is one of these immutable, typed events.

DESIGN principle 1: the session is an event log and every screen is a projection of it.
Events are small dataclasses registered by their `type` string. They serialise to one JSON
object per line (`to_record`) and come back with `from_record`, which tolerates fields it does
not know (a newer version added them) and turns unknown types into `UnknownEvent` so readers
can skip and count them.

Stamps (`seq`, `t` = seconds since the session started on a monotonic clock, `at` = UTC wall
time) are set by the recorder, never by the code that creates the event.

Session files come from teammates and other machines: `from_record` checks every field's JSON
type against the class's annotations (`"t": "notanumber"`, `"item_id": null`, `"lines": [1]`)
and raises `EventFieldError` (a ValueError naming the field) instead of building an event that
would crash a projection later; readers report it as a bad line with its number.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
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
# Per class: field -> (JSON types allowed, types allowed for a list's items or None).
_TYPES: dict[type, dict[str, tuple[tuple[type, ...], tuple[type, ...] | None]]] = {}


class EventFieldError(ValueError):
    """A recorded event whose field has the wrong type (a hand-edited or hostile session file)."""


def event_type(name: str):
    """Register an event class under its wire name."""

    def register(cls: type[E]) -> type[E]:
        if name in EVENT_TYPES:
            raise ValueError(f"event type {name!r} registered twice")
        cls.type = name
        EVENT_TYPES[name] = cls
        _FIELDS[cls] = frozenset(f.name for f in dataclasses.fields(cls))
        _PLANS[cls] = _plan(cls)
        _TYPES[cls] = _field_types(cls)
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
        check_fields(UnknownEvent, record)
        return UnknownEvent(
            seq=int(record.get("seq", 0) or 0),
            t=float(record.get("t", 0) or 0),
            at=str(record.get("at", "")),
            type_name=str(name),
            raw=record,
        )
    known = _FIELDS[cls]
    check_fields(cls, record)
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


def check_fields(cls: type, record: dict[str, Any]) -> None:
    """EventFieldError when a field of `record` does not have the JSON type `cls` declares."""
    checker = _CHECKERS.get(cls)
    if checker is None:
        checker = _CHECKERS[cls] = _compile_checker(_TYPES.get(cls) or _STAMP_TYPES)
    checker(record)


_CHECKERS: dict[type, Callable[[dict[str, Any]], None]] = {}
_MISSING = object()


def _compile_checker(
    expected: dict[str, tuple[tuple[type, ...], tuple[type, ...] | None]],
) -> Callable[[dict[str, Any]], None]:
    """A function checking one class's fields in straight-line code, as dataclasses makes its
    __init__: a 100,000-event session must still open in under a second, and a loop over the
    fields costs twice as much. Each field is one lookup and one type test; a list of strings
    also has its items' types looked at."""
    lines = ["def check(record):", "    get = record.get"]
    names: dict[str, Any] = {
        "MISSING": _MISSING,
        "wrong": _wrong,
        "wrong_items": _wrong_items,
        "isfinite": math.isfinite,
    }
    for number, (key, (kinds, items)) in enumerate(expected.items()):
        names[f"K{number}"] = kinds
        lines += [
            f"    v = get({key!r}, MISSING)",
            "    if v is not MISSING:",
            f"        if type(v) not in K{number}: wrong({key!r}, K{number}, v)",
        ]
        if items is not None:
            names[f"I{number}"] = frozenset(items)
            lines.append(
                f"        if v and not set(map(type, v)) <= I{number}: wrong_items({key!r}, I{number})"
            )
        if key == "t":
            lines.append("        if type(v) is float and not isfinite(v): wrong('t', (), v)")
    exec("\n".join(lines), names)  # our own text, built from the annotations
    return names["check"]


def _wrong(key: str, kinds: tuple[type, ...], value: Any) -> None:
    if not kinds:
        raise EventFieldError(f"field '{key}' must be a finite number, not {value}")
    raise EventFieldError(f"field '{key}' must be {_describe(kinds)}, not {_json_kind(value)}")


def _wrong_items(key: str, items: frozenset[type]) -> None:
    raise EventFieldError(f"field '{key}' must be a list of {_describe(tuple(items), plural=True)}")


def _field_types(cls: type) -> dict[str, tuple[tuple[type, ...], tuple[type, ...] | None]]:
    """What JSON types each field of `cls` accepts, read from its annotations (`Any` is not
    checked; an annotation this function does not understand is not checked either)."""
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # a forward reference that does not resolve: check the stamps only
        return dict(_STAMP_TYPES)
    plan: dict[str, tuple[tuple[type, ...], tuple[type, ...] | None]] = {}
    for f in dataclasses.fields(cls):
        kinds = _json_types(hints.get(f.name, Any))
        if kinds is not None:
            plan[f.name] = kinds
    return plan


def _json_types(hint: Any) -> tuple[tuple[type, ...], tuple[type, ...] | None] | None:
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        found: list[type] = []
        for option in typing.get_args(hint):
            inner = _json_types(option)
            if inner is None or inner[1] is not None:
                return None
            found += inner[0]
        return tuple(found), None
    if origin is list:
        (item,) = typing.get_args(hint) or (Any,)
        inner = _json_types(item)
        return (list,), (inner[0] if inner is not None and inner[1] is None else None)
    if origin is dict or hint is dict:
        return (dict,), None
    simple = {str: (str,), int: (int,), float: (float, int), bool: (bool,), type(None): (type(None),)}
    return (simple[hint], None) if hint in simple else None


_STAMP_TYPES: dict[str, tuple[tuple[type, ...], tuple[type, ...] | None]] = {
    "seq": ((int,), None),
    "t": ((float, int), None),
    "at": ((str,), None),
}
_KIND_NAMES = {
    str: "a string",
    int: "a whole number",
    float: "a number",
    bool: "a boolean",
    list: "a list",
    dict: "an object",
    type(None): "null",
}


def _describe(kinds: tuple[type, ...], *, plural: bool = False) -> str:
    if float in kinds:
        kinds = tuple(kind for kind in kinds if kind is not int)  # "a number" says it
    names = dict.fromkeys(_KIND_NAMES.get(kind, kind.__name__) for kind in kinds)
    text = " or ".join(names)
    if plural:
        text = (
            text.replace("a string", "strings")
            .replace("a whole number", "whole numbers")
            .replace("a number", "numbers")
            .replace("an object", "objects")
        )
    return text


def _json_kind(value: Any) -> str:
    return _KIND_NAMES.get(type(value), type(value).__name__)


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
    """A runbook opened for the first time in the session. `preticked` lists the items the
    document writes `- [x]`: they start ticked, and the record says so here."""

    runbook_id: str = ""
    title: str = ""
    via: str = ""  # home, wizard, palette, banner, resume
    preticked: list[str] = field(default_factory=list)


@event_type("step_confirmed")
@dataclass(kw_only=True)
class StepConfirmed(Event):
    """The engineer confirmed a runbook step done (a step has no checkbox of its own): the
    post-mortem counts it, e.g. a rollback starts with its first step confirmed."""

    runbook_id: str = ""
    step_id: str = ""
    title: str = ""


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
    places: list[str] = field(default_factory=list)  # steps/sections that show it without a tick
    title: str = ""


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


@event_type("log_streams_started")
@dataclass(kw_only=True)
class LogStreamsStarted(Event):
    """The log streams began: one `{"id", "host"}` per source, in the order the panes show them."""

    sources: list[dict[str, str]] = field(default_factory=list)


@event_type("log_disconnected")
@dataclass(kw_only=True)
class LogDisconnected(Event):
    source_id: str = ""
    host: str = ""
    reason: str = ""
    retry_in: float = 0.0  # seconds until the first reconnect attempt


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
    source: str = ""  # where the figure came from: "prometheus", or "" for the tool's own probes


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
    evidence_at: float | None = None  # session offset of the newest sample it rests on


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


# --------------------------------------------------------------------------- running commands
@event_type("command_started")
@dataclass(kw_only=True)
class CommandStarted(Event):
    """A runbook command block started on a target, after its confirmation.

    `command` is the text that ran (placeholders substituted); `placeholders` lists the values
    substituted, each with `source` "configured" or "typed"; `confirmation` says how it was
    allowed: "key" (read-only), "confirmed" (named targets), "typed:NAME" (destructive), or
    "--yes --confirm NAME" (headless).
    """

    run_id: str = ""
    runbook_id: str = ""
    block_id: str = ""
    item_id: str = ""  # when the run is a checklist item's own command
    command: str = ""
    target: str = ""  # "local", a host name, or a group label
    hosts: list[str] = field(default_factory=list)  # empty for a local run
    safety: str = ""  # read-only, changes, destructive
    confirmation: str = ""
    placeholders: list[dict[str, str]] = field(default_factory=list)
    via: str = ""  # ui, headless


@event_type("command_output")
@dataclass(kw_only=True)
class CommandOutput(Event):
    """A chunk of a run's output on one host (stdout and stderr merged, as a terminal shows).

    Recorded up to a per-run cap; the chunk that reaches it has `capped = True` and nothing
    more of that host's output is recorded (the live pane goes on showing it).
    """

    run_id: str = ""
    host: str = ""  # "" for a local run
    text: str = ""
    capped: bool = False


@event_type("command_finished")
@dataclass(kw_only=True)
class CommandFinished(Event):
    """One host's part of a run ended: exit code (None when it never started), duration, why."""

    run_id: str = ""
    host: str = ""
    exit_code: int | None = None
    duration_s: float = 0.0
    interrupted_by: str = ""  # "", "user", "shutdown", "timeout"
    error: str = ""  # the run could not start or lost its connection
    output_bytes: int = 0
    recorded_bytes: int = 0


@event_type("command_refused")
@dataclass(kw_only=True)
class CommandRefused(Event):
    """A run that was asked for and refused (read-only mode, interactive, wrong confirmation …)."""

    runbook_id: str = ""
    block_id: str = ""
    command: str = ""
    target: str = ""
    safety: str = ""
    reason: str = ""


# --------------------------------------------------------------------------- metric history
@event_type("metric_history")
@dataclass(kw_only=True)
class MetricBackfill(Event):
    """A figure's history from before the session (or a gap), fetched in one range query.

    Compact on purpose, a fleet's history is thousands of points: the points are evenly spaced,
    `step_s` apart from `start` (UTC wall time of the first one), one list per host (`""` for a
    figure of the whole service), None where the series had no value. The fold places them on
    the session's clock, so sparklines are full and the rollback criteria see the real history.
    """

    metric: str = ""
    unit: str = ""
    source: str = "prometheus"
    query: str = ""
    start: str = ""
    step_s: float = 0.0
    series: dict[str, list[float | None]] = field(default_factory=dict)
    detail: str = ""


# --------------------------------------------------------------------------- the record itself
@event_type("record_gap")
@dataclass(kw_only=True)
class RecordGap(Event):
    """Writing the session failed for a while (a full disk) and works again.

    Events recorded meanwhile were held in memory and written late (`delayed`), up to a bound;
    past it they were dropped: `lost` of them, sequence numbers `lost_from_seq`…`lost_to_seq`,
    recorded between `lost_from_t` and `lost_to_t` (session offsets). `since_t` is when writing
    first failed and `reason` why.
    """

    reason: str = ""
    since_t: float = 0.0
    delayed: int = 0
    lost: int = 0
    lost_from_seq: int = 0
    lost_to_seq: int = 0
    lost_from_t: float = 0.0
    lost_to_t: float = 0.0
