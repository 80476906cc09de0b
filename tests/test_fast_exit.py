"""The process ends without the interpreter's finalization once a command is done (issue 12),
but never at the cost of what atexit handlers, buffered output or working threads still owe."""

from __future__ import annotations

import subprocess
import sys

LEAVE = "from omniops_tui.live.hangup import leave_without_finalizing\n"


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


def test_leaving_runs_the_atexit_handlers_flushes_and_keeps_the_exit_code() -> None:
    done = run(
        "import atexit, sys\n"
        + LEAVE
        + "atexit.register(print, 'cleaned up')\n"
        + "sys.stdout.write('buffered, no newline')\n"
        + "leave_without_finalizing(3)\n"
        + "print('not reached')\n"
    )
    assert done.returncode == 3
    assert done.stdout == "buffered, no newlinecleaned up\n"


def test_a_working_thread_is_waited_for_as_usual() -> None:
    done = run(
        "import threading, time\n"
        + LEAVE
        + "worker = threading.Thread(target=lambda: (time.sleep(0.3), print('thread finished')))\n"
        + "worker.start()\n"
        + "leave_without_finalizing(0)\n"
        + "print('normal exit')\n"
    )
    assert done.returncode == 0
    assert done.stdout.splitlines() == ["normal exit", "thread finished"]


def test_the_command_keeps_its_exit_code_and_its_error_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "omniops_tui", "--config", "/nonexistent/omniops.toml", "check", "hotfix"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "config file not found" in done.stderr
