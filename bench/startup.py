"""Start-up time, as whole processes: launch → first screen ready for keys.

Measures `omniops-tui` (bundled runbooks, default config) and a minimal Textual app the same
way: each runs in a pseudo-terminal of 80x24 and exits as soon as its first screen has been
refreshed (OMNIOPS_TUI_EXIT_WHEN_READY=1 for omniops-tui). Median of several runs.
Prints one JSON line: {"startup_s": …, "textual_minimal_s": …, "ratio": …}. Target: ratio < 1.5.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time

MINIMAL_APP = """
from textual.app import App
from textual.widgets import Static
class Minimal(App):
    def compose(self):
        yield Static("hello")
    def on_mount(self):
        self.call_after_refresh(self.exit)
Minimal().run()
"""


def timed(command: list[str], env: dict[str, str]) -> float:
    primary, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdin=secondary, stdout=secondary, stderr=secondary, env=env, close_fds=True
    )
    os.close(secondary)
    try:
        while process.poll() is None:  # drain the terminal so the app never blocks on output
            try:
                os.read(primary, 65536)
            except OSError:
                break
        process.wait(timeout=60)
    finally:
        os.close(primary)
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{command} exited with {process.returncode}")
    return elapsed


def main(runs: int = 7) -> None:
    with tempfile.TemporaryDirectory() as home:
        env = {
            **os.environ,
            "OMNIOPS_TUI_EXIT_WHEN_READY": "1",
            "XDG_CONFIG_HOME": f"{home}/config",
            "XDG_STATE_HOME": f"{home}/state",
            "TERM": "xterm-256color",
        }
        app = [sys.executable, "-m", "omniops_tui"]
        minimal = [sys.executable, "-c", MINIMAL_APP]
        timed(app, env), timed(minimal, env)  # warm the disk cache and .pyc files
        ours = statistics.median(timed(app, env) for _ in range(runs))
        theirs = statistics.median(timed(minimal, env) for _ in range(runs))
    print(
        json.dumps(
            {
                "startup_s": round(ours, 3),
                "textual_minimal_s": round(theirs, 3),
                "ratio": round(ours / theirs, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
