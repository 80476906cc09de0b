"""A session file indexed without being decoded: replay opens a long recording at once.

Decoding every event of a 100,000-event recording (56 MB) costs seconds and hundreds of MB,
yet the first replay screen needs only the state at the start. `index_session` scans the file
in chunks with one regular expression over each (C speed, no per-line Python), keeping for
every event line its byte offset, its time `t` and its type; `LazyEvents` is then the list of
events, decoding blocks of lines from the file on demand (a seek, the checkpoint fold) and
keeping only a few blocks in memory.

The scan takes the fast road only where it can prove the reader's rules hold: every line has
the recorder's prefix (`{"seq":N,"t":T,"at":"…","type":"…"`) and ends in `}`, the types are
known, the sequence numbers increase, times do not go back, and at most one `session_ended`.
Anything else (a corrupt or blank line, a newer event type, two writers) returns None and the
caller reads the file the careful way (`reader.read_session`), notices and all. A line that
passes the scan but turns out not to decode (hand-edited inside) is refused when it is reached,
with one line naming file and line (`UserError`, exit 2): a replay cannot drop an event from
its index after the screen is up.
"""

from __future__ import annotations

import json
import os
import re
import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from itertools import accumulate, islice
from operator import lt
from pathlib import Path
from typing import Any, overload

from omniops_tui.core.errors import UserError
from omniops_tui.core.events import EVENT_TYPES, Event, EventFieldError, from_record
from omniops_tui.sessions.header import SessionHeader
from omniops_tui.sessions.reader import SessionFile, read_header_line

CHUNK_BYTES = 8 << 20
BLOCK = 512  # events decoded together; a seek decodes at most two blocks beyond its checkpoint
CACHED_BLOCKS = 24

# The recorder's line: compact JSON whose first keys are always seq, t, at, type (recorder.py).
_LINE = re.compile(
    rb'(\{"seq":(\d+),"t":(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?),"at":"[^"\\\n]*","type":"([a-z_]+)"[^\n]*\}\n)'
)
# Only check results carry a "places" key; a quote inside a string is escaped, so this finds keys.
_PLACES = re.compile(rb'"places":\[([^\]]*)\]')
_KNOWN = frozenset(name.encode() for name in EVENT_TYPES)
_SCAN: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


class SessionIndex:
    """Where each event line of a session file starts, its time and its type (nothing decoded)."""

    def __init__(self, path: Path, header: SessionHeader) -> None:
        self.path = path
        self.header = header
        self.offsets = array("q")  # start of each event line; one more: the end of the last
        self.times = array("d")
        self.types: list[str] = []  # interned: one string object per type name
        self.places: set[str] = set()
        self.truncated_tail = False


def index_session(path: Path) -> SessionIndex | None:
    """Index a clean session file; None when it needs the careful reader (see the module doc)."""
    try:
        handle = open(path, "rb")  # noqa: SIM115  (closed below; errors are the reader's to word)
    except OSError:
        return None
    with handle:
        first = handle.readline()
        if not first.endswith(b"\n") or not first.strip():
            return None
        index = SessionIndex(path, read_header_line(path, first))
        position = len(first)
        carry = b""
        last_seq = 0
        last_t = float("-inf")
        ended = 0
        names = {name.encode(): name for name in EVENT_TYPES}  # one string object per type
        while True:
            data = handle.read(CHUNK_BYTES)
            if not data:
                break
            data = carry + data
            cut = data.rfind(b"\n") + 1
            carry = data[cut:]
            if not cut:
                continue
            found = _LINE.findall(data, 0, cut)
            if not found:
                return None  # not one line of the recorder's in a whole chunk
            lines, seq_texts, t_texts, kinds = zip(*found, strict=True)
            del found
            lengths = list(map(len, lines))
            if sum(lengths) != cut:
                return None  # some line is not the recorder's: blank, corrupt, hand-made
            del lines
            seqs = list(map(int, seq_texts))
            times = list(map(float, t_texts))
            if seqs[0] <= last_seq or not all(map(lt, seqs, islice(seqs, 1, None))):
                return None  # out of order: the reader names the line
            if times[0] < last_t or any(map(lt, islice(times, 1, None), times)):
                return None  # not in time order: the eager timeline sorts
            if not _KNOWN.issuperset(kinds):
                return None  # a newer version's events: the reader counts and notes them
            ended += kinds.count(b"session_ended")
            if ended > 1:
                return None  # resumed (or doubled) sessions: the reader checks the pairs
            last_seq, last_t = seqs[-1], times[-1]
            index.offsets.extend(accumulate(lengths[:-1], initial=position))
            position += cut
            index.times.extend(times)
            index.types.extend(map(names.__getitem__, kinds))
            for places in set(_PLACES.findall(data, 0, cut)):
                index.places.update(_strings(path, places))
        index.offsets.append(position)
        if carry:
            index.truncated_tail = True
    return index


def _strings(path: Path, places: bytes) -> list[str]:
    try:
        values = json.loads(b"[" + places + b"]")
    except ValueError:
        return []  # a check's places are a list of ids; anything else is not ours to show
    return [value for value in values if isinstance(value, str)]


def open_lazy(path: Path) -> SessionFile | None:
    """The session as a `SessionFile` whose events decode on demand; None: use `read_session`."""
    index = index_session(path)
    if index is None:
        return None
    session = SessionFile(path, index.header)
    session.events = LazyEvents(index)  # type: ignore[assignment]  # a Sequence standing in
    if index.truncated_tail:
        session.truncated_tail = True
        session.notices.append(
            f"{path}:{len(index.times) + 2}: last line is incomplete (the recording was cut off); ignored it"
        )
    return session


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
        scan = _SCAN
        for index in missing:
            line = data[offsets[index] - base : offsets[index + 1] - base - 1]
            try:
                record, _end = scan(line.decode("utf-8"), 0)
                lines = record["lines"]
            except Exception:  # the careful path names the line (or the rewritten file)
                lines = getattr(self._decode(index, index + 1)[0], "lines", ())
            out[index] = lines
        return out

    def _block(self, block: int) -> list[Event]:
        events = self._blocks.get(block)
        if events is not None:
            return events
        events = self._decode(block * BLOCK, min((block + 1) * BLOCK, len(self.times)))
        with self._lock:
            self._blocks[block] = events
            while len(self._blocks) > CACHED_BLOCKS:
                self._blocks.popitem(last=False)
        return events

    def _decode(self, start: int, stop: int) -> list[Event]:
        offsets = self.source.offsets
        data = os.pread(self._fd, offsets[stop] - offsets[start], offsets[start])
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:  # the careful way, line by line, names the bad one
            return [
                _decode_line(self.source.path, line, number)
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
            append(_decode_line(self.source.path, line.encode("utf-8"), number))
        return events


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
