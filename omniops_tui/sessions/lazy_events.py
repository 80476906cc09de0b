"""The events of an indexed session, decoded from the file a block at a time on demand.

`LazyEvents` stands in for the list of events of a `SessionFile` (`sessions.index` finds where
each line starts): a seek or the checkpoint fold decodes the blocks it needs and keeps a few.
The index may still be growing (indexed on a background thread): the length is what is
indexed so far. A file rewritten while it is replayed (its size or time changed and a line no
longer decodes, or a read comes back short) is refused with one clear line, not a traceback.
"""

from __future__ import annotations

import json
import os
import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol, overload

from omniops_tui.core.errors import UserError
from omniops_tui.core.events import Event, EventFieldError, from_record


class SessionIndex(Protocol):
    """What `LazyEvents` reads of `sessions.index.SessionIndex` (no import: no cycle)."""

    path: Path
    offsets: array[int]
    times: array[float]
    types: list[str]
    complete: bool

    def changed_error(self) -> UserError | None: ...


BLOCK = 512  # events decoded together; a seek decodes at most two blocks beyond its checkpoint
CACHED_BLOCKS = 8  # ~1 MB decoded each: a seek needs 2-3, the checkpoint thread 1
_SCAN: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


class LazyEvents(Sequence[Event]):
    """The events of an indexed session, decoded a block at a time and cached (a few blocks)."""

    def __init__(self, index: SessionIndex) -> None:
        self.source = index
        self.times = index.times
        self.types = index.types
        self._fd = os.open(index.path, os.O_RDONLY)
        self._blocks: OrderedDict[int, list[Event]] = OrderedDict()
        self._lock = threading.Lock()  # the checkpoint thread and a seek may both decode

    def __del__(self) -> None:
        fd = getattr(self, "_fd", None)
        if fd is not None:
            os.close(fd)

    def __len__(self) -> int:
        return len(self.times)

    @overload
    def __getitem__(self, item: int) -> Event: ...

    @overload
    def __getitem__(self, item: slice) -> list[Event]: ...

    def __getitem__(self, item: int | slice) -> Event | list[Event]:
        count = len(self.times)
        if isinstance(item, slice):
            start, stop, step = item.indices(count)
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            out: list[Event] = []
            while start < stop:
                block, first = divmod(start, BLOCK)
                events = self._block(block)
                take = min(stop - start, BLOCK - first)
                out.extend(events[first : first + take])
                start += take
            return out
        if item < 0:
            item += count
        if not 0 <= item < count:
            raise IndexError("event index out of range")
        return self._block(item // BLOCK)[item % BLOCK]

    def __iter__(self) -> Iterator[Event]:
        for block in range((len(self.times) + BLOCK - 1) // BLOCK):
            yield from self._block(block)

    def one(self, item: int) -> Event:
        """One event, decoded alone and not cached: for scattered reads (the marker scan)."""
        block = self._blocks.get(item // BLOCK)
        if block is not None:
            return block[item % BLOCK]
        return self._decode(item, item + 1)[0]

    def lines_of(self, indices: set[int]) -> dict[int, Sequence[str]]:
        """The `lines` of these `log_lines` events (a checkpoint's log windows, on a seek).

        One read of the span they lie in; only their lines are decoded, and only their `lines`
        field is kept (no event objects): a window of 10,000 lines is ~1,000 batches.
        """
        out: dict[int, Sequence[str]] = {}
        missing: list[int] = []
        blocks = self._blocks
        for index in indices:
            block = blocks.get(index // BLOCK)
            if block is not None:
                out[index] = getattr(block[index % BLOCK], "lines", ())
            else:
                missing.append(index)
        if not missing:
            return out
        missing.sort()
        offsets = self.source.offsets
        base = offsets[missing[0]]
        data = os.pread(self._fd, offsets[missing[-1] + 1] - base, base)
        scan, find = _SCAN, data.find
        for index in missing:
            start, stop = offsets[index] - base, offsets[index + 1] - base - 1
            # Only the `lines` array is decoded (most of the line; not the keys before it): a
            # quote inside a JSON string is escaped, so the first `"lines":[` is the key.
            at = find(b'"lines":[', start, stop)
            try:
                if at < 0:
                    raise ValueError("no lines")
                lines, _end = scan(data[at + 8 : stop].decode("utf-8"), 0)
                if type(lines) is not list:
                    raise ValueError("not a list")
            except Exception:  # the careful path names the line (or the rewritten file)
                lines = getattr(self._decode(index, index + 1)[0], "lines", ())
            out[index] = lines
        return out

    def _block(self, block: int) -> list[Event]:
        events = self._blocks.get(block)
        if events is not None:
            return events
        events = self._decode(block * BLOCK, min((block + 1) * BLOCK, len(self.times)))
        if len(events) < BLOCK and not self.source.complete:
            return events  # the index has not reached the end of this block yet: not kept
        with self._lock:
            self._blocks[block] = events
            while len(self._blocks) > CACHED_BLOCKS:
                self._blocks.popitem(last=False)
        return events

    def _decode(self, start: int, stop: int) -> list[Event]:
        offsets = self.source.offsets
        data = os.pread(self._fd, offsets[stop] - offsets[start], offsets[start])
        if len(data) != offsets[stop] - offsets[start]:
            raise self.source.changed_error() or UserError(f"{self.source.path}: a read came back short")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:  # the careful way, line by line, names the bad one
            return [
                self._careful(line, number)
                for number, line in enumerate(data.split(b"\n")[: stop - start], start + 2)
            ]
        events: list[Event] = []
        append = events.append
        scan = _SCAN
        for number, line in enumerate(text.split("\n")[: stop - start], start + 2):
            try:  # the reader's fast path: the C scanner, then the event built in place
                record, end = scan(line, 0)
                if end == len(line) and type(record) is dict:
                    append(from_record(record, consume=True))
                    continue
            except Exception:
                pass  # the careful path below names the problem
            append(self._careful(line.encode("utf-8"), number))
        return events

    def _careful(self, line: bytes, number: int) -> Event:
        """A line the fast path refused: its own error, or the file's if it was rewritten."""
        try:
            return _decode_line(self.source.path, line, number)
        except UserError:
            changed = self.source.changed_error()
            if changed is not None:
                raise changed from None
            raise


def _decode_line(path: Path, line: bytes, number: int) -> Event:
    """One indexed line as its event; a line that does not decode is refused, naming it."""
    try:
        record: Any = json.loads(line)
        if type(record) is not dict:
            raise ValueError("not a JSON object")
        event = from_record(record, consume=True)
    except EventFieldError as exc:
        raise UserError(f"{path}:{number}: {exc}; fix or remove that line") from None
    except (ValueError, TypeError) as exc:
        reason = str(exc).split(":")[0]
        raise UserError(
            f"{path}:{number}: corrupt session line ({reason}); fix or remove that line"
        ) from None
    return event
