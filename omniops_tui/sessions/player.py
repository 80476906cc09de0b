"""Replay's player: play/pause, speeds and seeks over a `Timeline` (no UI here).

The replay UI feeds the events a `Player` yields through the same `SessionState.apply` fold the
live app uses (DESIGN principle 1), so replay is faithful by construction. `Player` is pure
logic with an injectable clock: the UI calls `advance()` from a timer and applies the events
it returns; every seek returns a fresh `SessionState` that replaces the UI's one. The timeline
it walks (ordering, markers, idle compression, checkpoints) is in timeline.py.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import datetime

from omniops_tui.core.events import Event
from omniops_tui.core.timefmt import format_offset
from omniops_tui.sessions.markers import Marker
from omniops_tui.sessions.state import SessionState
from omniops_tui.sessions.timeline import Timeline, TimeParseError

MAX = math.inf
"""The "as fast as possible" speed."""
SPEEDS: tuple[float, ...] = (1.0, 4.0, 16.0, 60.0, MAX)

# Timeline, TimeParseError and format_offset are re-exported: replay and the tools import them here.
__all__ = ["MAX", "SPEEDS", "Marker", "Player", "TimeParseError", "Timeline", "format_offset", "parse_speed"]


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
        timeline = self.timeline  # still being indexed: more is coming
        return timeline.complete and self.cursor >= len(timeline.events) and self._target >= timeline.duration

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
        events = list(timeline.events[self.cursor : end])
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
        total = self.timeline.playback_duration_so_far()
        return min(self.playback_position / total, 1.0) if total else 1.0

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
