"""What happened in an incident, from the events alone: detection, rollback, resolution.

Pure analysis, no rendering: the post-mortem draft states only what these findings hold, and
every finding is a `Moment` that cites the event it rests on (sequence number and time). The
issue #9 C rules, so a reader can trust the draft:

- **Detection** is the first failure of the incident window: a check or metric failure that
  persisted (`PERSIST_RESULTS` failing results in a row, or still failing `PERSIST_S` seconds
  later), or a rollback criterion firing. A failure that cleared sooner is an isolated *blip*:
  listed as such, never detection.
- **A rollback starts** with the first rollback act: a step of the rollback runbook confirmed
  or ticked, or one of its steps' commands run that changes something. Opening the runbook,
  ticking its prerequisites or its verification is not a rollback.
- **Rollback completed**: after it started, the first event that makes "Version confirmed
  rolled back" done (ticked, or its check passing when it was not already passing at the
  start); failing that, "Application responding to requests".
- **Resolution** (systems stable): from detection, the first moment when no criterion is
  active and no check's or figure's latest result fails (warn is tolerated), with at least one
  check passing since detection. A failure that persists, or a criterion firing, after it is a
  **relapse**.
- **Duration**: detection to resolution; unresolved, detection to the end of the record, and
  the session that ended says so (it is not "still ongoing").
- **Record gaps** (`record_gap`): the record has a hole; the draft says from when to when.

What the events cannot support is a `todos` line for the engineer, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from omniops_tui.core.events import (
    CheckResultEvent,
    CommandStarted,
    CriterionCleared,
    CriterionFired,
    Event,
    ItemChecked,
    MetricSample,
    RecordGap,
    RunbookStarted,
    SessionEnded,
    SessionResumed,
    StepConfirmed,
)
from omniops_tui.core.timefmt import format_offset
from omniops_tui.sessions.state import SessionState

ROLLBACK_RUNBOOK = "emergency-rollback"
ROLLBACK_DONE_ITEMS = ("version-confirmed-rolled-back", "application-responding-to-requests")
# Where the rollback runbook's own work is: its numbered steps and procedure. Ticking a
# prerequisite, a verification or a follow-up item there is not rolling back.
ROLLBACK_WORK = ("step-", "procedure")
CHANGING = frozenset({"changes", "destructive"})
FAILING = frozenset({"fail", "error"})
PERSIST_RESULTS = 2
PERSIST_S = 60.0


@dataclass(slots=True)
class Moment:
    """A finding: when (offset, UTC wall time), what, by what, and the event it cites (`seq`)."""

    t: float
    at: str
    text: str
    by: str = ""
    seq: int = 0

    @property
    def offset(self) -> str:
        return format_offset(self.t)

    @classmethod
    def of(cls, event: Event, text: str, by: str = "") -> Moment:
        return cls(event.t, event.at, text, by, event.seq)


@dataclass(slots=True)
class Gap:
    """A hole in the record: writing failed from `since_t` until `t` (the `record_gap` event)."""

    since_t: float
    t: float
    at: str
    seq: int
    reason: str
    delayed: int
    lost: int
    lost_from_seq: int
    lost_to_seq: int


@dataclass(slots=True)
class Incident:
    detection: Moment | None = None
    blips: list[Moment] = field(default_factory=list)
    rollback_opened: Moment | None = None
    rollback_started: Moment | None = None
    rollback_completed: Moment | None = None
    stable: Moment | None = None
    relapse: Moment | None = None
    steps_confirmed: list[Moment] = field(default_factory=list)
    ended: Moment | None = None
    last: Moment | None = None
    duration_s: float | None = None
    ongoing: bool = False
    gaps: list[Gap] = field(default_factory=list)
    todos: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Episode:
    """A run of failing results of one check or metric."""

    first: Moment
    results: int = 1
    persisted: bool = False


class IncidentAnalysis:
    """Fed every event after the fold applied it (`feed(event, state)`), then `finish()`."""

    def __init__(self) -> None:
        self.open: dict[str, _Episode] = {}
        self.persisted: list[Moment] = []  # first failures of persisted episodes, in order found
        self.blips: list[Moment] = []
        self.fired: list[Moment] = []
        self.acts: list[Moment] = []
        self.done_before: set[str] = set()
        self.completed: dict[str, Moment] = {}
        self.steps: list[Moment] = []
        self.gaps: list[Gap] = []
        self.opened: Moment | None = None
        self.ended: Moment | None = None
        self.last: Event | None = None
        # Check results and criteria, replayed for resolution once detection is known.
        self._timeline: list[Event] = []

    # ------------------------------------------------------------------ the pass
    def feed(self, event: Event, state: SessionState) -> None:
        self.last = event
        if isinstance(event, CheckResultEvent):
            self._result(f"check {event.check_id}", event, event.status, event.summary)
            self._completion(event, state)
            self._timeline.append(event)
        elif isinstance(event, MetricSample):
            where = f"{event.metric}@{event.host}" if event.host else event.metric
            self._result(f"metric {where}", event, event.status, event.detail or event.metric)
            self._timeline.append(event)
        elif isinstance(event, CriterionFired):
            text = event.evidence or f"{event.metric} {event.threshold}"
            self.fired.append(Moment.of(event, text, f"rollback criterion {event.criterion_id}"))
            self._timeline.append(event)
        elif isinstance(event, CriterionCleared):
            self._timeline.append(event)
        elif isinstance(event, RunbookStarted) and _is_rollback(event.runbook_id) and self.opened is None:
            title = event.title or event.runbook_id
            self.opened = Moment.of(event, f"{title} opened (via {event.via or 'app'})")
        elif isinstance(event, StepConfirmed):
            moment = Moment.of(event, f"step confirmed: {event.title or event.step_id}")
            self.steps.append(moment)
            if _rollback_place(event.step_id):
                self._act(moment, state)
        elif isinstance(event, ItemChecked):
            if _rollback_place(event.item_id):
                self._act(Moment.of(event, f"item ticked: {event.text or event.item_id}"), state)
            self._completion(event, state)
        elif isinstance(event, CommandStarted):
            if _rollback_place(event.block_id or event.item_id) and event.safety in CHANGING:
                step = event.block_id.split("/")[1] if event.block_id.count("/") >= 1 else event.block_id
                text = f"ran {step} (`{headline(event.command)}`) on {event.target or 'local'}"
                self._act(Moment.of(event, text), state)
        elif isinstance(event, RecordGap):
            self.gaps.append(
                Gap(
                    event.since_t,
                    event.t,
                    event.at,
                    event.seq,
                    event.reason,
                    event.delayed,
                    event.lost,
                    event.lost_from_seq,
                    event.lost_to_seq,
                )
            )
        elif isinstance(event, SessionEnded):
            self.ended = Moment.of(event, f"session ended ({event.reason})")
        elif isinstance(event, SessionResumed):
            self.ended = None  # resumed: only an end after this one ends the session

    def _result(self, key: str, event: Event, status: str, summary: str) -> None:
        episode = self.open.get(key)
        if status in FAILING:
            if episode is None:
                self.open[key] = _Episode(Moment.of(event, summary or f"{key} {status}", f"automated {key}"))
                return
            episode.results += 1
            if episode.results >= PERSIST_RESULTS or event.t - episode.first.t >= PERSIST_S:
                self._persist(episode)
        elif status != "unknown" and episode is not None:  # unknown neither confirms nor clears
            del self.open[key]
            self._close(episode, event.t)

    def _close(self, episode: _Episode, until: float) -> None:
        if not episode.persisted and until - episode.first.t >= PERSIST_S:
            self._persist(episode)
        if not episode.persisted:
            self.blips.append(episode.first)

    def _persist(self, episode: _Episode) -> None:
        if not episode.persisted:
            episode.persisted = True
            self.persisted.append(episode.first)

    def _act(self, moment: Moment, state: SessionState) -> None:
        if not self.acts:  # the rollback starts: which "done" items already held before it
            self.done_before = {i for i, item in state.items.items() if item.done and _done_item(i)}
        self.acts.append(moment)

    def _completion(self, event: Event, state: SessionState) -> None:
        """A check passing completes the rollback only when its item was not already passing
        when the rollback started (a health check green all along proves nothing)."""
        if not self.acts:  # events come in order: no completion before the rollback started
            return
        for suffix in ROLLBACK_DONE_ITEMS:
            if suffix in self.completed:
                continue
            item_id, how = _touched_done_item(event, suffix)
            by_check = isinstance(event, CheckResultEvent)
            if item_id and state.is_done(item_id) and not (by_check and item_id in self.done_before):
                label = suffix.replace("-", " ").capitalize()
                self.completed[suffix] = Moment.of(event, f"{label} ({how})")

    # ------------------------------------------------------------------ the findings
    def finish(self) -> Incident:
        end_t = self.last.t if self.last is not None else 0.0
        for key, episode in list(self.open.items()):
            if episode.results == 1 and end_t - episode.first.t < PERSIST_S:
                self.blips.append(episode.first)  # failed once as the record stopped: unconfirmed
            else:
                self._persist(episode)
            del self.open[key]
        candidates = sorted([*self.persisted, *self.fired], key=lambda m: (m.t, m.seq))
        detection = candidates[0] if candidates else None
        found = Incident(detection=detection, rollback_opened=self.opened, steps_confirmed=self.steps)
        found.blips = sorted(self.blips, key=lambda m: (m.t, m.seq))
        found.ended, found.gaps = self.ended, self.gaps
        found.last = Moment.of(self.last, "the last event recorded") if self.last is not None else None
        found.rollback_started = min(self.acts, key=lambda m: (m.t, m.seq)) if self.acts else None
        found.rollback_completed = next(
            (self.completed[s] for s in ROLLBACK_DONE_ITEMS if s in self.completed), None
        )
        if detection is not None:
            found.stable = self._resolution(detection)
            later = [m for m in candidates if found.stable is not None and m.t > found.stable.t]
            found.relapse = later[0] if later else None
            end = found.stable.t if found.stable is not None else end_t
            found.duration_s = round(end - detection.t, 3)
            found.ongoing = found.stable is None and self.ended is None
        found.todos = _todos(found)
        return found

    def _resolution(self, detection: Moment) -> Moment | None:
        status: dict[str, str] = {}
        figures: dict[tuple[str, str], str] = {}
        active: set[str] = set()
        passed = False
        for event in self._timeline:
            if isinstance(event, MetricSample):
                figures[(event.metric, event.host)] = event.status
            elif isinstance(event, CheckResultEvent):
                status[event.check_id] = event.status
                passed = passed or (event.status == "pass" and event.t >= detection.t)
            elif isinstance(event, CriterionFired):
                active.add(event.criterion_id)
            elif isinstance(event, CriterionCleared):
                active.discard(event.criterion_id)
            if event.t < detection.t or not passed or active:
                continue
            if not any(s in FAILING for s in (*status.values(), *figures.values())):
                passing = sum(1 for s in status.values() if s == "pass")
                cleared = "criteria cleared, " if isinstance(event, CriterionCleared) else ""
                text = f"{cleared}no check or figure failing ({passing} checks passing), no criterion active"
                return Moment.of(event, text)
        return None


# ---------------------------------------------------------------------------- helpers
def _is_rollback(runbook_id: str) -> bool:
    return runbook_id == ROLLBACK_RUNBOOK


def _rollback_place(place_id: str) -> bool:
    """A step of the rollback runbook, or an item or block inside one (ids carry their runbook)."""
    if not place_id.startswith(ROLLBACK_RUNBOOK + "/"):
        return False
    section = place_id.split("/")[1]
    return any(word in section for word in ROLLBACK_WORK)


def _done_item(item_id: str) -> bool:
    return item_id.startswith(ROLLBACK_RUNBOOK + "/") and item_id.endswith(ROLLBACK_DONE_ITEMS)


def _touched_done_item(event: Event, suffix: str) -> tuple[str, str]:
    """(the rollback item with this id suffix that the event ticks or verifies, how), or ("", "")."""
    if isinstance(event, ItemChecked):
        if event.item_id.startswith(ROLLBACK_RUNBOOK + "/") and event.item_id.endswith("/" + suffix):
            return event.item_id, "ticked by hand"
    elif isinstance(event, CheckResultEvent) and event.status == "pass":
        for item_id in event.item_ids:
            if item_id.startswith(ROLLBACK_RUNBOOK + "/") and item_id.endswith("/" + suffix):
                return item_id, f"check {event.check_id} passed"
    return "", ""


def _todos(found: Incident) -> list[str]:
    """What the events cannot say, for the engineer to fill in."""
    todos = []
    if found.detection is None:
        blips = f" ({len(found.blips)} isolated blip(s), not detection)" if found.blips else ""
        todos.append(f"no failure persisted and no criterion fired{blips}; say how the incident was detected")
    if found.rollback_started is None and found.rollback_opened is not None:
        todos.append(
            "Emergency Rollback was opened but no rollback step was ticked, confirmed or run; "
            "say whether a rollback happened outside the tool"
        )
    if found.rollback_started is not None and found.rollback_completed is None:
        todos.append("the rollback started but neither its version nor the application was confirmed")
    if found.detection is not None and found.stable is None:
        todos.append("the incident was not resolved in this record; say when and how it was")
    if any(gap.lost for gap in found.gaps):
        todos.append("events were lost in a record gap; fill in what happened meanwhile")
    todos.append("affected requests and the root cause")
    return todos


def headline(command: str, width: int = 80) -> str:
    """A command block in one line: its first line that is not a comment, and how many more."""
    lines = [line.strip() for line in command.strip().splitlines() if line.strip()]
    first = next((line for line in lines if not line.startswith("#")), lines[0] if lines else "")
    first = " ".join(first.split()).replace("`", "'")
    first = first if len(first) <= width else first[: width - 1] + "…"
    return first + (f" … (+{len(lines) - 1} lines)" if len(lines) > 1 else "")
