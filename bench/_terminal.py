"""A real terminal for the benches: a program in a pseudo-terminal, its screen emulated by pyte.

What a person sees is what is timed: a key is written to the terminal, and the time stops when
the emulated 80x24 screen shows the expected text (not when an action ran inside the app).
The reader runs on the calling thread with `select`, so a condition is checked as soon as the
bytes that satisfy it arrive. Every program is started with its own XDG folders (no cache or
state shared with the user or between benches) and is killed, with its process group, on close.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import termios
import time
from collections.abc import Callable
from pathlib import Path

import pyte

COLUMNS, LINES = 80, 24
LEAVE_ALT_SCREEN = b"\x1b[?1049l"  # a full-screen app hands the terminal back
KEYS = {
    "enter": "\r",
    "escape": "\x1b",
    "ctrl+q": "\x11",
    "ctrl+f": "\x06",
    "down": "\x1b[B",
    "up": "\x1b[A",
    "tab": "\t",
}


def isolated_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a benched program: its own XDG folders, an xterm of 80x24."""
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_DATA_HOME": str(home / "data"),
        "TERM": "xterm-256color",
        "COLUMNS": str(COLUMNS),
        "LINES": str(LINES),
    }
    env.pop("TEXTUAL", None)
    # A user's Python writes its bytecode cache; a sandbox that sets this would make every
    # "warm" start recompile the tool's (editable-installed) modules while site-packages
    # (compiled by pip) stays warm: the bare app would be measured warm and the tool cold.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(extra)
    return env


class Terminal:
    """One program in an 80x24 pseudo-terminal, with the screen it has drawn so far."""

    def __init__(self, command: list[str], env: dict[str, str], cwd: str | None = None) -> None:
        self.screen = pyte.Screen(COLUMNS, LINES)
        self.stream = pyte.ByteStream(self.screen)
        primary, secondary = pty.openpty()
        fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            command,
            stdin=secondary,
            stdout=secondary,
            stderr=secondary,
            env=env,
            cwd=cwd,
            close_fds=True,
            start_new_session=True,
        )
        os.close(secondary)
        self.fd = primary
        self.eof = False
        self.left_screen_at: float | None = None  # when the app gave the terminal back

    # ------------------------------------------------------------------ reading
    def pump(self, timeout: float) -> bool:
        """Read what the program wrote within `timeout`; True when something arrived."""
        if self.eof:
            time.sleep(timeout)
            return False
        ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not ready:
            return False
        try:
            data = os.read(self.fd, 1 << 16)
        except OSError:
            data = b""
        if not data:
            self.eof = True
            return False
        if LEAVE_ALT_SCREEN in data and self.left_screen_at is None:
            self.left_screen_at = time.perf_counter()
        self.stream.feed(data)
        return True

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_for(self, condition: Callable[[str], bool], timeout: float = 30.0) -> float:
        """Seconds until the screen satisfies `condition`; raises TimeoutError with the screen."""
        began = time.perf_counter()
        deadline = began + timeout
        while not condition(self.text()):
            if self.eof or time.perf_counter() > deadline:
                raise TimeoutError(f"screen never matched; it shows:\n{self.text()}")
            self.pump(min(0.05, deadline - time.perf_counter()))
        return time.perf_counter() - began

    def wait_text(self, text: str, timeout: float = 30.0) -> float:
        return self.wait_for(lambda screen: text in screen, timeout)

    def drain(self, seconds: float) -> None:
        """Keep reading (the program must never block on output) for `seconds`."""
        deadline = time.perf_counter() + seconds
        while (left := deadline - time.perf_counter()) > 0:
            self.pump(min(left, 0.1))

    # ------------------------------------------------------------------ writing
    def press(self, key: str) -> float:
        """Write one key (a name from KEYS or characters); returns the time it was written."""
        os.write(self.fd, KEYS.get(key, key).encode())
        return time.perf_counter()

    def timed(self, key: str, condition: Callable[[str], bool], timeout: float = 30.0) -> float:
        """Seconds from writing `key` to the screen satisfying `condition`."""
        self.drain(0.0)
        sent = self.press(key)
        self.wait_for(condition, timeout)
        return time.perf_counter() - sent

    # ------------------------------------------------------------------ the process
    def cpu_seconds(self) -> float:
        """User + system CPU of the program so far (from /proc, in clock ticks)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def wait_exit(self, timeout: float = 30.0) -> float:
        """Seconds until the program has exited (draining its output meanwhile)."""
        began = time.perf_counter()
        while self.process.poll() is None:
            if time.perf_counter() - began > timeout:
                raise TimeoutError("the program did not exit")
            self.pump(0.01)
        return time.perf_counter() - began

    def close(self) -> None:
        """Stop the program and everything it started (its session's process group)."""
        if self.process.poll() is None:
            for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
                try:
                    os.killpg(self.process.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.process.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        with contextlib.suppress(OSError):
            os.close(self.fd)

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def summary(values: list[float], scale: float = 1.0, digits: int = 3) -> dict[str, float]:
    """Median, min, max and p95 of `values` (times `scale`), for a bench's JSON line."""
    ordered = sorted(v * scale for v in values)
    if not ordered:
        return {}
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median": round(statistics.median(ordered), digits),
        "min": round(ordered[0], digits),
        "max": round(ordered[-1], digits),
        "p95": round(p95, digits),
        "n": len(ordered),
    }
