"""Append-only JSONL recorder: every event is one line, written straight to the OS.

Each event is written with a single `os.write` on an `O_APPEND` descriptor, no Python-side
buffer, so a process killed with SIGKILL loses nothing it already recorded. The recorder
stamps events (sequence, monotonic offset since the session started, UTC wall time); the
clock is injectable so tests can move time without waiting.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from omniops_tui.core.errors import UserError
from omniops_tui.core.events import Event, SessionResumed, to_record
from omniops_tui.sessions.header import SessionHeader

Redactor = Callable[[dict[str, Any]], dict[str, Any]]


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
    ) -> None:
        self.path = path
        self.header = header
        self.clock = clock or Clock()
        self.redactor = redactor
        self._fd: int | None = fd
        self._seq = next_seq
        self._base_offset = base_offset
        self._started = self.clock.monotonic()
        self._lock = threading.Lock()
        self.bytes_written = path.stat().st_size if path.exists() else 0
        self.events_written = 0

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
        recorder = cls(path, header, fd=fd, clock=clock, redactor=redactor)
        recorder._write_line(header.to_record())
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
        """Continue a session file; offsets continue from the last recorded event."""
        if truncated_tail:
            _drop_partial_last_line(path)
        fd = _open_append(path, exclusive=False)
        return cls(
            path,
            header,
            fd=fd,
            next_seq=last_seq + 1,
            base_offset=last_offset,
            clock=clock,
            redactor=redactor,
        )

    # ------------------------------------------------------------------ writing
    @property
    def offset(self) -> float:
        return self._base_offset + (self.clock.monotonic() - self._started)

    def record(self, event: Event) -> Event:
        """Stamp and append one event; returns it stamped."""
        with self._lock:
            event.seq = self._seq
            event.t = self.offset
            event.at = self.clock.wall().isoformat(timespec="milliseconds").replace("+00:00", "Z")
            record = to_record(event)
            if self.redactor is not None:
                record = self.redactor(record)
            self._write_line(record)
            self._seq += 1
            self.events_written += 1
        return event

    def _write_line(self, record: dict[str, Any]) -> None:
        if self._fd is None:
            raise RuntimeError(f"session {self.path} is closed")
        data = (json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str) + "\n").encode(
            "utf-8"
        )
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
        self.bytes_written += len(data)

    def sync(self) -> None:
        """Force the file to disk (power loss); called on quiet moments and at close."""
        if self._fd is not None:
            os.fsync(self._fd)

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                try:
                    os.fsync(self._fd)
                finally:
                    os.close(self._fd)
                    self._fd = None

    @property
    def closed(self) -> bool:
        return self._fd is None


def ensure_sessions_dir(sessions_dir: Path) -> None:
    if sessions_dir.exists() and not sessions_dir.is_dir():
        raise UserError(f"{sessions_dir}: sessions folder is a file; pass --sessions-dir a folder")
    try:
        sessions_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(
            f"{sessions_dir}: cannot create the sessions folder ({exc.strerror}); "
            "pass --sessions-dir a writable folder"
        ) from exc


def _open_append(path: Path, *, exclusive: bool) -> int:
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | (os.O_EXCL if exclusive else 0)
    try:
        return os.open(path, flags, 0o600)
    except IsADirectoryError as exc:
        raise UserError(f"{path}: is a folder, not a session file") from exc
    except OSError as exc:
        raise UserError(f"{path}: cannot write the session ({exc.strerror})") from exc


def _drop_partial_last_line(path: Path) -> None:
    """A killed process may leave half a line; cut it so appended events start clean."""
    data = path.read_bytes()
    cut = data.rfind(b"\n") + 1
    if cut < len(data):
        with open(path, "r+b") as handle:
            handle.truncate(cut)


__all__ = ["Clock", "SessionRecorder", "SessionResumed"]
