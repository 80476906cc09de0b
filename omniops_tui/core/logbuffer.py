"""What a log pane holds, without Textual: a bounded buffer, its counters, filter, search, lag.

A log stream is endless (50,000 lines/s from one source is a design target), so a pane keeps
only the newest `capacity` lines and says what it could not show. The buffer separates the
*scrollback* (the last `capacity` lines, what a filter or a search can see) from the *pending*
lines (received but not yet drawn); the pane takes pending lines in batches 15 times a
second. Counters answer the questions users of other ops TUIs cannot get answered:

- `received`: lines that came from the stream;
- `dropped`: lines that fell out of the buffer before the pane ever drew them while it was
  paused (the engineer never saw them on screen, though the record has them);
- `skipped`: lines a following pane passed over, overtaken by newer ones within a frame (the
  screen shows the newest; the scrollback and the record keep them): not lost;
- `lag(now)`: how far behind the stream the pane is: the age of the oldest line received but
  not yet drawn (0 when the pane is up to date), and `pending`, how many such lines wait.

`ContextFilter` is `grep -C N` over a stream (it keeps its state between batches, so a filter
applied to live lines gives the same result as one applied to the whole buffer at once), and
`find` is search next/previous over the lines a pane shows. Marker lines (a reconnect's gap)
always pass a filter: they explain a discontinuity whatever the user is looking for.
"""

from __future__ import annotations

import re
import time
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from itertools import accumulate

from omniops_tui.core.log_window import Batch, DeferredWindow, Window

DEFAULT_CAPACITY = 10_000
DEFAULT_CONTEXT = 2
MARKER_PREFIX = "──── "
SEPARATOR = "--"
PREFIX_SEP = " │ "
"""Between the `host source` label and the line itself, in the merged view."""
ERROR_LINE = re.compile(r"\b(?:ERROR|FATAL|CRITICAL)\b")


def is_error_line(line: str) -> bool:
    """An ERROR (or FATAL/CRITICAL) line: what is still recorded past the session's log cap."""
    return ERROR_LINE.search(line) is not None


def error_lines(lines: list[str]) -> list[str]:
    """The ERROR lines of a batch, with work per ERROR line, not per line.

    The words are found in the whole batch joined (C speed); only the lines they fall in are
    matched (a word boundary on both sides), in batch order. Past the record's cap this runs on
    every batch of a firehose, where a per-line regex was the record's largest cost.
    """
    if not lines:
        return []
    text = "\n".join(lines)
    if "ERROR" not in text and "FATAL" not in text and "CRITICAL" not in text:
        return []
    starts = list(accumulate(map((1).__add__, map(len, lines)), initial=0))
    found: set[int] = set()
    for word in ("ERROR", "FATAL", "CRITICAL"):
        at = text.find(word)
        while at >= 0:
            index = bisect_right(starts, at) - 1
            found.add(index)
            at = text.find(word, starts[index + 1]) if index + 1 < len(lines) else -1
    search = ERROR_LINE.search
    return [lines[index] for index in sorted(found) if search(lines[index])]


def is_marker(line: str) -> bool:
    return line.startswith(MARKER_PREFIX)


def gap_marker(gap_s: float, attempts: int, source_id: str = "") -> str:
    """The line written into a pane (live and replayed) where a reconnect left a gap."""
    who = f"{source_id}: " if source_id else ""
    tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
    return f"{MARKER_PREFIX}{who}gap of {gap_s:.0f} s (reconnected after {tries}) ────"


def dropped_marker(count: int) -> str:
    """Written when a pane resumes after the buffer had to drop lines it never showed."""
    return f"{MARKER_PREFIX}{count:,} lines dropped while paused (the buffer keeps the newest) ────"


def compile_pattern(text: str) -> re.Pattern[str]:
    """A user's regex, smart-case like ripgrep: all lowercase means "ignore case".

    Raises ValueError with a one-line message the UI can show (never a traceback).
    """
    flags = 0 if any(c.isupper() for c in text) else re.IGNORECASE
    try:
        return re.compile(text, flags)
    except re.error as exc:
        raise ValueError(f"invalid regex {text!r}: {exc}") from None


class LogBuffer:
    """The newest `capacity` lines of one pane, what it has not drawn yet, and its counters."""

    def __init__(
        self, capacity: int = DEFAULT_CAPACITY, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if capacity < 1:
            raise ValueError("a log buffer needs room for at least one line")
        self.capacity = capacity
        self.clock = clock
        self.received = self.shown = self.dropped = self.skipped = 0
        self.following = False  # set by the pane drawing it: evictions then count as skipped
        self._lines = Window(capacity)
        self._pending = Window(capacity)
        # (arrival time, count) of the batches still pending, oldest first; their counts sum
        # to len(self._pending), so the oldest one's time is the pane's lag.
        self._arrivals: deque[tuple[float, int]] = deque()
        self._arrived = 0

    def append(self, lines: Sequence[str], now: float | None = None, *, prefix: str = "") -> None:
        """Add a batch from the stream (one call per chunk read, never one per line).

        The batch is kept as it is, not copied: the caller must not change it afterwards.
        `prefix` goes before each line when the lines are read (the merged view's label).
        """
        if lines:
            self.received += len(lines)
            self._push(lines, now, prefix)

    def append_marker(self, line: str, now: float | None = None) -> None:
        """Add a line the tool wrote (a gap marker): shown like a line, not counted as received."""
        self._push((line,), now, "")

    def _push(self, lines: Sequence[str], now: float | None, prefix: str) -> None:
        count = len(lines)
        evicted = max(0, count - self.capacity)
        if evicted:
            lines, count = lines[-self.capacity :], self.capacity
        self._lines.extend(lines, prefix)
        evicted += self._pending.extend(lines, prefix)
        if evicted and self.following:
            self.skipped += evicted
        elif evicted:
            self.dropped += evicted
        self._arrivals.append((self.clock() if now is None else now, count))
        self._arrived += count
        self._trim_arrivals()

    def _trim_arrivals(self) -> None:
        excess = self._arrived - len(self._pending)
        arrivals = self._arrivals
        while excess > 0:
            stamp, count = arrivals[0]
            if count <= excess:
                arrivals.popleft()
                self._arrived -= count
                excess -= count
            else:
                arrivals[0] = (stamp, count - excess)
                self._arrived -= excess
                excess = 0

    def take_pending(self) -> list[str]:
        """The lines not drawn yet, oldest first; from now on they count as shown."""
        if not self._pending:
            return []
        taken = self._pending.items()
        self._pending.clear()
        self._arrivals.clear()
        self._arrived = 0
        self.shown += len(taken)
        return taken

    def discard_pending(self) -> int:
        """Forget what is pending without drawing it (a hidden pane is rebuilt when shown)."""
        count = len(self._pending)
        self._pending.clear()
        self._arrivals.clear()
        self._arrived = 0
        return count

    def lines(self) -> list[str]:
        """The scrollback: the newest `capacity` lines, oldest first."""
        return self._lines.items()

    def __len__(self) -> int:
        return len(self._lines)

    @property
    def pending(self) -> int:
        return len(self._pending)

    def lag(self, now: float | None = None) -> float:
        """Seconds the oldest pending line has waited (0 when the pane is up to date)."""
        if not self._arrivals:
            return 0.0
        now = self.clock() if now is None else now
        return max(0.0, now - self._arrivals[0][0])

    def __eq__(self, other: object) -> bool:
        """Same lines and the same stream counters (what was drawn so far is the pane's affair)."""
        if not isinstance(other, LogBuffer):
            return NotImplemented
        return (self.capacity, self.received, self.dropped, self._lines.items()) == (
            other.capacity,
            other.received,
            other.dropped,
            other._lines.items(),
        )

    __hash__ = None  # type: ignore[assignment]  # mutable: equal buffers may change apart

    def snapshot(self) -> LogBuffer:
        """An independent copy of the scrollback and counters, with nothing pending (a replay
        checkpoint: the pane showing it redraws from the scrollback)."""
        copied = LogBuffer(self.capacity, clock=self.clock)
        copied.received, copied.shown, copied.dropped = self.received, self.shown, self.dropped
        copied.skipped = self.skipped
        copied._lines = self._lines.copy()
        return copied

    def batches(self) -> list[Batch]:
        """The scrollback as the batches it holds, oldest first (a replay checkpoint keeps
        which events they came from instead of the lines)."""
        return self._lines.batches()

    def defer(self, count: int, load: Callable[[], Iterable[Batch]]) -> None:
        """An empty buffer's scrollback is `count` lines that `load` gives back as batches
        when first read (a replayed state: see `DeferredWindow`); the stream may go on."""
        if self._lines or self._pending:
            raise ValueError("only an empty buffer's scrollback can be deferred")
        self._lines = DeferredWindow(self.capacity, count, load)

    @property
    def deferred(self) -> bool:
        """The scrollback is still to be read back (nothing has looked at it yet)."""
        return isinstance(self._lines, DeferredWindow) and self._lines.deferred

    def clear(self) -> None:
        """Empty the scrollback (counters stay: they describe the stream, not the view)."""
        self._lines.clear()
        self.discard_pending()


class ContextFilter:
    """`grep -C context PATTERN` over a stream of batches, with `--` between groups."""

    def __init__(
        self, pattern: re.Pattern[str], context: int = DEFAULT_CONTEXT, *, prefixed: bool = False
    ) -> None:
        self.pattern = pattern
        self.context = max(0, context)
        self.prefixed = prefixed  # merged-view lines: match the line, never its `host source` label
        self.matches = 0
        self._before: deque[str] = deque(maxlen=self.context or None)
        self._after = 0
        self._skipped = 0  # lines not emitted since the last emitted one
        self._emitted = False

    def feed(self, lines: Iterable[str]) -> list[str]:
        """The lines to show for this batch: matches, their context, separators, markers."""
        out: list[str] = []
        search = self.pattern.search
        before = self._before
        context = self.context
        prefixed = self.prefixed
        for line in lines:
            matched = search(body(line) if prefixed else line) is not None
            if matched or line.startswith(MARKER_PREFIX):
                if matched:
                    self.matches += 1
                if self._emitted and self._skipped > len(before):
                    out.append(SEPARATOR)
                if before:
                    out.extend(before)
                    before.clear()
                out.append(line)
                self._after = context
                self._skipped = 0
                self._emitted = True
            elif self._after > 0:
                out.append(line)
                self._after -= 1
            else:
                if context:
                    before.append(line)
                self._skipped += 1
        return out


def body(line: str) -> str:
    """A merged-view line without its `host source │ ` label."""
    cut = line.find(PREFIX_SEP)
    return line[cut + len(PREFIX_SEP) :] if cut >= 0 else line


def filter_lines(
    lines: Iterable[str], pattern: re.Pattern[str], context: int = DEFAULT_CONTEXT, *, prefixed: bool = False
) -> list[str]:
    """Matching lines with `context` lines around them, the way a pane shows a filter."""
    return ContextFilter(pattern, context, prefixed=prefixed).feed(lines)


def find(
    lines: Sequence[str],
    pattern: re.Pattern[str],
    start: int,
    *,
    backward: bool = False,
    prefixed: bool = False,
) -> tuple[int, bool] | None:
    """The next line after `start` (or before it, `backward`) that matches, wrapping around.

    Returns (index, wrapped) or None when nothing matches. `start` may be -1 or len(lines) to
    search from an end. Separator and marker lines never match.
    """
    count = len(lines)
    if not count:
        return None
    plain = pattern.search

    def search(line: str) -> re.Match[str] | None:
        return plain(body(line) if prefixed else line)

    step = -1 if backward else 1
    first = start + step
    order = range(first, -1, -1) if backward else range(max(first, 0), count)
    for index in order:
        if 0 <= index < count and _searchable(lines[index]) and search(lines[index]):
            return index, False
    wrap = range(count - 1, max(start, 0) - 1, -1) if backward else range(0, min(start + 1, count))
    for index in wrap:
        if _searchable(lines[index]) and search(lines[index]):
            return index, True
    return None


def count_matches(lines: Iterable[str], pattern: re.Pattern[str]) -> int:
    search = pattern.search
    return sum(1 for line in lines if _searchable(line) and search(line))


def _searchable(line: str) -> bool:
    return line != SEPARATOR and not line.startswith(MARKER_PREFIX)
