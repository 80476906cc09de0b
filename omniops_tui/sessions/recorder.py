"""Append-only JSONL recorder: every event is one line, written straight to the OS.

Each event is written with a single `os.write` on an `O_APPEND` descriptor, no Python-side
buffer, so a process killed with SIGKILL loses nothing it already recorded. The recorder
stamps events (sequence, monotonic offset since the session started, UTC wall time); the
clock is injectable so tests can move time without waiting.

A full disk never corrupts the record (issue 10 §5). When a write fails the file is cut back
to its last complete line, `recording_problem` says why (the header shows `NOT RECORDING:`),
and events are held in memory, in order, up to `max_held_bytes`; past that they are dropped
and counted. Every later `record` (or `retry`) tries again; once the held events are on disk a
`record_gap` event says what was delayed and what was lost, and the problem clears.

One writer per file (§9): the recorder holds an exclusive lock on it for its whole life
(`sessions.lock`); a second writer is refused with one line naming the holder's PID.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from omniops_tui.core.errors import UserError
from omniops_tui.core.events import Event, RecordGap, SessionEnded, SessionResumed, to_record
from omniops_tui.options import ensure_sessions_dir
from omniops_tui.sessions.header import SessionHeader
from omniops_tui.sessions.lock import SessionLock
from omniops_tui.sessions.record_json import encode_record

Redactor = Callable[[dict[str, Any]], dict[str, Any]]
MAX_HELD_BYTES = 4 * 1024 * 1024


class Clock:
    """Monotonic seconds and UTC wall time; tests substitute a manual clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def wall(self) -> datetime:
        return datetime.now(UTC)


class SessionRecorder:
    def __init__(
        self,
        path: Path,
        header: SessionHeader,
        *,
        fd: int,
        next_seq: int = 1,
        base_offset: float = 0.0,
        clock: Clock | None = None,
        redactor: Redactor | None = None,
        lock: SessionLock | None = None,
    ) -> None:
        self.path = path
        self.header = header
        self.clock = clock or Clock()
        self.redactor = redactor
        self._fd: int | None = fd
        self._file_lock = lock
        self._seq = next_seq
        self._base_offset = base_offset
        self._started = self.clock.monotonic()
        self._lock = threading.RLock()
        self.bytes_written = os.fstat(fd).st_size
        self.events_written = 0
        self.max_held_bytes = MAX_HELD_BYTES
        self.recording_problem: str | None = None
        self._held: deque[bytes] = deque()
        self._held_bytes = 0
        self._gap: RecordGap | None = None
        self._written_gaps: list[RecordGap] = []  # gap events written, not yet taken by the engine

    # ------------------------------------------------------------------ opening
    @classmethod
    def create(
        cls,
        sessions_dir: Path,
        runbook_source: list[str],
        *,
        environment: str = "",
        clock: Clock | None = None,
        redactor: Redactor | None = None,
        session_id: str = "",
        header_extra: dict[str, Any] | None = None,
    ) -> SessionRecorder:
        ensure_sessions_dir(sessions_dir)
        clock = clock or Clock()
        stamp = clock.wall().strftime("%Y%m%dT%H%M%SZ")
        session_id = session_id or f"{stamp}-{secrets.token_hex(3)}"
        header = SessionHeader.new(session_id, runbook_source, environment)
        header.extra.update(header_extra or {})
        # The header's start time comes from the same (injectable) clock as the events' stamps.
        header.started_at = clock.wall().isoformat(timespec="milliseconds").replace("+00:00", "Z")
        path = sessions_dir / f"{session_id}.jsonl"
        fd = _open_append(path, exclusive=True)
        recorder = cls(path, header, fd=fd, clock=clock, redactor=redactor, lock=_lock(path, fd))
        try:
            recorder._write(_encode(header.to_record()))
        except OSError as exc:
            recorder.close()
            path.unlink(missing_ok=True)
            raise UserError(
                f"{path}: cannot write the session ({exc.strerror}); free some space or pass "
                "--sessions-dir a writable folder"
            ) from exc
        return recorder

    @classmethod
    def resume(
        cls,
        path: Path,
        header: SessionHeader,
        *,
        last_seq: int,
        last_offset: float,
        clock: Clock | None = None,
        redactor: Redactor | None = None,
        truncated_tail: bool = False,
    ) -> SessionRecorder:
        """Continue a session file; offsets continue from the last recorded event.

        The file is locked first (a second writer is refused before anything is changed), then
        a half-written last line is cut so appended events start clean.
        """
        fd = _open_append(path, exclusive=False)
        lock = _lock(path, fd)
        if truncated_tail:
            _drop_partial_last_line(path)
        return cls(
            path,
            header,
            fd=fd,
            next_seq=last_seq + 1,
            base_offset=last_offset,
            clock=clock,
            redactor=redactor,
            lock=lock,
        )

    # ------------------------------------------------------------------ writing
    @property
    def offset(self) -> float:
        return self._base_offset + (self.clock.monotonic() - self._started)

    def record(self, event: Event) -> Event:
        """Stamp and append one event; returns it stamped. Never raises for a write error:
        the event is held (or counted as lost) and `recording_problem` says why."""
        with self._lock:
            if self._fd is None:
                raise RuntimeError(f"session {self.path} is closed")
            if self.recording_problem is not None:
                self._retry()
            line = _encode(self._stamp(event))
            self._seq += 1
            self.events_written += 1
            if self.recording_problem is None:
                try:
                    self._write(line)
                    return event
                except OSError as exc:
                    self._failed(exc)
            self._hold(line, event)
        return event

    def _stamp(self, event: Event) -> dict[str, Any]:
        event.seq = self._seq
        event.t = self.offset
        event.at = self.clock.wall().isoformat(timespec="milliseconds").replace("+00:00", "Z")
        record = to_record(event)
        return self.redactor(record) if self.redactor is not None else record

    def _write(self, data: bytes) -> None:
        """Append one complete line, or cut the file back to the last one and raise OSError."""
        assert self._fd is not None
        view = memoryview(data)
        try:
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
        except OSError:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, self.bytes_written)  # no half line stays behind
            raise
        self.bytes_written += len(data)

    # ------------------------------------------------------------------ a full disk
    def _failed(self, exc: OSError) -> None:
        if self.recording_problem is None:
            self._gap = RecordGap(reason=exc.strerror or str(exc), since_t=self.offset)
        self.recording_problem = exc.strerror or str(exc)

    def _hold(self, line: bytes, event: Event) -> None:
        """Keep the event for later, in order; once the bound is reached, count it as lost."""
        gap = self._gap
        assert gap is not None
        if not gap.lost and self._held_bytes + len(line) <= self.max_held_bytes:
            self._held.append(line)
            self._held_bytes += len(line)
            return
        if not gap.lost:
            gap.lost_from_seq, gap.lost_from_t = event.seq, event.t
        gap.lost += 1
        gap.lost_to_seq, gap.lost_to_t = event.seq, event.t

    def _retry(self) -> bool:
        """Write the held events, then the gap event; True once the record is whole again."""
        while self._held:
            try:
                self._write(self._held[0])
            except OSError as exc:
                self._failed(exc)
                return False
            self._held_bytes -= len(self._held.popleft())
            assert self._gap is not None
            self._gap.delayed += 1
        gap = self._gap
        if gap is not None:
            gap.seq, gap.t = self._seq, self.offset
            gap.at = self.clock.wall().isoformat(timespec="milliseconds").replace("+00:00", "Z")
            record = to_record(gap)
            try:
                self._write(_encode(self.redactor(record) if self.redactor is not None else record))
            except OSError as exc:
                self._failed(exc)
                return False
            self._seq += 1
            self.events_written += 1
            self._written_gaps.append(gap)
        self._gap, self.recording_problem = None, None
        return True

    def take_gaps(self) -> list[RecordGap]:
        """The `record_gap` events written since the last call: the engine folds them, so the
        live timeline shows the hole as soon as the record is whole again (issue 10 §5)."""
        with self._lock:
            gaps, self._written_gaps = self._written_gaps, []
            return gaps

    @property
    def problem_since(self) -> float | None:
        """The session offset at which writing started failing; None while it works."""
        gap = self._gap
        return gap.since_t if gap is not None and self.recording_problem is not None else None

    def retry(self) -> bool:
        """Try to write what is held now (the engine may call it on a timer while events are
        quiet); True when nothing is held and the record is whole."""
        with self._lock:
            return self._fd is not None and (self.recording_problem is None or self._retry())

    @property
    def held_events(self) -> int:
        """Events recorded while writing failed, waiting in memory to be written."""
        return len(self._held)

    @property
    def lost_events(self) -> int:
        """Events dropped since writing failed (the held ones reached `max_held_bytes`)."""
        return self._gap.lost if self._gap is not None else 0

    def sync(self) -> None:
        """Force the file to disk (power loss); called on quiet moments and at close."""
        with self._lock:
            if self._fd is not None:
                with contextlib.suppress(OSError):
                    os.fsync(self._fd)

    def end(self, reason: str) -> bool:
        """Record `session_ended` and close, atomically (safe from a watchdog thread while the
        app ends the session too); False when it was already closed."""
        with self._lock:
            if self._fd is None:
                return False
            self.record(SessionEnded(reason=reason))
            self.close()
            return True

    def close(self) -> None:
        """Write what is held if the disk allows it now, then close and release the lock."""
        with self._lock:
            if self._fd is None:
                return
            if self.recording_problem is not None:
                self._retry()
            with contextlib.suppress(OSError):
                os.fsync(self._fd)
            if self._file_lock is not None:
                self._file_lock.release()
            os.close(self._fd)
            self._fd = None

    @property
    def closed(self) -> bool:
        return self._fd is None


def _open_append(path: Path, *, exclusive: bool) -> int:
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | (os.O_EXCL if exclusive else 0)
    try:
        return os.open(path, flags, 0o600)
    except IsADirectoryError as exc:
        raise UserError(f"{path}: is a folder, not a session file") from exc
    except OSError as exc:
        raise UserError(f"{path}: cannot write the session ({exc.strerror})") from exc


_encode = encode_record  # one JSON line; log batches the fast way (sessions/record_json.py)


def _lock(path: Path, fd: int) -> SessionLock:
    """The one-writer lock; on refusal the descriptor is closed before the error goes up."""
    try:
        return SessionLock.acquire(path, fd)
    except UserError:
        os.close(fd)
        raise


def _drop_partial_last_line(path: Path) -> None:
    """A killed process may leave half a line; cut it so appended events start clean."""
    data = path.read_bytes()
    cut = data.rfind(b"\n") + 1
    if cut < len(data):
        with open(path, "r+b") as handle:
            handle.truncate(cut)


__all__ = ["Clock", "SessionRecorder", "SessionResumed"]
