"""Replay checkpoints that stay small: counters and references, not copies of log windows.

A checkpoint used to be a full `SessionState.snapshot()`: each held its own log windows (up to
10,000 lines per source and the merged view) and copies of every append-only list. At 1M events
that was ~10 MB a checkpoint and 1.3 GB in all, almost all of it log lines no seek would show.

A `Checkpoint` keeps instead:
- the small state (items, checks, places, metric series, criteria, commands) as a snapshot;
- the append-only lists (notes, milestones, copied commands, runbooks started, the wizard's
  history) as a reference to the fold's own list and a length: the fold only ever appends to
  them, so the first `length` items are the checkpoint's, whatever came after;
- each log window as the event indices of its batches (an `array('i')`, 4 bytes a batch), the
  prefixes and the offset into the oldest batch. A restored state's log buffers are deferred
  (`LogBuffer.defer`): each reads its own batches' lines back from the session the first time
  it is looked at (`LazyEvents.lines_of`: one read of the span, only the lines decoded), so a
  seek pays for the one pane the logs screen shows, and for none on the other screens;
- each metric series as a count into the fold's compact log of its points (checkpoint_series).

`BatchIndex` is how the fold knows which event a batch in a window came from: the timeline
registers each `log_lines` event's list as it folds it (the window keeps that very list).
"""

from __future__ import annotations

from array import array
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from typing import Any

from omniops_tui.core.events import Event, LogLines, MetricBackfill, MetricSample
from omniops_tui.core.logbuffer import Batch, LogBuffer
from omniops_tui.logic.history import SERIES_LENGTH, MetricHistory, Point
from omniops_tui.sessions.checkpoint_series import Labels, PointLog
from omniops_tui.sessions.projections.logs import LogView, SourceLog
from omniops_tui.sessions.state import SessionState

RECENT_POINTS = 4  # checkpoints whose made points are kept for the next restores

APPEND_ONLY = ("notes", "runbooks_started", "copied", "milestones")
"""SessionState's lists the fold only appends to (state.py): shared, cut to length on restore."""


class BatchIndex:
    """What the fold made, for checkpoints to refer to instead of copying.

    - id(batch list) -> (event index, the list): which event a window's batch came from;
    - per metric series, every point the fold added, in order (compact): a checkpoint's series
      is then the last 240 points up to a length (unless a fetched history was merged into it).
    """

    def __init__(self) -> None:
        self._by_id: dict[int, tuple[int, Sequence[str]]] = {}
        self.points: dict[tuple[str, str], PointLog] = {}
        self.labels = Labels()
        self.merged_metrics: set[str] = set()  # a backfill re-sorted these: copied, not shared
        # The points last made for a few checkpoints (steps and marker jumps come back to the
        # same ones): shared by the states restored from them, as the fold's points were.
        self.made: OrderedDict[int, list[list[Point]]] = OrderedDict()

    def note(self, index: int, event: Event, state: SessionState | None = None) -> None:
        """Called by the fold after each event; remembers log batches and metric points."""
        kind = type(event)
        if kind is LogLines:
            lines = event.lines  # type: ignore[attr-defined]
            self._by_id[id(lines)] = (index, lines)
        elif kind is MetricSample and state is not None:
            key = (event.metric, event.host)  # type: ignore[attr-defined]
            series = state.metrics.series.get(key)
            if series:
                log = self.points.get(key)
                if log is None:
                    log = self.points[key] = PointLog()
                log.add(series[-1], self.labels)
        elif kind is MetricBackfill:
            self.merged_metrics.add(event.metric)  # type: ignore[attr-defined]

    def find(self, lines: Sequence[str]) -> int:
        """The event index of `lines`, or -1 (a sliced batch, a gap marker: kept as they are)."""
        found = self._by_id.get(id(lines))
        return found[0] if found is not None and found[1] is lines else -1

    def keep_only(self, ids: set[int]) -> None:
        """Forget the batches no window holds any more (bounded by the windows' size)."""
        self._by_id = {key: value for key, value in self._by_id.items() if key in ids}


class _Window:
    """One log buffer's scrollback as event indices (see the module doc): ~9 bytes a batch."""

    __slots__ = ("codes", "count", "extras", "indices", "start")

    def __init__(
        self, buffer: LogBuffer, batches: BatchIndex, seen: set[int], prefixes: dict[str, int]
    ) -> None:
        chunks = buffer.batches()
        self.indices = array("i")  # 4 bytes a batch: event indices stay below 2**31
        self.codes: array[int] | None = None  # the prefix of each batch (the merged view's)
        self.extras: dict[int, Sequence[str]] | None = None  # batches not from one event
        self.start = chunks[0][2] if chunks else 0
        self.count = len(buffer)
        find, append = batches.find, self.indices.append
        for position, (prefix, lines, _start) in enumerate(chunks):
            index = find(lines)
            append(index)
            if prefix:
                if self.codes is None:
                    self.codes = array("H", bytes(2 * position))
                self.codes.append(prefixes.setdefault(prefix, len(prefixes)))
            elif self.codes is not None:
                self.codes.append(prefixes.setdefault("", len(prefixes)))
            if index < 0:
                if self.extras is None:
                    self.extras = {}
                self.extras[position] = lines
            else:
                seen.add(id(lines))

    def batches(self, lines_of: dict[int, Sequence[str]], prefixes: tuple[str, ...]) -> list[Batch]:
        """The window's batches again, their lines read back (`lines_of`: by event index)."""
        extras = self.extras or {}
        codes = self.codes
        start = self.start
        out: list[Batch] = []
        append = out.append
        for position, index in enumerate(self.indices):
            lines = extras[position] if index < 0 else lines_of[index]
            prefix = prefixes[codes[position]] if codes is not None else ""
            append((prefix, lines, start if position == 0 else 0))
        return out


def _counters(buffer: LogBuffer) -> tuple[int, int, int]:
    return buffer.received, buffer.shown, buffer.dropped


def _buffer(capacity: int, counters: tuple[int, int, int]) -> LogBuffer:
    """An empty buffer with a checkpoint's counters (its scrollback is filled on restore)."""
    made = LogBuffer(capacity)
    made.received, made.shown, made.dropped = counters
    return made


class Checkpoint:
    """The state after some number of events, kept small (see the module doc)."""

    __slots__ = ("capped", "lists", "merged", "prefixes", "series", "shell", "sources", "windows")

    def __init__(self, state: SessionState, batches: BatchIndex | None = None) -> None:
        shared = {name: getattr(state, name) for name in APPEND_ONLY}
        history = state.wizard.history
        self.lists: dict[str, tuple[list[Any], int]] = {
            name: (value, len(value)) for name, value in shared.items()
        }
        self.lists["wizard.history"] = (history, len(history))
        logs = state.logs
        # The small rest, copied as a snapshot copies it, with the big parts left out.
        for name in APPEND_ONLY:
            setattr(state, name, [])
        metrics = state.metrics
        self.series = _series(metrics, batches)
        state.wizard.history, state.logs = [], LogView(logs.capacity)
        state.metrics = MetricHistory({}, metrics.queries)
        try:
            self.shell = state.snapshot()
        finally:
            for name, value in shared.items():
                setattr(state, name, value)
            state.wizard.history, state.logs, state.metrics = history, logs, metrics
        # The log panes: their counters and states, and their windows as event indices.
        self.capped = (logs.capacity, logs.capped, logs.cap_bytes)
        self.merged = _counters(logs.merged)
        self.sources = tuple(
            (key, s.host, s.status, s.reason, s.errors_only, s.retry_at, _counters(s.buffer))
            for key, s in logs.sources.items()
        )
        seen: set[int] = set()
        finder = batches or BatchIndex()
        prefixes: dict[str, int] = {"": 0}
        windows = [_Window(s.buffer, finder, seen, prefixes) for s in logs.sources.values()]
        windows.append(_Window(logs.merged, finder, seen, prefixes))
        self.windows = tuple(windows)
        self.prefixes = tuple(prefixes)
        if batches is not None:
            batches.keep_only(seen)

    @property
    def capacity(self) -> int:
        return self.capped[0]

    def restore(self, events: Sequence[Event], batches: BatchIndex | None = None) -> SessionState:
        """An independent state equal to the one this checkpoint was made from (its log
        buffers deferred: read back from `events` when first looked at)."""
        state = self.shell.snapshot()
        for (key, _shared, _kept), points in zip(self.series, self._points(batches), strict=True):
            state.metrics.series[key] = deque(points, maxlen=SERIES_LENGTH)
        for name, (shared, length) in self.lists.items():
            if name == "wizard.history":
                state.wizard.history = shared[:length]
            else:
                setattr(state, name, shared[:length])
        state.logs = self.logs_view(events)
        return state

    def _points(self, batches: BatchIndex | None) -> list[list[Point]]:
        """Each series' points, made from the fold's compact log (or kept as they were)."""
        made = batches.made if batches is not None else None
        found = made.get(id(self)) if made is not None else None
        if found is not None:
            made.move_to_end(id(self))  # type: ignore[union-attr]
            return found
        labels = batches.labels if batches is not None else Labels()
        found = [
            list(kept) if shared is None else shared.tail(kept, labels) for _key, shared, kept in self.series
        ]
        if made is not None:
            made[id(self)] = found
            while len(made) > RECENT_POINTS:
                made.popitem(last=False)
        return found

    def logs_view(self, events: Sequence[Event]) -> LogView:
        """The log panes at this checkpoint: counters and states now, each buffer's lines read
        back from the session when that buffer is first read (one pane at a time)."""
        capacity, capped, cap_bytes = self.capped
        sources = {
            key: SourceLog(key, host, _buffer(capacity, counters), status, reason, errors_only, retry_at)
            for key, host, status, reason, errors_only, retry_at, counters in self.sources
        }
        logs = LogView(capacity, sources, _buffer(capacity, self.merged), capped, cap_bytes)
        buffers = [source.buffer for source in sources.values()] + [logs.merged]
        read: dict[int, Sequence[str]] = {}  # shared by the buffers: a batch is decoded once
        for buffer, window in zip(buffers, self.windows, strict=True):
            if window.count:
                buffer.defer(window.count, _loader(window, events, read, self.prefixes))
        return logs


def _loader(
    window: _Window, events: Sequence[Event], read: dict[int, Sequence[str]], prefixes: tuple[str, ...]
) -> Callable[[], list[Batch]]:
    def load() -> list[Batch]:
        wanted = {index for index in window.indices if index >= 0 and index not in read}
        if wanted:
            read.update(_lines_of(events, wanted))
        return window.batches(read, prefixes)

    return load


def _series(metrics: MetricHistory, batches: BatchIndex | None) -> tuple[Any, ...]:
    """Each series as (key, the fold's log of its points, length), or (key, None, a copy)
    when it is not the tail of that log (a fetched history was merged in)."""
    out: list[tuple[Any, ...]] = []
    for key, series in metrics.series.items():
        shared = batches.points.get(key) if batches is not None else None
        if (
            shared is not None
            and key[0] not in batches.merged_metrics  # type: ignore[union-attr]
            and len(series) == min(len(shared), SERIES_LENGTH)
            and series[-1] is shared.last
        ):
            out.append((key, shared, len(shared)))
        else:
            out.append((key, None, tuple(series)))
    return tuple(out)


def _lines_of(events: Sequence[Event], indices: set[int]) -> dict[int, Sequence[str]]:
    reader = getattr(events, "lines_of", None)
    if reader is not None:
        found: dict[int, Sequence[str]] = reader(indices)
        return found
    out: dict[int, Sequence[str]] = {}
    for index in indices:
        event = events[index]
        out[index] = event.lines if isinstance(event, LogLines) else []
    return out
