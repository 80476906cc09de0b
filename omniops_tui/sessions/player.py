"""Replay: a recorded session as a seekable timeline, and a player that walks it (no UI here).

The replay UI feeds the events a `Player` yields through the same `SessionState.apply` fold the
live app uses (DESIGN principle 1), so replay is faithful by construction. This module only
answers "which events, and which state, at which time":

- `Timeline` orders the events by their offset `t`, lists the *markers* worth jumping to,
  maps recorded time to playback time when long silences are compressed (an idle limit, like
  asciinema's `--idle-time-limit`), and rebuilds the state at any time from the nearest
  *checkpoint* (a snapshot every `checkpoint_every` events) so that stepping backwards in a
  long session never refolds from the start.
- `Player` is pure logic with an injectable clock: play/pause, speeds, seeks, markers.
  The UI calls `advance()` from a timer and applies the events it returns; every seek returns
  a fresh `SessionState` that replaces the UI's one.
"""

from __future__ import annotations

import gc
import math
import operator
import re
import threading
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

from omniops_tui.core.events import (
    CheckResultEvent,
    CriterionFired,
    Event,
    ItemFlagged,
    NoteAdded,
    RunbookStarted,
    WizardAnswered,
    WizardRecommended,
)
from omniops_tui.sessions.describe import describe
from omniops_tui.sessions.reader import SessionFile, read_session
from omniops_tui.sessions.state import SessionState

DEFAULT_CHECKPOINT_EVERY = 2_000
FAILING = frozenset({"fail", "error"})
MAX = math.inf
"""The "as fast as possible" speed."""
SPEEDS: tuple[float, ...] = (1.0, 4.0, 16.0, 60.0, MAX)
LABEL_WIDTH = 80
_EPSILON = 1e-6


class TimeParseError(ValueError):
    """A typed time the timeline cannot place; the message is one line for the UI."""


@dataclass(frozen=True, slots=True)
class Marker:
    """A point worth jumping to. `index` is the event's position in `Timeline.events`.

    `kind` is one of: note, check_failed, item_flagged, wizard_answer, wizard_recommendation,
    runbook_started, criterion_fired.
    """

    t: float
    kind: str
    label: str
    index: int
    at: str = ""


class Timeline:
    """A session's events in time order, with markers, idle compression and checkpoints.

    `events[:index_at(t)]` are the events that have happened at time `t` (offsets in seconds
    since the session started, as recorded). Playback time `p` is the same axis with every gap
    between events longer than `idle_limit` shrunk to `idle_limit` (linearly, so the mapping
    stays continuous and invertible).
    """

    def __init__(
        self,
        session: SessionFile,
        *,
        idle_limit: float | None = None,
        checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY,
        eager_checkpoints: bool = True,
        state_factory: Callable[[], SessionState] = SessionState,
    ) -> None:
        if checkpoint_every < 1:
            raise ValueError("checkpoint_every must be at least 1")
        if idle_limit is not None and idle_limit <= 0:
            raise ValueError("idle_limit must be positive (or None for no limit)")
        self.session = session
        self.header = session.header
        events = session.events
        times = [event.t for event in events]
        if not all(map(operator.le, times, islice(times, 1, None))):
            # Stable: events stamped with the same offset keep their recorded order.
            events = sorted(events, key=lambda event: event.t)
            times = [event.t for event in events]
        self.events: list[Event] = events
        self.times: list[float] = times
        self.duration: float = times[-1] if times else 0.0
        self.idle_limit = idle_limit
        self.checkpoint_every = checkpoint_every
        self._state_factory = state_factory
        self._checkpoints: list[SessionState] = [state_factory()]
        self._fold: SessionState = state_factory()  # the fold up to the last checkpoint built
        self._folded = 0
        self._playback: list[float] = self._playback_times()
        self.markers: list[Marker] = find_markers(events)
        self._marker_times = [marker.t for marker in self.markers]
        self._walls: dict[int, datetime | None] = {}
        # Checkpoints may be built on another thread (`sessions.background`) while a seek
        # needs one: whoever holds the lock folds, the other finds it done.
        self._checkpoint_lock = threading.Lock()
        if eager_checkpoints:
            self._ensure_checkpoints(len(events))

    @classmethod
    def open(cls, path: Path, **options: Any) -> Timeline:
        """Read a session file (tolerantly, see `reader`) and build its timeline.

        The garbage collector is paused while ~a million long-lived objects are made, then they
        are moved straight to the oldest generation (`freeze` + `unfreeze`, O(1)) instead of
        being scanned by young collections: that scan would cost ~150 ms, paid as a stutter
        during the first seconds of playback. Nothing is leaked: full collections still see
        them, and unfrozen young garbage is collected by the next full collection instead.
        """
        enabled = gc.isenabled()
        gc.disable()
        try:
            timeline = cls(read_session(path), **options)
        finally:
            if enabled:
                gc.freeze()
                gc.unfreeze()
                gc.enable()
        return timeline

    # ------------------------------------------------------------------ positions
    def __len__(self) -> int:
        return len(self.events)

    def index_at(self, t: float) -> int:
        """How many events have happened at time `t` (those with `event.t <= t`)."""
        return bisect_right(self.times, t)

    def events_between(self, t0: float, t1: float) -> list[Event]:
        """The events with `t0 < event.t <= t1`: what happens when playback moves from t0 to t1."""
        if t1 <= t0:
            return []
        return self.events[bisect_right(self.times, t0) : bisect_right(self.times, t1)]

    def clamp(self, t: float) -> float:
        return min(max(t, 0.0), self.duration)

    # ------------------------------------------------------------------ state
    def state_at(self, t: float) -> SessionState:
        """The state at time `t`: a fresh copy the caller may keep applying events to."""
        return self.state_at_index(self.index_at(t))

    def state_at_index(self, count: int) -> SessionState:
        """The state after the first `count` events: nearest checkpoint + at most K-1 events."""
        count = min(max(count, 0), len(self.events))
        slot = count // self.checkpoint_every
        self._ensure_checkpoints(count)
        state = self._checkpoints[slot].snapshot()
        apply = state.apply
        for event in self.events[slot * self.checkpoint_every : count]:
            apply(event)
        return state

    def final_state(self) -> SessionState:
        return self.state_at_index(len(self.events))

    @property
    def checkpoints_built(self) -> int:
        """How many events the checkpoints cover so far (all of them once fully built)."""
        return min(len(self.events), (len(self._checkpoints) - 1) * self.checkpoint_every)

    def _ensure_checkpoints(self, count: int) -> None:
        """Fold forward from the last checkpoint built, snapshotting every K events up to `count`."""
        if len(self._checkpoints) > count // self.checkpoint_every:
            return
        with self._checkpoint_lock:
            self._fold_to(count)

    def _fold_to(self, count: int) -> None:
        every = self.checkpoint_every
        wanted = count // every
        if len(self._checkpoints) > wanted:
            return
        state = self._fold
        apply = state.apply
        events = self.events
        while len(self._checkpoints) <= wanted:
            start = self._folded
            for event in events[start : start + every]:
                apply(event)
            self._folded = start + every
            self._checkpoints.append(state.snapshot())

    # ------------------------------------------------------------------ idle limit
    def _playback_times(self) -> list[float]:
        limit = self.idle_limit
        if limit is None:
            return self.times
        playback: list[float] = []
        position = 0.0
        previous = 0.0
        for t in self.times:
            gap = t - previous
            position += gap if gap <= limit else limit
            playback.append(position)
            previous = t
        return playback

    @property
    def playback_duration(self) -> float:
        return self._playback[-1] if self._playback else 0.0

    def playback_time(self, t: float) -> float:
        """Recorded time -> playback time (identity without an idle limit)."""
        if self.idle_limit is None:
            return t
        t = self.clamp(t)
        i = bisect_right(self.times, t)  # events[i-1].t <= t < events[i].t
        t0, p0 = (self.times[i - 1], self._playback[i - 1]) if i else (0.0, 0.0)
        if i >= len(self.times):
            return p0
        gap = self.times[i] - t0
        if gap <= self.idle_limit:
            return p0 + (t - t0)
        return p0 + (t - t0) * (self.idle_limit / gap)

    def recorded_time(self, p: float) -> float:
        """Playback time -> recorded time (the inverse of `playback_time`)."""
        if self.idle_limit is None:
            return self.clamp(p)
        p = min(max(p, 0.0), self.playback_duration)
        i = bisect_right(self._playback, p)
        t0, p0 = (self.times[i - 1], self._playback[i - 1]) if i else (0.0, 0.0)
        if i >= len(self.times):
            return t0
        gap = self.times[i] - t0
        if gap <= self.idle_limit:
            return t0 + (p - p0)
        return t0 + (p - p0) * (gap / self.idle_limit)

    # ------------------------------------------------------------------ markers
    def next_marker(self, t: float) -> Marker | None:
        """The first marker strictly after `t`."""
        i = bisect_right(self._marker_times, t + _EPSILON)
        return self.markers[i] if i < len(self.markers) else None

    def previous_marker(self, t: float) -> Marker | None:
        """The last marker strictly before `t` (so pressing it twice keeps going back)."""
        i = bisect_left(self._marker_times, t - _EPSILON)
        return self.markers[i - 1] if i > 0 else None

    # ------------------------------------------------------------------ wall clock
    def wall_at(self, t: float) -> datetime | None:
        """The recorded wall-clock (UTC) time at offset `t`, from the nearest event before it.

        Piecewise, because a resumed session's offsets continue while the wall clock jumped.
        """
        if not self.events:
            return _parse_iso(self.header.started_at)
        i = max(self.index_at(t) - 1, 0)
        wall = self._wall(i)
        return wall + timedelta(seconds=t - self.times[i]) if wall else None

    def time_for(self, text: str) -> float:
        """Place a typed time on the timeline.

        Accepts a wall-clock time of day in UTC ("03:12" or "03:12:05"; the first such moment
        within the session), an ISO date-time ("2025-03-14T03:12:05Z"; naive means UTC), or an
        offset from the start ("+12:30", "+1:02:03", "+90s").
        """
        text = text.strip()
        if not text:
            raise TimeParseError("type a time: 03:12:05, an ISO date-time, or +MM:SS from the start")
        if text.startswith("+"):
            return self.clamp(_parse_offset(text[1:]))
        if re.fullmatch(r"\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?", text):
            return self._time_for_wall(self._time_of_day(text))
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
        except ValueError:
            raise TimeParseError(
                f"cannot read {text!r} as a time: use 03:12:05 (UTC), 2025-03-14T03:12:05Z or +MM:SS"
            ) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return self._time_for_wall(moment)

    def _time_of_day(self, text: str) -> datetime:
        parts = text.split(":")
        hours, minutes = int(parts[0]), int(parts[1])
        seconds = float(parts[2]) if len(parts) > 2 else 0.0
        if hours > 23 or minutes > 59 or seconds >= 60:
            raise TimeParseError(f"{text!r} is not a time of day")
        start = self.wall_at(0.0)
        end = self.wall_at(self.duration)
        if start is None or end is None:
            raise TimeParseError("this session has no wall-clock times; use +MM:SS instead")
        day = start.replace(hour=0, minute=0, second=0, microsecond=0)
        moment = day + timedelta(hours=hours, minutes=minutes, seconds=seconds)
        while moment < start and moment + timedelta(days=1) <= end:
            moment += timedelta(days=1)
        return moment

    def _time_for_wall(self, moment: datetime) -> float:
        """The offset at which the recorded wall clock reads `moment` (clamped to the session)."""
        if not self.events:
            return 0.0
        lo, hi = 0, len(self.events)
        while lo < hi:  # the last event whose wall time is <= moment
            mid = (lo + hi) // 2
            wall = self._wall(mid)
            if wall is not None and wall <= moment:
                lo = mid + 1
            else:
                hi = mid
        if lo == 0:
            first = self._wall(0)
            if first is None:
                return 0.0
            return self.clamp(self.times[0] - (first - moment).total_seconds())
        i = lo - 1
        wall = self._wall(i)
        t = self.times[i] + ((moment - wall).total_seconds() if wall else 0.0)
        if i + 1 < len(self.times):
            t = min(t, self.times[i + 1])
        return self.clamp(t)

    def _wall(self, index: int) -> datetime | None:
        if index not in self._walls:
            self._walls[index] = _parse_iso(self.events[index].at)
        return self._walls[index]


# ---------------------------------------------------------------------------- markers
def find_markers(events: list[Event]) -> list[Marker]:
    """The points a reviewer jumps between, in time order, labelled like the timeline screen.

    A check is marked when it *turns* failing (its first fail/error, or the first after it
    passed again), not at every poll of a check that stays red: an hour of red at 15 s
    intervals would otherwise bury everything else.
    """
    markers: list[Marker] = []
    last_status: dict[str, str] = {}
    kinds = MARKER_KINDS
    for index, event in enumerate(events):
        cls = type(event)
        if cls is CheckResultEvent:
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
}
"""Event types that are markers by themselves (check failures are markers on transitions)."""


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= LABEL_WIDTH else text[: LABEL_WIDTH - 1] + "…"


# ---------------------------------------------------------------------------- the player
class Player:
    """Play/pause, speeds and seeks over a `Timeline`; it never touches a UI or a state.

    Drive it from a timer: `events = player.advance()` returns the events that became due since
    the last call (apply each to the UI's `SessionState`); every seek returns the `SessionState`
    at the new position, which replaces the UI's. `position` is recorded time (seconds since
    the session started); with an idle limit, time flows in playback time, so silences longer
    than the limit pass in `idle_limit / speed` seconds.

    At most `max_batch` events are delivered per `advance()` so a burst (50k log lines a
    second at 60x) never stalls a frame; the position then waits for the events to catch up.
    At speed `MAX` each `advance()` delivers the next `max_batch` events.
    """

    def __init__(
        self,
        timeline: Timeline,
        *,
        clock: Callable[[], float] = time.monotonic,
        speed: float = 1.0,
        max_batch: int = 2_000,
    ) -> None:
        self.timeline = timeline
        self.clock = clock
        self.speed = _check_speed(speed)
        self.max_batch = max_batch
        self.position = 0.0  # the recorded time the delivered events correspond to
        self._target = 0.0  # where the clock says playback should be (ahead during a burst)
        self.cursor = timeline.index_at(0.0)  # events[:cursor] have been delivered
        self.playing = False
        self.last_marker: Marker | None = None
        self._tick = 0.0

    # ------------------------------------------------------------------ play / pause / speed
    @property
    def finished(self) -> bool:
        return self.cursor >= len(self.timeline.events) and self._target >= self.timeline.duration

    def play(self, now: float | None = None) -> None:
        """Start (or resume); at the end, start again from the beginning is the caller's seek(0)."""
        self._tick = self._now(now)
        self.playing = not self.finished

    def pause(self, now: float | None = None) -> None:
        if self.playing:
            self._bank(self._now(now))
        self.playing = False

    def toggle(self, now: float | None = None) -> bool:
        """Play/pause; returns whether it is now playing."""
        if self.playing:
            self.pause(now)
        else:
            self.play(now)
        return self.playing

    def set_speed(self, speed: float, now: float | None = None) -> None:
        """One of SPEEDS (MAX = as fast as possible); time already elapsed counts at the old speed."""
        speed = _check_speed(speed)
        if self.playing:
            self._bank(self._now(now))
        self.speed = speed

    def faster(self, now: float | None = None) -> float:
        index = SPEEDS.index(self.speed) if self.speed in SPEEDS else 0
        self.set_speed(SPEEDS[min(index + 1, len(SPEEDS) - 1)], now)
        return self.speed

    def slower(self, now: float | None = None) -> float:
        index = SPEEDS.index(self.speed) if self.speed in SPEEDS else 0
        self.set_speed(SPEEDS[max(index - 1, 0)], now)
        return self.speed

    @property
    def speed_label(self) -> str:
        return "max" if self.speed == MAX else f"{self.speed:g}x"

    # ------------------------------------------------------------------ the tick
    def advance(self, now: float | None = None) -> list[Event]:
        """The events due since the last call, in order; apply each to the state you show."""
        timeline = self.timeline
        count = len(timeline.events)
        if self.playing:
            now = self._now(now)
            if self.speed == MAX:
                self._tick = now
                end = min(self.cursor + self.max_batch, count)
                self._target = timeline.times[end - 1] if end > self.cursor else timeline.duration
            else:
                self._bank(now)
        due = timeline.index_at(self._target)
        end = min(due, self.cursor + self.max_batch)
        events = timeline.events[self.cursor : end]
        self.cursor = end
        # Behind schedule (a burst): show the time of the last event delivered; the rest of
        # what is due comes with the next ticks, and the clock keeps running meanwhile.
        self.position = self._target if end == due else timeline.times[end - 1]
        if self.playing and self.finished:
            self.playing = False
        return events

    def _bank(self, now: float) -> None:
        """Move the target by the playback time elapsed since the last tick."""
        elapsed = max(now - self._tick, 0.0)
        self._tick = now
        if elapsed and self.speed != MAX:
            timeline = self.timeline
            playback = timeline.playback_time(self._target) + elapsed * self.speed
            self._target = max(self._target, timeline.recorded_time(playback))

    def _now(self, now: float | None) -> float:
        return self.clock() if now is None else now

    # ------------------------------------------------------------------ seeking
    def seek(self, t: float) -> SessionState:
        """Jump to recorded time `t` (clamped); returns the state there (a fresh copy)."""
        self.position = self._target = self.timeline.clamp(t)
        self.cursor = self.timeline.index_at(self.position)
        self.last_marker = None
        if self.playing:
            self._tick = self.clock()
        return self.timeline.state_at_index(self.cursor)

    def seek_by(self, seconds: float) -> SessionState:
        """±10 s, ±1 min …: relative to the current position, in recorded time."""
        return self.seek(self.position + seconds)

    def seek_to(self, text: str) -> SessionState:
        """A typed time: "03:12:05" (UTC), an ISO date-time, or "+MM:SS" (raises TimeParseError)."""
        return self.seek(self.timeline.time_for(text))

    def next_marker(self) -> SessionState | None:
        """Jump to the next marker (None, and no move, when there is none); see `last_marker`."""
        marker = self.timeline.next_marker(self.position)
        return self._to_marker(marker)

    def previous_marker(self) -> SessionState | None:
        marker = self.timeline.previous_marker(self.position)
        return self._to_marker(marker)

    def _to_marker(self, marker: Marker | None) -> SessionState | None:
        if marker is None:
            return None
        state = self.seek(marker.t)
        self.last_marker = marker
        return state

    # ------------------------------------------------------------------ what to show
    @property
    def wall_time(self) -> datetime | None:
        return self.timeline.wall_at(self.position)

    @property
    def playback_position(self) -> float:
        return self.timeline.playback_time(self.position)

    @property
    def fraction(self) -> float:
        """0..1 along the bar (in playback time, so compressed silences take little room)."""
        total = self.timeline.playback_duration
        return self.playback_position / total if total else 1.0

    def seek_fraction(self, fraction: float) -> SessionState:
        """A click on the bar at 0..1 of its width."""
        fraction = min(max(fraction, 0.0), 1.0)
        return self.seek(self.timeline.recorded_time(fraction * self.timeline.playback_duration))


def _check_speed(speed: float) -> float:
    if speed not in SPEEDS:
        raise ValueError(f"speed must be one of 1, 4, 16, 60 or MAX (as fast as possible), not {speed}")
    return speed


def parse_speed(text: str) -> float:
    """ "4", "4x", "max" -> a speed in SPEEDS."""
    text = text.strip().lower()
    if text in ("max", "inf", "fastest"):
        return MAX
    text = text.removesuffix("x")
    try:
        return _check_speed(float(text))
    except ValueError:
        raise ValueError(f"speed must be one of 1x, 4x, 16x, 60x or max, not {text!r}") from None


def _parse_offset(text: str) -> float:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(s|m|h)", text)
    if match:
        return float(match.group(1)) * {"s": 1, "m": 60, "h": 3600}[match.group(2)]
    parts = text.split(":")
    if not 1 <= len(parts) <= 3 or not all(re.fullmatch(r"\d+(\.\d+)?", p) for p in parts):
        raise TimeParseError(f"cannot read offset +{text}: use +MM:SS, +H:MM:SS or +90s")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds


def _parse_iso(text: str) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def format_offset(seconds: float) -> str:
    """+H:MM:SS for timelines and the bar."""
    seconds = max(int(seconds), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"+{hours}:{minutes:02d}:{secs:02d}"
