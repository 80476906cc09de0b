"""A real terminal for the benches: a program in a pseudo-terminal, its screen emulated by pyte.

What a person sees is what is timed: a key is written to the terminal, and the time stops when
the emulated 80x24 screen shows the expected text (not when an action ran inside the app).
The reader runs on the calling thread with `select`, so a condition is checked as soon as the
bytes that satisfy it arrive. The emulation runs on the same machine as the program, so its
own time is part of each figure: it is counted (`emulation_s`) and kept small (`TextScreen`,
`TextStream`: pyte's screen, cell for cell, in a third of pyte's time). Every program is
started with its own XDG folders (no cache or state shared with the user or between benches)
and is killed, with its process group, on close.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import re
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
from pyte import charsets, modes
from pyte.screens import wcwidth

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


class TextScreen(pyte.Screen):
    """pyte's screen, with the same cells and text for less of the bench's own time.

    The emulation runs in the bench process on the machine the program runs on, and under a
    log stream its cost is part of each key's latency (the next bytes wait while it parses):
    pyte drew each character with several checks and a namedtuple `_replace`, and the screen's
    text was rebuilt from all its cells at every read. Here a run of single-width characters
    that fits on the line (what a full-screen app writes) is stored in one loop, exactly as
    `draw` stores it (anything else goes to pyte's `draw`), and `text()` rebuilds only the
    lines pyte marked dirty, with `display`'s rules.
    """

    def __init__(self, columns: int, lines: int) -> None:
        super().__init__(columns, lines)
        self._text = [""] * lines

    def draw(self, data: str) -> None:
        cursor = self.cursor
        x = cursor.x
        if (
            x + len(data) > self.columns
            or (self.g1_charset if self.charset else self.g0_charset) is not charsets.LAT1_MAP
            or modes.IRM in self.mode
            or not ((data.isascii() and data.isprintable()) or all(wcwidth(char) == 1 for char in data))
        ):
            super().draw(data)
            return
        line = self.buffer[cursor.y]
        attrs = cursor.attrs
        char_type, rest = type(attrs), attrs[1:]
        for column, char in enumerate(data, x):
            line[column] = char_type(char, *rest)  # == attrs._replace(data=char)
        cursor.x = x + len(data)
        self.dirty.add(cursor.y)

    def text(self) -> str:
        """`"\n".join(self.display)`, rebuilding only the lines changed since the last call."""
        lines = self._text
        for y in self.dirty:
            if y < self.lines:
                lines[y] = self._line_text(y)
        self.dirty.clear()
        return "\n".join(lines)

    def _line_text(self, y: int) -> str:
        """One line as `display` renders it: the cell after a double-width character skipped."""
        line = self.buffer[y]
        chars: list[str] = []
        wide = False
        for x in range(self.columns):
            if wide:
                wide = False
                continue
            char = line[x].data
            wide = wcwidth(char[0]) == 2
            chars.append(char)
        return "".join(chars)


class TextStream(pyte.ByteStream):
    """pyte's byte stream, with each complete `ESC [ params final` sequence matched at once.

    pyte's parser takes every character of an escape sequence through a generator, and a
    full-screen app writes more sequence than text (a truecolor SGR is 19 characters): most of
    the emulation's time. A control sequence of `?`, digits and `;` with a letter for its end
    is dispatched here exactly as the parser would dispatch it (same method, same numbers);
    anything else, and a sequence cut at the end of a read, goes through pyte's parser.
    """

    _csi = re.compile(r"\x1b\[(\??)([0-9;]*)([A-Za-z@`])")

    def attach(self, screen: pyte.Screen) -> None:
        super().attach(screen)
        self._csi_dispatch = {final: getattr(screen, name) for final, name in self.csi.items()}

    def feed(self, data: bytes) -> None:  # type: ignore[override]
        """`ByteStream.feed`, and then `Stream.feed` with the complete sequences matched."""
        text = self.utf8_decoder.decode(data) if self.use_utf8 else "".join(map(chr, data))
        listener = self.listener
        if listener is None:
            raise RuntimeError("Listener is not set")
        send, draw, debug = self._send_to_parser, listener.draw, listener.debug
        match_text, match_csi, dispatch = self._text_pattern.match, self._csi.match, self._csi_dispatch
        taking_plain_text = self._taking_plain_text
        length, offset = len(text), 0
        while offset < length:
            if not taking_plain_text:
                taking_plain_text = send(text[offset : offset + 1])
                offset += 1
            elif match := match_text(text, offset):
                start, offset = match.span()
                draw(text[start:offset])
            elif match := match_csi(text, offset):
                private, params, final = match.groups()
                numbers = [min(int(param or 0), 9999) for param in params.split(";")]
                handler = dispatch.get(final, debug)
                if private:
                    handler(*numbers, private=True)
                else:
                    handler(*numbers)
                offset = match.end()
            else:
                taking_plain_text = False
        self._taking_plain_text = taking_plain_text


class Terminal:
    """One program in an 80x24 pseudo-terminal, with the screen it has drawn so far."""

    def __init__(self, command: list[str], env: dict[str, str], cwd: str | None = None) -> None:
        self.screen = TextScreen(COLUMNS, LINES)
        self.stream = TextStream(self.screen)
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
        # Seconds this process spent emulating the screen (parsing, drawing, reading it): part
        # of every latency timed here, so the benches can say how much.
        self.emulation_s = 0.0

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
        began = time.perf_counter()
        self.stream.feed(data)
        self.emulation_s += time.perf_counter() - began
        return True

    def text(self) -> str:
        began = time.perf_counter()
        text = self.screen.text()
        self.emulation_s += time.perf_counter() - began
        return text

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
        """Keep reading (the program must never block on output) for `seconds`, then whatever
        has already arrived (`drain(0)`: what is pending; it used to read nothing at all, so a
        key was timed from before the bytes written ahead of it were parsed)."""
        deadline = time.perf_counter() + seconds
        while (left := deadline - time.perf_counter()) > 0:
            self.pump(min(left, 0.1))
        # Then what has already arrived (of a program that never stops writing: a second more).
        while self.pump(0.0) and time.perf_counter() - deadline < 1.0:
            pass

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
