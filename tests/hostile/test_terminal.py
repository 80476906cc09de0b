"""Remote text never drives the engineer's terminal (issue 10 §1), checked on a real one: the
TUI runs in tmux with `set-clipboard on` (as the README recommends) against the `hostile`
sandbox, whose logs, health bodies and `docker-compose ps` carry OSC 52 (clipboard), OSC 2
(title), screen wipes, cursor moves, 8-bit CSI and markup; then the recorded session is replayed
there, and a command's hostile output is run to the same terminal. Afterwards tmux holds no
paste buffer, every pane kept its title, and the payloads are on screen as visible text (`␛`)."""

from __future__ import annotations

import asyncio
import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from omniops_tui.sandbox import Sandbox
from tests.runner.drill import RUNBOOK, write_drill
from tests.tmux import REPO, Tmux


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    server = Tmux(options=("set -s set-clipboard on", "set -g remain-on-exit on"))
    yield server
    server.kill_server()


async def _until(tmux: Tmux, condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Wait for `condition`; on a timeout, say `what` and show the screen of every window."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what}\n{tmux.screens()}")
        await asyncio.sleep(0.1)


def _events(sessions: Path) -> list[dict[str, Any]]:
    files = sorted(sessions.glob("*.jsonl"))
    lines = files[0].read_text().splitlines()[1:] if files else []
    return [json.loads(line) for line in lines if line.endswith("}")]


def _recorded(sessions: Path, kind: str, needle: str) -> bool:
    return any(e["type"] == kind and needle in json.dumps(e, ensure_ascii=False) for e in _events(sessions))


def _replayed_to_the_end(screen: str) -> bool:
    """The replay bar says `+0:00:05/0:00:05`: the position is the duration."""
    found = re.search(r"\+(\d+:\d\d:\d\d)/(\d+:\d\d:\d\d)", screen)
    return found is not None and found.group(1) == found.group(2)


def _omniops(*args: str) -> list[str]:
    return [sys.executable, "-m", "omniops_tui", *args]


def _untouched(tmux: Tmux, window: str, title: str) -> None:
    assert tmux.buffers() == [], "an OSC 52 sequence wrote the clipboard"
    assert tmux.display("#{pane_title}", window) == title, "a sequence set the terminal's title"


async def test_hostile_text_cannot_write_the_clipboard_or_the_title_live_or_in_replay(
    tmux: Tmux, hostile_sandbox: tuple[Sandbox, Path], tmp_path: Path
) -> None:
    _sandbox, config = hostile_sandbox
    sessions = tmp_path / "sessions"
    env = {
        "PYTHONPATH": str(REPO),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
        "TERM": "xterm-256color",
    }

    # Live: the check answers (Standard Release's bound checks), then the logs.
    tmux.start(_omniops("--config", str(config), "--sessions-dir", str(sessions)), env)
    title = tmux.display("#{pane_title}")
    await _until(tmux, lambda: "● rec" in tmux.screen(), 60, "the TUI did not draw")
    tmux.send("1")
    await _until(tmux, lambda: _recorded(sessions, "check_result", "\\u001b"), 60, "no hostile check answer")
    tmux.send("Escape")  # alone: ESC and l in one write would be alt+l
    await _until(tmux, lambda: "Standard Release    " in tmux.screen(), 30, "not back on the overview")
    tmux.send("l")
    await _until(tmux, lambda: _recorded(sessions, "log_lines", "\\u001b]52"), 60, "no hostile log line")
    await _until(tmux, lambda: "␛" in tmux.screen(), 30, "the log pane did not show the payloads as text")
    _untouched(tmux, "main", title)
    assert tmux.screen().startswith(" omniops-tui › Logs")  # never wiped, never moved
    tmux.send("C-q")
    await _until(tmux, lambda: tmux.display("#{pane_dead}") == "1", 30, "the TUI did not quit")
    _untouched(tmux, "main", title)

    # Replay: the same screens from the record, which keeps the bytes as they came.
    (recorded,) = sessions.glob("*.jsonl")
    tmux.start(_omniops("sessions", "replay", str(recorded), "--speed", "max"), env, window="replay")
    await _until(
        tmux, lambda: _replayed_to_the_end(tmux.screen("replay")), 60, "the replay did not play to the end"
    )
    await _until(tmux, lambda: "› Logs" in tmux.screen("replay"), 30, "the replay did not follow to the logs")
    tmux.send("/", window="replay")  # filter: the lines that wrote the clipboard, live
    await _until(tmux, lambda: "filter: a regex" in tmux.screen("replay"), 30, "no filter field")
    tmux.send("52;c", "Enter", window="replay")
    await _until(tmux, lambda: "␛]52;" in tmux.screen("replay"), 30, "no payload shown")  # cut at 80 columns
    _untouched(tmux, "replay", title)
    tmux.send("C-q", window="replay")
    await _until(tmux, lambda: tmux.display("#{pane_dead}", "replay") == "1", 30, "the replay did not quit")

    # A command's output to the terminal (`omniops-tui run`): an OSC 52 ended by BEL.
    drill = write_drill(tmp_path / "team")
    run = _omniops(
        "--runbooks", str(drill), "--sessions-dir", str(sessions), "run", RUNBOOK, "step-11-hostile-output"
    )
    tmux.start(run, env, window="run")
    await _until(tmux, lambda: tmux.display("#{pane_dead}", "run") == "1", 60, "the run did not end")
    assert "a␛]52;c;eA==␇b [/x] [@click=app.quit]" in tmux.screen("run")
    _untouched(tmux, "run", title)
