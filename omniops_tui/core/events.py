"""The vocabulary of a session: every state change is one of these immutable, typed events.

DESIGN principle 1: the session is an event log and every screen is a projection of it.
Events are small dataclasses registered by their `type` string (`event_codec.py` holds the
base class, the registry and the JSON codec; its names are re-exported here so that callers
import every event name from one place).

Stamps (`seq`, `t` = seconds since the session started on a monotonic clock, `at` = UTC wall
time) are set by the recorder, never by the code that creates the event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from omniops_tui.core.event_codec import (  # noqa: F401  (re-exported: the one place to import events from)
    EVENT_TYPES,
    FORMAT_NAME,
    FORMAT_VERSION,
    STAMP_FIELDS,
    Event,
    EventFieldError,
    UnknownEvent,
    event_type,
    from_record,
    to_record,
    utc_now_iso,
)
from omniops_tui.core.run_events import (  # noqa: F401  (re-exported with the rest of the vocabulary)
    CommandFinished,
    CommandOutput,
    CommandRefused,
    CommandStarted,
)


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
    """The log streams began: one `{"id", "host"}` per source, in the order the panes show them.

    `buffer_lines` is the environment's `log_buffer_lines`, so a replay's panes keep as many
    lines as the live ones did (0 in sessions recorded before it was: the default size).
    """

    sources: list[dict[str, str]] = field(default_factory=list)
    buffer_lines: int = 0


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
