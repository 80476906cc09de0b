"""The points of a session worth jumping to in replay: notes, failures, runs, gaps, acts.

Replay's `[`/`]` jump between them and the timeline lists them; each is labelled with the
timeline screen's own wording (`describe`), clipped to one line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from omniops_tui.core.events import (
    EVENT_TYPES,
    CheckResultEvent,
    CommandFinished,
    CommandStarted,
    CriterionFired,
    Event,
    ItemFlagged,
    NoteAdded,
    RecordGap,
    RunbookStarted,
    StepConfirmed,
    WizardAnswered,
    WizardRecommended,
)
from omniops_tui.sessions.describe import describe

FAILING = frozenset({"fail", "error"})
LABEL_WIDTH = 80


@dataclass(frozen=True, slots=True)
class Marker:
    """A point worth jumping to. `index` is the event's position in `Timeline.events`.

    `kind` is one of: note, check_failed, item_flagged, wizard_answer, wizard_recommendation,
    runbook_started, criterion_fired, step_confirmed, command_started, command_finished,
    record_gap.
    """

    t: float
    kind: str
    label: str
    index: int
    at: str = ""


def find_markers(events: Sequence[Event], types: Sequence[str] | None = None) -> list[Marker]:
    """The points a reviewer jumps between, in time order, labelled like the timeline screen.

    A check is marked when it *turns* failing (its first fail/error, or the first after it
    passed again), not at every poll of a check that stays red: an hour of red at 15 s
    intervals would otherwise bury everything else. With the events' `types` known (a lazily
    decoded session, `sessions.index`), only the events that can be markers are decoded, one
    by one (`events.one`), instead of all of them.
    """
    markers: list[Marker] = []
    last_status: dict[str, str] = {}
    kinds = MARKER_KINDS
    pairs: Iterable[tuple[int, Event]] = enumerate(events)
    if types is not None:
        get = getattr(events, "one", events.__getitem__)
        names = CANDIDATE_TYPES
        pairs = ((index, get(index)) for index, name in enumerate(types) if name in names)
    for index, event in pairs:
        cls = type(event)
        if isinstance(event, CheckResultEvent):
            previous = last_status.get(event.check_id, "")
            last_status[event.check_id] = event.status
            if event.status in FAILING and previous not in FAILING:
                markers.append(Marker(event.t, "check_failed", _short(describe(event)), index, event.at))
            continue
        kind = kinds.get(cls)
        if kind is not None:
            markers.append(Marker(event.t, kind, _short(describe(event)), index, event.at))
    return markers


MARKER_KINDS: dict[type, str] = {
    NoteAdded: "note",
    ItemFlagged: "item_flagged",
    WizardAnswered: "wizard_answer",
    WizardRecommended: "wizard_recommendation",
    RunbookStarted: "runbook_started",
    CriterionFired: "criterion_fired",
    StepConfirmed: "step_confirmed",
    CommandStarted: "command_started",
    CommandFinished: "command_finished",
    RecordGap: "record_gap",
}
"""Event types that are markers by themselves (check failures are markers on transitions)."""

CANDIDATE_TYPES = frozenset(
    name for name, cls in EVENT_TYPES.items() if cls in MARKER_KINDS or cls is CheckResultEvent
)
"""The recorded type names of the events that may be markers."""


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= LABEL_WIDTH else text[: LABEL_WIDTH - 1] + "…"
