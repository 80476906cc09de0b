"""A session file indexed without being decoded, the head first: replay shows its first screen at once.

Decoding every event of a 1M-event recording (570 MB) costs tens of seconds and gigabytes, and
even scanning it costs seconds; the first replay screen needs the header and the first events
only. `SessionIndex` keeps for every event line its byte offset, its time `t` and its type,
found by one regular expression over each chunk (C speed, no per-line Python).
`sidecar.open_lazy` indexes the first `HEAD_BYTES` before it returns and the rest on a daemon
thread, in chunks of
`CHUNK_BYTES` (one regex call holds the interpreter for a few ms, so the UI keeps its share);
the arrays only grow, offsets first and times last, so a reader that sees `len(times)` events
finds their offsets. A finished index is kept beside the session (`sessions.sidecar`), so a
second open does not scan at all. `LazyEvents` (lazy_events.py) decodes events on demand.

The scan takes the fast road only where it can prove the reader's rules hold: every line has
the recorder's prefix (`{"seq":N,"t":T,"at":"…","type":"…"`) and ends in `}`, the types are
known, the sequence numbers increase, times do not go back, and at most one `session_ended`.
Anything else in the head (a corrupt or blank line, a newer event type, two writers) means the
caller reads the file the careful way (`reader.read_session`), notices and all; found later,
by the thread, it sets `failed` and the replay reloads the careful way behind its screen.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from array import array
from collections.abc import Callable
from itertools import accumulate, islice
from operator import lt
from pathlib import Path

from omniops_tui.core.errors import UserError
from omniops_tui.core.events import EVENT_TYPES
from omniops_tui.sessions.header import SessionHeader
from omniops_tui.sessions.lazy_events import BLOCK, CACHED_BLOCKS, LazyEvents
from omniops_tui.sessions.reader import read_header_line

CHUNK_BYTES = 1 << 20
HEAD_BYTES = 1 << 20  # ~1,800 events of a typical session: the first screen and some play

# The recorder's line: compact JSON whose first keys are always seq, t, at, type (recorder.py).
_LINE = re.compile(
    rb'(\{"seq":(\d+),"t":(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?),"at":"[^"\\\n]*","type":"([a-z_]+)"[^\n]*\}\n)'
)
# Only check results carry a "places" key; a quote inside a string is escaped, so this finds keys.
_PLACES = re.compile(rb'"places":\[([^\]]*)\]')
_KNOWN = frozenset(name.encode() for name in EVENT_TYPES)
_NAMES = {name.encode(): name for name in EVENT_TYPES}  # one string object per type name

__all__ = ["BLOCK", "CACHED_BLOCKS", "LazyEvents", "SessionIndex", "begin", "index_session"]


class SessionIndex:
    """Where each event line of a session file starts, its time and its type (nothing decoded)."""

    def __init__(self, path: Path, header: SessionHeader, start: int, stat: os.stat_result) -> None:
        self.path = path
        self.header = header
        self.offsets = array("q", [start])  # start of each event line; one more: the end so far
        self.times = array("d")
        self.types: list[str] = []  # interned: one string object per type name
        self.places: set[str] = set()
        self.truncated_tail = False
        self.size, self.mtime_ns = stat.st_size, stat.st_mtime_ns  # the file as indexed
        self.scanned = start  # bytes indexed so far
        self.complete = False
        self.failed = False  # a line only the careful reader takes: reload that way
        self.from_sidecar = False
        self._last_seq = 0
        self._last_t = float("-inf")
        self._ended = 0
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._done = threading.Event()

    # ------------------------------------------------------------------ progress
    @property
    def progress(self) -> float:
        """0..1: how much of the file is indexed (1 once complete)."""
        if self.complete or not self.size:
            return 1.0
        return min(self.scanned / self.size, 0.999)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the index is complete or failed (tests, the bench); True when it ended."""
        if self.complete or self.failed:
            return True
        return self._done.wait(timeout)

    def stop(self) -> None:
        self._stop.set()

    def changed_error(self) -> UserError | None:
        """The one-line error when the file is no longer the one indexed (rewritten meanwhile)."""
        try:
            stat = os.stat(self.path)
        except OSError as exc:
            return UserError(f"{self.path}: cannot read it any more ({exc.strerror}); open it again")
        if stat.st_size < self.size or (stat.st_size == self.size and stat.st_mtime_ns != self.mtime_ns):
            return UserError(f"{self.path}: the file was rewritten while it was replayed; open it again")
        return None

    # ------------------------------------------------------------------ scanning
    def scan(self, fd: int, until: int) -> bool:
        """Index whole lines up to about byte `until`; False when a line needs the careful reader."""
        while not self.complete and self.scanned < until:
            if not self._step(fd):
                self.failed = True
                return False
        return True

    def _step(self, fd: int) -> bool:
        position = self.scanned
        want = min(CHUNK_BYTES, self.size - position)
        while True:
            data = os.pread(fd, want, position)
            cut = data.rfind(b"\n") + 1
            if cut or position + len(data) >= self.size or len(data) < want:
                break
            want *= 2  # a line longer than a chunk
        if not cut:
            self.truncated_tail = bool(data)
            self.complete = True
            return True
        if not self._take(data, cut, position):
            return False
        if self.scanned >= self.size:
            self.complete = True
        return True

    def _take(self, data: bytes, cut: int, position: int) -> bool:
        found = _LINE.findall(data, 0, cut)
        if not found:
            return False  # not one line of the recorder's in a whole chunk
        lines, seq_texts, t_texts, kinds = zip(*found, strict=True)
        del found
        lengths = list(map(len, lines))
        if sum(lengths) != cut:
            return False  # some line is not the recorder's: blank, corrupt, hand-made
        del lines
        seqs = list(map(int, seq_texts))
        times = array("d", map(float, t_texts))
        if seqs[0] <= self._last_seq or not all(map(lt, seqs, islice(seqs, 1, None))):
            return False  # out of order: the reader names the line
        if times[0] < self._last_t or any(map(lt, islice(times, 1, None), times)):
            return False  # not in time order: the eager timeline sorts
        if not _KNOWN.issuperset(kinds):
            return False  # a newer version's events: the reader counts and notes them
        self._ended += kinds.count(b"session_ended")
        if self._ended > 1:
            return False  # resumed (or doubled) sessions: the reader checks the pairs
        self._last_seq, self._last_t = seqs[-1], times[-1]
        for places in set(_PLACES.findall(data, 0, cut)):
            self.places.update(_strings(places))
        # Offsets first, times last: `len(times)` is how many events a reader may use.
        self.offsets.extend(array("q", accumulate(lengths, initial=position))[1:])
        self.types.extend(map(_NAMES.__getitem__, kinds))
        self.scanned = position + cut
        self.times.extend(times)
        return True

    def start(
        self,
        delay_s: float = 0.0,
        adopt: Callable[[SessionIndex, int], bool] | None = None,
        keep: Callable[[SessionIndex], None] | None = None,
    ) -> None:
        """Index the rest on a daemon thread, after `delay_s` (the first screen is painted
        meanwhile: the thread would take half the interpreter); keep the sidecar at the end."""
        if self.complete or self.failed:
            self._done.set()
            return
        self._thread = threading.Thread(
            target=self._run, args=(delay_s, adopt, keep), name="replay-index", daemon=True
        )
        self._thread.start()

    def _run(
        self,
        delay_s: float,
        adopt: Callable[[SessionIndex, int], bool] | None,
        keep: Callable[[SessionIndex], None] | None,
    ) -> None:
        self._stop.wait(delay_s)
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError:
            self.failed = True
            self._done.set()
            return
        try:
            if not self._stop.is_set() and adopt is not None and adopt(self, fd):
                return
            while not self._stop.is_set() and not self.complete:
                if not self.scan(fd, self.scanned + 1):
                    return
                time.sleep(0)  # let the UI thread take the interpreter between chunks
            if self.complete and keep is not None:
                keep(self)
        except Exception:  # the careful reader will say what is wrong
            self.failed = True
        finally:
            os.close(fd)
            self._done.set()


def _strings(places: bytes) -> list[str]:
    try:
        values = json.loads(b"[" + places + b"]")
    except ValueError:
        return []  # a check's places are a list of ids; anything else is not ours to show
    return [value for value in values if isinstance(value, str)]


def begin(path: Path) -> tuple[SessionIndex, int] | None:
    """The index with just the header read, and an open descriptor; None: not indexable."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None  # the reader words the error
    stat = os.fstat(fd)
    first = os.pread(fd, 1 << 16, 0)
    end = first.find(b"\n")
    while end < 0 and len(first) < stat.st_size:
        first = os.pread(fd, len(first) * 4, 0)
        end = first.find(b"\n")
    if end < 0 or not first[:end].strip():
        os.close(fd)
        return None
    try:
        header = read_header_line(path, first[: end + 1])
    except UserError:
        os.close(fd)
        raise
    return SessionIndex(path, header, end + 1, stat), fd


def index_session(path: Path) -> SessionIndex | None:
    """Index a clean session file whole, now; None when it needs the careful reader."""
    begun = begin(path)
    if begun is None:
        return None
    index, fd = begun
    try:
        ok = index.scan(fd, index.size)
    finally:
        os.close(fd)
    return index if ok else None


def tail_notice(index: SessionIndex) -> str:
    """The reader's notice for a cut-off last line, once the index has reached it."""
    line = len(index.times) + 2
    return f"{index.path}:{line}: last line is incomplete (the recording was cut off); ignored it"
