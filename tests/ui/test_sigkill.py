"""Crash safety of the real app: SIGKILL the TUI while it records; everything it showed replays."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pty
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from omniops_tui.sessions.player import Timeline
from omniops_tui.sessions.reader import read_session


def _events(path: Path) -> list[str]:
    lines = path.read_text().splitlines()[1:] if path.exists() else []
    return [json.loads(line)["type"] for line in lines if line.endswith("}")]


def test_sigkill_while_recording_loses_nothing_already_shown(tmp_path: Path) -> None:
    sessions = tmp_path / "sessions"
    primary, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {
        **os.environ,
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
        "TERM": "xterm-256color",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "omniops_tui", "--sessions-dir", str(sessions)],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env=env,
        close_fds=True,
    )
    os.close(secondary)
    os.set_blocking(primary, False)

    def pump_until(condition, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, "the app did not get there in time"
            with contextlib.suppress(BlockingIOError, OSError):
                os.read(primary, 65536)  # keep the terminal drained
            time.sleep(0.05)

    try:
        pump_until(
            lambda: (
                any(sessions.glob("*.jsonl")) and "screen_opened" in _events(next(sessions.glob("*.jsonl")))
            )
        )
        session = next(sessions.glob("*.jsonl"))
        os.write(primary, b"2")  # open Hotfix
        pump_until(lambda: "runbook_started" in _events(session))
        os.write(primary, b"n")
        time.sleep(0.5)
        os.write(primary, b"before the crash\r")
        pump_until(lambda: "note_added" in _events(session))
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(primary)
    assert process.returncode == -signal.SIGKILL
    recorded = read_session(session)  # no error, at most a truncated tail noticed
    types = [e.type for e in recorded.events]
    assert types[0] == "session_started" and "runbook_started" in types
    assert types[-1] == "note_added" and "session_ended" not in types
    timeline = Timeline.open(session)
    assert [n.text for n in timeline.final_state().notes] == ["before the crash"]
