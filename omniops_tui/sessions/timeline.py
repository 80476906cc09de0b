"""A recorded session as a seekable timeline (no UI, no clock here).

`Timeline` orders the events by their offset `t`, lists the *markers* worth jumping to
(`markers`), maps recorded time to playback time when long silences are compressed (an idle
limit, like asciinema's `--idle-time-limit`), places typed times on the session, and rebuilds
the state at any time from the nearest *checkpoint* (a snapshot every `checkpoint_every`
events) so that stepping backwards in a long session never refolds from the start. The
`Player` (player.py) walks it.
"""

from __future__ import annotations

import gc
import operator
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from itertools import accumulate, chain, islice, repeat
from pathlib import Path
from typing import Any

from omniops_tui.core.events import CheckResultEvent, Event
from omniops_tui.core.timefmt import format_offset, parse_iso
from omniops_tui.sessions.checkpoint import BatchIndex, Checkpoint
from omniops_tui.sessions.index import LazyEvents, SessionIndex
from omniops_tui.sessions.markers import Marker, find_markers
from omniops_tui.sessions.reader import SessionFile, read_session
from omniops_tui.sessions.sidecar import open_lazy
from omniops_tui.sessions.state import SessionState
from omniops_tui.sessions.timefind import TimeParseError, time_for

DEFAULT_CHECKPOINT_EVERY = 2_000
_EPSILON = 1e-6
GROW_STEP = 50_000  # events the playback times grow by per step: ~10-30 ms, see `_grown`

__all__ = ["DEFAULT_CHECKPOINT_EVERY", "Marker", "TimeParseError", "Timeline", "format_offset"]


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
        max_checkpoints: int | None = None,
        eager_checkpoints: bool = True,
        state_factory: Callable[[], SessionState] = SessionState,
    ) -> None:
        if checkpoint_every < 1:
            raise ValueError("checkpoint_every must be at least 1")
        if idle_limit is not None and idle_limit <= 0:
            raise ValueError("idle_limit must be positive (or None for no limit)")
        self.session = session
        self.header = session.header
        events: Sequence[Event] = session.events
        # An index only takes lines in time order (and may still be growing: `complete`).
        source = events.source if isinstance(events, LazyEvents) else None
        self._index = source if isinstance(source, SessionIndex) else None
        times: Sequence[float] = events.times if isinstance(events, LazyEvents) else [e.t for e in events]
        if self._index is None and not all(map(operator.le, times, islice(times, 1, None))):
            # Stable: events stamped with the same offset keep their recorded order.
            events = sorted(events, key=lambda event: event.t)
            times = [event.t for event in events]
        self.events: Sequence[Event] = events
        self.times: Sequence[float] = times
        self.idle_limit = idle_limit
        expected = self._expected_count()
        if max_checkpoints and expected > checkpoint_every * max_checkpoints:
            # Spaced out by whole multiples, so that they stay on the same boundaries.
            checkpoint_every *= -(-expected // (checkpoint_every * max_checkpoints))
        self.checkpoint_every = checkpoint_every
        self._state_factory = state_factory
        self._checkpoints: list[Checkpoint] = [Checkpoint(state_factory())]
        self._fold: SessionState = state_factory()  # the fold up to the last checkpoint built
        self._batches = BatchIndex()  # which event each log batch of `_fold`'s windows came from
        self._folded = 0
        # Playback times: every gap between events, longer ones shrunk to the limit, summed.
        self._playback: Sequence[float] = times if idle_limit is None else array("d")
        self._grown()
        self._types = self._index.types if self._index is not None else None
        self._markers: list[Marker] | None = None
        self._marker_times: list[float] = []
        self._marker_lock = threading.Lock()
        self._walls: dict[int, datetime | None] = {}
        # Checkpoints may be built on another thread (`sessions.background`) while a seek
        # needs one: whoever holds the lock folds, the other finds it done.
        self._checkpoint_lock = threading.Lock()
        if eager_checkpoints:
            self._ensure_checkpoints(len(events))

    @classmethod
    def open(cls, path: Path, *, lazy: bool = False, delay_s: float = 0.0, **options: Any) -> Timeline:
        """Read a session file (tolerantly, see `reader`) and build its timeline.

        `lazy` (replay): index the file and decode events only as they are needed
        (`sessions.index`), when the file is clean enough for that; otherwise read it whole.

        The garbage collector is paused while ~a million long-lived objects are made, then they
        are moved straight to the oldest generation (`freeze` + `unfreeze`, O(1)) instead of
        being scanned by young collections: that scan would cost ~150 ms, paid as a stutter
        during the first seconds of playback. Nothing is leaked: full collections still see
        them, and unfrozen young garbage is collected by the next full collection instead.
        """
        enabled = gc.isenabled()
        gc.disable()
        try:
            session = open_lazy(path, delay_s=delay_s) if lazy else None
            timeline = cls(session or read_session(path), **options)
        finally:
            if enabled:
                gc.freeze()
                gc.unfreeze()
                gc.enable()
        return timeline

    # ------------------------------------------------------------------ a growing index
    @property
    def complete(self) -> bool:
        """Every event is known (an index still growing on its thread: not yet)."""
        return self._index is None or self._index.complete

    @property
    def index(self) -> SessionIndex | None:
        """The growing index of a lazily read session (None: read whole)."""
        return self._index

    @property
    def failed(self) -> bool:
        """The index met a line only the careful reader takes (the replay reloads that way)."""
        return self._index is not None and self._index.failed

    @property
    def progress(self) -> float:
        """0..1: how much of the file is indexed."""
        return 1.0 if self._index is None else self._index.progress

    @property
    def duration(self) -> float:
        """The last event's offset (of those indexed so far)."""
        times = self.times
        return times[-1] if len(times) else 0.0

    def _expected_count(self) -> int:
        """How many events there will be: known, or estimated from the part indexed so far."""
        index = self._index
        count = len(self.times)
        if index is None or index.complete or not count:
            return count
        return int(count * index.size / max(1, index.scanned - index.offsets[0]))

    @property
    def markers_ready(self) -> bool:
        return self._markers is not None

    @property
    def markers(self) -> list[Marker]:
        """The markers, found on first use (a lazily read session decodes only candidates).

        While the index grows there are none yet (the checkpoint thread finds them once it is
        complete): a marker jump waits for them.
        """
        if self._markers is None:
            if not self.complete:
                return []
            with self._marker_lock:
                if self._markers is None:
                    markers = find_markers(self.events, self._types)
                    self._marker_times = [marker.t for marker in markers]
                    self._markers = markers
        return self._markers

    def places(self) -> frozenset[str]:
        """The steps and sections the recorded checks show their answers in."""
        if self._index is not None:
            return frozenset(self._index.places)
        events = self.events
        return frozenset(
            place for event in events if isinstance(event, CheckResultEvent) for place in event.places
        )

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
        return list(self.events[bisect_right(self.times, t0) : bisect_right(self.times, t1)])

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
        state = self._checkpoints[slot].restore(self.events, self._batches)
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
        note = self._batches.note
        events = self.events
        while len(self._checkpoints) <= wanted:
            start = self._folded
            for index, event in enumerate(events[start : start + every], start):
                apply(event)
                note(index, event, state)
            self._folded = start + every
            self._checkpoints.append(Checkpoint(state, self._batches))

    # ------------------------------------------------------------------ idle limit
    def _grown(self, upto: int | None = None) -> Sequence[float]:
        """The playback times, extended to the first `upto` events (all indexed ones by default).

        Extending is ~0.5 us an event: a 1M-event index landing at once (the sidecar) took one
        0.6 s stall on a loaded machine when the whole of it was extended on the next UI tick.
        So callers ask only for what they need (`playback_time` up to its event, the bar one
        step a tick: `playback_duration_so_far`); a seek by fraction still needs it all."""
        playback = self._playback
        total = len(self.times)
        target = total if upto is None else min(upto, total)
        if self.idle_limit is None or len(playback) >= target:
            return playback
        assert isinstance(playback, array)
        done, limit, times = len(playback), self.idle_limit, self.times
        previous_t, previous_p = (times[done - 1], playback[done - 1]) if done else (0.0, 0.0)
        more = list(islice(times, done, target))
        gaps = map(operator.sub, more, chain((previous_t,), more))
        playback.extend(accumulate(map(min, gaps, repeat(limit)), initial=previous_p))
        playback.pop(done)  # the initial value, already there
        return playback

    @property
    def playback_duration(self) -> float:
        playback = self._grown()
        return playback[-1] if len(playback) else 0.0

    def playback_duration_so_far(self) -> float:
        """The duration for a display that asks every frame: the playback times grow by one
        bounded step a call, so a large index that just landed costs many short ticks, not
        one long one (the bar is a little short meanwhile, as it is while indexing)."""
        playback = self._grown(len(self._playback) + GROW_STEP)
        return playback[-1] if len(playback) else 0.0

    def playback_time(self, t: float) -> float:
        """Recorded time -> playback time (identity without an idle limit)."""
        if self.idle_limit is None:
            return t
        t = self.clamp(t)
        i = bisect_right(self.times, t)
        self._grown(i)  # events[i-1].t <= t < events[i].t
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
        p = max(p, 0.0)
        playback = self._grown(0)
        while len(playback) < len(self.times) and (not len(playback) or playback[-1] < p):
            playback = self._grown(len(playback) + GROW_STEP)  # as far as `p`, no further
        p = min(p, playback[-1] if len(playback) else 0.0)
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
        markers = self.markers
        i = bisect_right(self._marker_times, t + _EPSILON)
        return markers[i] if i < len(self.markers) else None

    def previous_marker(self, t: float) -> Marker | None:
        """The last marker strictly before `t` (so pressing it twice keeps going back)."""
        markers = self.markers
        i = bisect_left(self._marker_times, t - _EPSILON)
        return markers[i - 1] if i > 0 else None

    # ------------------------------------------------------------------ wall clock
    def wall_at(self, t: float) -> datetime | None:
        """The recorded wall-clock (UTC) time at offset `t`, from the nearest event before it.

        Piecewise, because a resumed session's offsets continue while the wall clock jumped.
        """
        if not self.events:
            return parse_iso(self.header.started_at)
        i = max(self.index_at(t) - 1, 0)
        wall = self.wall_of(i)
        return wall + timedelta(seconds=t - self.times[i]) if wall else None

    def time_for(self, text: str) -> float:
        """Place a typed time on the timeline (see `timefind.time_for`)."""
        return time_for(self, text)

    def wall_of(self, index: int) -> datetime | None:
        """The recorded wall-clock time of event `index` (parsed once)."""
        if index not in self._walls:
            self._walls[index] = parse_iso(self.events[index].at)
        return self._walls[index]
