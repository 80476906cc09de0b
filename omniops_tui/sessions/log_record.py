"""Log lines into the session record: batched per source, bounded per session.

At 50,000 lines/s one event per line would be 50,000 JSON writes a second; instead each
source's lines are collected and written as one `LogLines` event per flush (the owner flushes
every ~0.5 s), or as soon as a source has `BATCH_LINES` queued, so that no single write (JSON
encoding on the event loop) takes long enough to delay a key press.

The record keeps at most `cap_bytes` of line text (UTF-8 bytes, config `log_record_cap_mb`,
50 MB by default); the batch that crosses the cap is cut at it, one
`LogRecordCapped` event says so, and from then on only ERROR lines are recorded
(`errors_only=True`), so an incident's errors survive an endless INFO stream.

No Textual; `record` is the app's one write path (or anything with the same signature).
"""

from __future__ import annotations

from collections.abc import Callable

from omniops_tui.core.events import Event, LogLines, LogRecordCapped
from omniops_tui.core.logbuffer import error_lines

DEFAULT_CAP_MB = 50.0
BATCH_LINES = 5_000  # a source's queue is written at once when it gets this long


def cap_bytes_of(megabytes: float) -> int:
    return max(0, int(megabytes * 1_000_000))


class LogRecorder:
    """Collects lines per source and writes them as `LogLines` events on `flush()`."""

    def __init__(
        self,
        record: Callable[[Event], object],
        cap_bytes: int,
        on_capped: Callable[[int], None] | None = None,
    ) -> None:
        self.record = record
        self.cap_bytes = cap_bytes
        self.on_capped = on_capped
        self.bytes_recorded = 0
        self.lines_recorded = 0
        self.capped = False
        self._pending: dict[str, tuple[str, list[str]]] = {}

    def add(self, source_id: str, host: str, lines: list[str]) -> None:
        """Queue a batch; past the cap only its ERROR lines are kept (and queued)."""
        if self.capped:
            lines = error_lines(lines)
            if not lines:
                return
        queued = self._pending.get(source_id)
        if queued is None:
            queued = self._pending[source_id] = (host, list(lines))
        else:
            queued[1].extend(lines)
        if len(queued[1]) >= BATCH_LINES:
            self.flush(source_id)

    def flush(self, source_id: str | None = None) -> None:
        """Write what is queued (for one source, or all): one event per source."""
        ids = [source_id] if source_id is not None else list(self._pending)
        for key in ids:
            queued = self._pending.pop(key, None)
            if queued is not None and queued[1]:
                self._write(key, *queued)

    def _write(self, source_id: str, host: str, lines: list[str]) -> None:
        if self.capped:  # queued before the cap was reached: keep only its ERROR lines
            errors = error_lines(lines)
            if errors:
                self._emit(source_id, host, errors, errors_only=True)
            return
        size = _text_bytes(lines)
        room = self.cap_bytes - self.bytes_recorded
        if size <= room:
            self._emit(source_id, host, lines, errors_only=False, size=size)
            return
        fits, used = _prefix_within(lines, room)
        if fits:
            self._emit(source_id, host, lines[:fits], errors_only=False, size=used)
        self.capped = True
        self.record(LogRecordCapped(cap_bytes=self.cap_bytes))
        if self.on_capped is not None:
            self.on_capped(self.cap_bytes)
        errors = error_lines(lines[fits:])
        if errors:
            self._emit(source_id, host, errors, errors_only=True)

    def _emit(
        self, source_id: str, host: str, lines: list[str], *, errors_only: bool, size: int | None = None
    ) -> None:
        self.bytes_recorded += _text_bytes(lines) if size is None else size
        self.lines_recorded += len(lines)
        self.record(LogLines(source_id=source_id, host=host, lines=lines, errors_only=errors_only))


def _text_bytes(lines: list[str]) -> int:
    """UTF-8 bytes of the lines' text (newlines not counted): what the cap is measured in."""
    return len("".join(lines).encode("utf-8"))


def _prefix_within(lines: list[str], room: int) -> tuple[int, int]:
    """How many leading lines fit in `room` bytes, and their size."""
    used = 0
    for index, line in enumerate(lines):
        size = len(line.encode("utf-8"))
        if used + size > room:
            return index, used
        used += size
    return len(lines), used
