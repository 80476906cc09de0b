"""A log buffer's newest lines, held as the batches they arrived in (see `LogBuffer`).

Split out of logbuffer.py (which holds the counters, filter and search) for the second kind of
window: `DeferredWindow`, a replayed scrollback read back from the session only when a pane
first looks at it. A seek lands on a state with several log buffers (one per source and the
merged view) of up to 10,000 lines each; the logs screen shows one pane at a time, and many
seeks land on screens that show none, so decoding every buffer's batches on each seek was most
of a seek's cost.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any

Batch = tuple[str, Sequence[str], int]
"""(prefix, lines, index of the first line still held): one arrival, as a window holds it."""


class Window:
    """The newest `capacity` lines, held as the batches they arrived in (no copy per line).

    At a firehose's rate a deque of lines cost a Python-level copy of every line twice (the
    scrollback and the pending lines) and the merged view a prefixed copy of every line, for
    lines of which a pane draws a few. Batches are kept by reference with an offset into the
    oldest one; the lines (and their prefixes) are made only when read.
    """

    __slots__ = ("_chunks", "_count", "capacity")

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._chunks: deque[list[Any]] = deque()  # [prefix, lines, first index still held]
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def extend(self, lines: Sequence[str], prefix: str) -> int:
        """Add a batch; returns how many of the oldest lines fell out to make room."""
        if not lines:
            return 0
        self._chunks.append([prefix, lines, 0])
        self._count += len(lines)
        evicted = excess = self._count - self.capacity
        if excess <= 0:
            return 0
        chunks = self._chunks
        while excess > 0:
            oldest = chunks[0]
            left = len(oldest[1]) - oldest[2]
            if left <= excess:
                chunks.popleft()
                excess -= left
            else:
                oldest[2] += excess
                excess = 0
        self._count = self.capacity
        return evicted

    def batches(self) -> list[Batch]:
        """The batches held, oldest first (shared, never changed: a replay checkpoint refers
        to them by the events they came from)."""
        return [(prefix, lines, start) for prefix, lines, start in self._chunks]

    def items(self) -> list[str]:
        """The lines held, oldest first, each with its batch's prefix."""
        out: list[str] = []
        for prefix, lines, start in self._chunks:
            part = lines[start:] if start else lines
            out.extend(prefixed(prefix, part) if prefix else part)
        return out

    def clear(self) -> None:
        self._chunks.clear()
        self._count = 0

    def copy(self) -> Window:
        """An independent window over the same (shared, never changed) batches."""
        copied = Window(self.capacity)
        copied._chunks.extend([list(chunk) for chunk in self._chunks])
        copied._count = self._count
        return copied


class DeferredWindow(Window):
    """A window whose first `count` lines are read back by `load` when first looked at.

    Until then its length is known and batches added are queued (how many lines fall out is
    arithmetic), so a replay folding the events after a checkpoint does not read the
    checkpoint's lines. Once the queued lines alone fill the window, the deferred ones would
    all fall out: they are never read, and the queue never holds more than a window's worth.
    `_chunks` stays unset until then: any use of it by `Window`'s methods loads first.
    """

    __slots__ = ("_load", "_queued", "_queued_lines")

    def __init__(self, capacity: int, count: int, load: Callable[[], Iterable[Batch]]) -> None:
        self.capacity = capacity
        self._count = min(count, capacity)
        self._load: Callable[[], Iterable[Batch]] | None = load
        self._queued: list[tuple[Sequence[str], str]] = []
        self._queued_lines = 0

    def __getattr__(self, name: str) -> Any:
        """`_chunks` asked for before the load (an unset slot lands here): load, then answer."""
        if name != "_chunks":
            raise AttributeError(name)
        self._fill(self._load)
        return self._chunks

    @property
    def deferred(self) -> bool:
        """The deferred lines are not read yet."""
        return self._load is not None

    def extend(self, lines: Sequence[str], prefix: str) -> int:
        if self._load is None:
            return Window.extend(self, lines, prefix)
        if not lines:
            return 0
        self._queued.append((lines, prefix))
        self._queued_lines += len(lines)
        self._count += len(lines)
        evicted = self._count - self.capacity
        if evicted <= 0:
            return 0
        self._count = self.capacity
        if self._queued_lines >= self.capacity:
            self._fill(None)  # the queued lines fill the window: nothing deferred is left in it
        return evicted

    def clear(self) -> None:
        self._load, self._queued, self._queued_lines = None, [], 0
        self._chunks = deque()
        self._count = 0

    def _fill(self, load: Callable[[], Iterable[Batch]] | None) -> None:
        """The deferred batches (none when `load` is None), then the queued ones, in order."""
        queued = self._queued
        self._load, self._queued, self._queued_lines = None, [], 0
        self._chunks = deque([prefix, lines, start] for prefix, lines, start in (load() if load else ()))
        self._count = sum(len(lines) - start for _prefix, lines, start in self._chunks)
        for lines, prefix in queued:
            Window.extend(self, lines, prefix)


def prefixed(prefix: str, lines: Sequence[str]) -> list[str]:
    """`prefix + line` for each line, by one join and one split (C speed) when no line holds a
    newline of its own (always, for lines a stream split): the merged view of a firehose was a
    per-line Python loop on the event loop."""
    if not lines:
        return []
    text = prefix + ("\n" + prefix).join(lines)
    if text.count("\n") == len(lines) - 1:
        return text.split("\n")
    return [prefix + line for line in lines]
