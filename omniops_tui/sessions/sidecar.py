"""The replay index kept beside its session (`SESSION.jsonl.idx`), and `open_lazy`, which opens a
session on its head and completes the index behind it, from here when it can: a second open
does not scan.

Scanning a 1M-event session takes seconds; the index it yields (offsets, times, types, the
places of checks) is ~17 bytes an event and reads back in milliseconds. It is never trusted
blindly: it names the session's size and modification time and hashes of its first and last
indexed bytes, and its arrays are checked (lengths, offsets increasing and inside the file,
times in order, known types, and a few lines really starting where it says). Anything off, and
the session is scanned again. It holds no text of the session beyond type names and check
place ids, so no secret can reach it. A folder that cannot be written just means no sidecar.
"""

from __future__ import annotations

import hashlib
import json
import os
from array import array
from itertools import islice
from operator import le, lt
from pathlib import Path
from typing import Any

from omniops_tui.core.events import EVENT_TYPES
from omniops_tui.sessions.index import HEAD_BYTES, LazyEvents, SessionIndex, begin, tail_notice
from omniops_tui.sessions.reader import SessionFile

MAGIC = b"omniops-tui replay index 1\n"
EDGE = 1 << 16  # bytes hashed at each end of the indexed part
MIN_EVENTS = 20_000  # below this a scan is quick: no sidecar for small sessions


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".idx")


def _edges(fd: int, start: int, end: int) -> str:
    digest = hashlib.sha256(os.pread(fd, min(EDGE, end - start), start))
    digest.update(os.pread(fd, min(EDGE, end - start), max(start, end - EDGE)))
    return digest.hexdigest()


def save(index: SessionIndex) -> None:
    """Write the complete index beside the session (atomically; errors mean no sidecar)."""
    if not index.complete or index.failed or len(index.times) < MIN_EVENTS:
        return
    names = sorted(set(index.types))
    code = {name: number for number, name in enumerate(names)}
    try:
        fd = os.open(index.path, os.O_RDONLY)
        try:
            stat = os.fstat(fd)
            if (stat.st_size, stat.st_mtime_ns) != (index.size, index.mtime_ns):
                return  # changed meanwhile (a live recording): not this index's file
            edges = _edges(fd, index.offsets[0], index.offsets[-1])
        finally:
            os.close(fd)
        meta = {
            "size": index.size,
            "mtime_ns": index.mtime_ns,
            "edges": edges,
            "count": len(index.times),
            "types": names,
            "places": sorted(index.places),
            "truncated_tail": index.truncated_tail,
        }
        target = sidecar_path(index.path)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        out = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(out, "wb") as handle:
            handle.write(MAGIC)
            handle.write(json.dumps(meta).encode() + b"\n")
            handle.write(index.offsets.tobytes())
            handle.write(index.times.tobytes())
            handle.write(bytes(map(code.__getitem__, index.types)))
        os.replace(temporary, target)
    except (OSError, ValueError):
        return


def adopt(index: SessionIndex, fd: int) -> bool:
    """Complete `index` (its head scanned) from a valid sidecar; False: scan the rest instead.

    Called on the index thread: the arrays are only extended (the head must match), so a
    reader on the UI thread sees them grow as during a scan, just all at once.
    """
    try:
        raw = sidecar_path(index.path).read_bytes()
    except OSError:
        return False
    try:
        return _fill(index, fd, raw)
    except (ValueError, KeyError, TypeError, OSError, IndexError):
        return False


def _fill(index: SessionIndex, fd: int, raw: bytes) -> bool:
    if not raw.startswith(MAGIC):
        return False
    end = raw.index(b"\n", len(MAGIC))
    meta: dict[str, Any] = json.loads(raw[len(MAGIC) : end])
    count = int(meta["count"])
    if (meta["size"], meta["mtime_ns"]) != (index.size, index.mtime_ns) or count < 1:
        return False
    body = memoryview(raw)[end + 1 :]
    if len(body) != 8 * (count + 1) + 8 * count + count:
        return False
    offsets = array("q")
    offsets.frombytes(body[: 8 * (count + 1)])
    times = array("d")
    times.frombytes(body[8 * (count + 1) : 8 * (2 * count + 1)])
    codes = bytes(body[8 * (2 * count + 1) :])
    names = [str(name) for name in meta["types"]]
    if not set(names) <= EVENT_TYPES.keys() or (codes and max(codes) >= len(names)):
        return False
    if offsets[0] != index.offsets[0] or offsets[-1] > index.size:
        return False
    if not all(map(lt, offsets, islice(offsets, 1, None))) or not all(map(le, times, islice(times, 1, None))):
        return False
    if _edges(fd, offsets[0], offsets[-1]) != meta["edges"]:
        return False
    step = max(1, count // 16)
    for number in range(0, count, step):  # a few lines must start where the index says
        if not os.pread(fd, 8, offsets[number]).startswith(b'{"seq":'):
            return False
    head = len(index.times)
    if head > count or offsets[: head + 1] != index.offsets or times[:head] != index.times:
        return False  # not the file whose head was just scanned
    types = [names[code] for code in codes[head:]]
    if index.types != [names[code] for code in codes[:head]]:
        return False
    index.places.update(str(place) for place in meta["places"])
    index.truncated_tail = bool(meta["truncated_tail"])
    index.offsets.extend(offsets[head + 1 :])  # offsets first, times last (see sessions.index)
    index.types.extend(types)
    index.scanned = int(offsets[-1])
    index.times.extend(times[head:])
    index.complete = index.from_sidecar = True
    return True


def open_lazy(path: Path, *, background: bool = True, delay_s: float = 0.0) -> SessionFile | None:
    """The session as a `SessionFile` whose events decode on demand; None: use `read_session`.

    The head is indexed now and, with `background`, the rest on a thread: from a valid sidecar
    at once, else by scanning (`SessionIndex.complete` says when).
    """
    begun = begin(path)
    if begun is None:
        return None
    index, fd = begun
    try:
        if not index.scan(fd, index.scanned + (HEAD_BYTES if background else index.size)):
            return None
    finally:
        os.close(fd)
    index.start(delay_s, adopt, save)
    session = SessionFile(path, index.header)
    session.events = LazyEvents(index)  # type: ignore[assignment]  # a Sequence standing in
    if index.complete and index.truncated_tail:
        session.truncated_tail = True
        session.notices.append(tail_notice(index))
    return session
