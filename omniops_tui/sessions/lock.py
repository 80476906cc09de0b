"""One writer per session file (issue 10 §9): an exclusive lock for the writer's whole life.

A live run and a `--resume` of the same file once interleaved 52 duplicate sequence numbers and
two `session_ended`. The writer takes `fcntl.flock(LOCK_EX | LOCK_NB)` on the session file's own
descriptor (released by the kernel when the process dies, so a crash never leaves a stale
lock), and writes its PID beside it (`NAME.jsonl.lock`) so a second writer can be told who
holds it. Where the PID file is missing (a full disk) Linux's /proc/locks still knows.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from omniops_tui.core.errors import UserError

LOCK_SUFFIX = ".lock"


def pid_file(path: Path) -> Path:
    return path.with_name(path.name + LOCK_SUFFIX)


class SessionLock:
    """Held while a recorder writes `path` through `fd`; `release()` before closing `fd`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._pid_written = False

    @classmethod
    def acquire(cls, path: Path, fd: int) -> SessionLock:
        """Lock `path` (open as `fd`) or raise a one-line `UserError` naming the holder (exit 2)."""
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(path, fd)
            raise UserError(
                f"{path}: this session is being recorded by another omniops-tui ({holder}); "
                f"close that one first, or watch it with `omniops-tui sessions replay {path}`"
            ) from None
        lock = cls(path)
        lock._write_pid()
        return lock

    def _write_pid(self) -> None:
        """Best effort: the lock itself is what keeps a second writer out, not this file."""
        target = pid_file(self.path)
        with contextlib.suppress(OSError):
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.write(fd, f"{os.getpid()}\n".encode())
                self._pid_written = True
            finally:
                os.close(fd)

    def release(self) -> None:
        """Remove the PID file (the flock goes with the descriptor when the recorder closes it)."""
        if self._pid_written:
            self._pid_written = False
            with contextlib.suppress(OSError):
                if pid_file(self.path).read_text().strip() == str(os.getpid()):
                    pid_file(self.path).unlink()


def _holder(path: Path, fd: int) -> str:
    pid = _pid_from_file(path) or _pid_from_proc_locks(fd)
    return f"PID {pid}" if pid else "PID unknown"


def _pid_from_file(path: Path) -> int | None:
    try:
        text = pid_file(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


def _pid_from_proc_locks(fd: int) -> int | None:
    """The PID of the FLOCK on this file's inode in /proc/locks (Linux), if any."""
    try:
        info = os.fstat(fd)
        lines = Path("/proc/locks").read_text(encoding="ascii", errors="replace").splitlines()
    except OSError:
        return None
    wanted = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    for line in lines:
        words = line.split()
        if len(words) >= 6 and words[1] == "FLOCK" and words[5] == wanted and words[4].isdigit():
            return int(words[4])
    return None
