"""A host's output: as shown (`RunOutput`) and on its way to the record (`OutputBatcher`).

`RunOutput` keeps the newest `DISPLAY_LINES` lines with control characters made visible, so a
100 MB flood costs a few hundred KB, and tells its listeners (the headless printer) each piece.

`command_output` events are cut at line ends (a secret is never split across two events, so the
recorder's redactor sees it whole) and at most `FLUSH_BYTES` long. A batch goes out when it is
that big, when `FLUSH_INTERVAL_S` has passed since the last one, and at the end. Time is also
kept by a timer, not only by the next read: output followed by silence (`echo started; tail -f`)
reaches the record, and the output pane that reads the fold, within the interval. A partial
line without an end waits for its end (or the size, or the end of the run).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

from omniops_tui.core.text import visible

DISPLAY_LINES = 2000
FLUSH_BYTES = 32 * 1024
FLUSH_INTERVAL_S = 0.25


class RunOutput:
    """One host's output as shown: the newest `max_lines` lines, control characters visible."""

    def __init__(self, max_lines: int = DISPLAY_LINES) -> None:
        self.lines: deque[str] = deque(maxlen=max_lines)
        self.partial = ""
        self.total_bytes = 0
        self.total_lines = 0
        self.listeners: list[Callable[[str], None]] = []

    def feed(self, text: str) -> None:
        self.total_bytes += len(text.encode("utf-8", errors="replace"))
        shown = visible(text)
        joined = self.partial + shown
        ended = joined.count("\n")
        keep = self.lines.maxlen or ended
        # Split only the lines that can be kept: a 64 KiB read of a flood is 32,000 lines.
        pieces = joined.rsplit("\n", min(ended, keep + 1))
        self.partial = pieces.pop()
        if ended > keep + 1:
            pieces.pop(0)  # the older lines, joined: gone from the display anyway
        if len(self.partial) > 4096:  # a line without end (a progress bar) is still shown
            pieces.append(self.partial)
            self.partial = ""
            ended += 1
        self.lines.extend(pieces)
        self.total_lines += ended
        for listener in list(self.listeners):
            listener(shown)

    @property
    def dropped(self) -> int:
        """Lines no longer kept for display (the pane can say so)."""
        return max(0, self.total_lines - len(self.lines))

    def text(self) -> str:
        return "\n".join([*self.lines, self.partial] if self.partial else self.lines)

    def tail(self, lines: int = 5, chars: int = 400) -> str:
        kept = [*list(self.lines)[-lines:], *([self.partial] if self.partial else [])][-lines:]
        return "\n".join(kept)[-chars:]


class OutputBatcher:
    """Feed text as it is read; `flush(chunk)` is called with each batch. `close()` at the end."""

    def __init__(
        self, flush: Callable[[str], None], *, interval: float = FLUSH_INTERVAL_S, size: int = FLUSH_BYTES
    ) -> None:
        self._flush = flush
        self._interval = interval
        self._size = size
        self._pending: list[str] = []
        self._pending_len = 0
        self._has_line = False  # a whole line is pending (a partial one waits for its end)
        self._last = time.monotonic()
        self._timer: asyncio.TimerHandle | None = None

    def feed(self, text: str) -> None:
        if not text:
            return
        self._pending.append(text)
        self._pending_len += len(text)
        self._has_line = self._has_line or "\n" in text
        self._send(due=time.monotonic() - self._last >= self._interval)

    def close(self) -> None:
        """The run ended: everything pending goes out, partial line included."""
        self._cancel()
        if self._pending_len:
            self._emit(self._join())

    def _send(self, *, due: bool) -> None:
        if self._pending_len < self._size and not (due and self._has_line):
            if self._has_line:
                self._arm()
            return
        joined = self._join()
        cut = joined.rfind("\n") + 1 or len(joined)  # no line end in a full batch: cut it anyway
        rest = joined[cut:]
        if rest:
            self._pending, self._pending_len = [rest], len(rest)
        self._emit(joined[:cut])

    def _join(self) -> str:
        joined = "".join(self._pending)
        self._pending, self._pending_len, self._has_line = [], 0, False
        return joined

    def _emit(self, chunk: str) -> None:
        self._last = time.monotonic()
        self._cancel()
        self._flush(chunk)

    def _arm(self) -> None:
        if self._timer is None:
            delay = max(0.0, self._interval - (time.monotonic() - self._last))
            self._timer = asyncio.get_running_loop().call_later(delay, self._due)

    def _due(self) -> None:
        self._timer = None
        self._send(due=True)

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
