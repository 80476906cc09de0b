"""How much of the logs the record keeps: everything up to a per-session cap, then ERROR lines.

At 50,000 lines/s a session file would grow by gigabytes an hour, so the record has a budget
(50 MB by default). The panes still show every line; this only decides what is written:
`admit(lines)` says which lines of a batch go to the record, and whether this batch spent the
budget (the engine then records `log_record_capped` once and tells the engineer).
"""

from __future__ import annotations

from dataclasses import dataclass

from omniops_tui.core.logbuffer import error_lines

DEFAULT_CAP_MB = 50.0


def cap_bytes_of(megabytes: float) -> int:
    return max(0, int(megabytes * 1_000_000))


@dataclass(frozen=True, slots=True)
class Admitted:
    """What of a batch the record keeps: `kept` in full (within the budget), then `errors`, the
    ERROR lines of the rest (past the budget). `capped_now`: this batch spent the budget."""

    kept: list[str]
    errors: list[str]
    capped_now: bool


class LogRecordCap:
    """The session's log budget, spent batch by batch."""

    def __init__(self, cap_bytes: int) -> None:
        self.cap_bytes = cap_bytes
        self.bytes_recorded = 0
        self.lines_recorded = 0
        self.capped = False

    def admit(self, lines: list[str]) -> Admitted:
        if self.capped:
            return self._count(Admitted([], error_lines(lines), False))
        size = _text_bytes(lines)
        room = self.cap_bytes - self.bytes_recorded
        if size <= room:
            return self._count(Admitted(lines, [], False), size)
        fits, _used = _prefix_within(lines, room)
        self.capped = True
        return self._count(Admitted(lines[:fits], error_lines(lines[fits:]), True))

    def _count(self, admitted: Admitted, kept_bytes: int | None = None) -> Admitted:
        """Add what the record keeps to the totals (`kept_bytes`: the kept lines' size, when
        the caller has measured it already: a whole batch is not measured twice)."""
        self.bytes_recorded += _text_bytes(admitted.kept) if kept_bytes is None else kept_bytes
        self.bytes_recorded += _text_bytes(admitted.errors)
        self.lines_recorded += len(admitted.kept) + len(admitted.errors)
        return admitted


def _text_bytes(lines: list[str]) -> int:
    """UTF-8 bytes of the lines' text (newlines not counted): what the cap is measured in.
    ASCII text (most logs) is as many bytes as characters, known without encoding it."""
    text = "".join(lines)
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def _prefix_within(lines: list[str], room: int) -> tuple[int, int]:
    """How many leading lines fit in `room` bytes, and their size."""
    used = 0
    for index, line in enumerate(lines):
        size = len(line.encode("utf-8"))
        if used + size > room:
            return index, used
        used += size
    return len(lines), used
