"""Hang-up to exit: `tmux kill-server` under the running TUI → the process is gone.

Issue 10 §10: in every mode the process ends within 2 s of a hang-up (the exit deadline is
1.8 s). Each round starts `omniops-tui` (bundled runbooks, no environment) in a private tmux
server, waits until its first screen is recorded, kills the server and times until the process
has ended; the reference is a minimal Textual app measured the same way in the same run.
Prints one JSON line: {"exit_s": median, "exit_range_s": [min, max], "textual_minimal_s": …,
"deadline_s": 1.8, "rounds": N}. Target: exit_s < 2.
"""

from __future__ import annotations

import json
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from omniops_tui.live.hangup import DEADLINE_S

MINIMAL_APP = """
import sys
from pathlib import Path
from textual.app import App
from textual.widgets import Static
class Minimal(App):
    def compose(self):
        yield Static("hello")
    def on_mount(self):
        Path(sys.argv[1]).write_text("ready")
Minimal().run()
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def hang_up(command: list[str], ready: Callable[[], bool]) -> float:
    """Seconds from `tmux kill-server` until the process under it has ended."""
    server = f"omniops-bench-{uuid.uuid4().hex[:8]}"
    tmux = ["tmux", "-L", server]
    subprocess.run(
        [*tmux, "new-session", "-d", "-x", "80", "-y", "24", "exec " + shlex.join(command)], check=True
    )
    pid = int(
        subprocess.run([*tmux, "list-panes", "-F", "#{pane_pid}"], capture_output=True, text=True).stdout
    )
    deadline = time.monotonic() + 60
    while not ready():
        if time.monotonic() > deadline:
            subprocess.run([*tmux, "kill-server"], check=False)
            raise SystemExit(f"{command[2:]} never got ready")
        time.sleep(0.05)
    started = time.perf_counter()
    subprocess.run([*tmux, "kill-server"], check=False)
    while _alive(pid):
        if time.perf_counter() - started > 30:
            raise SystemExit(f"{command[2:]} outlived its terminal by 30 s")
        time.sleep(0.01)
    return time.perf_counter() - started


def _screen_recorded(sessions: Path) -> bool:
    files = sorted(sessions.glob("*.jsonl")) if sessions.is_dir() else []
    return bool(files) and "screen_opened" in files[0].read_text()


def main(rounds: int = 5) -> dict[str, object]:
    exits: list[float] = []
    minimal: list[float] = []
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for round_ in range(rounds):
            sessions = folder / f"sessions-{round_}"
            app = [sys.executable, "-m", "omniops_tui", "--config", str(folder / "none.toml")]
            (folder / "none.toml").write_text("")
            exits.append(
                hang_up([*app, "--sessions-dir", str(sessions)], lambda s=sessions: _screen_recorded(s))
            )
            ready = folder / f"minimal-{round_}"
            minimal.append(hang_up([sys.executable, "-c", MINIMAL_APP, str(ready)], ready.exists))
    return {
        "exit_s": round(statistics.median(exits), 3),
        "exit_range_s": [round(min(exits), 3), round(max(exits), 3)],
        "textual_minimal_s": round(statistics.median(minimal), 3),
        "deadline_s": DEADLINE_S,
        "rounds": rounds,
    }


if __name__ == "__main__":
    print(json.dumps(main()))
