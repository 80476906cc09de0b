"""Hang-ups end the process (issue 10 §10): the real TUI, the demo and a replay run in tmux,
`tmux kill-server` hangs their terminal up, and each process is gone within a few seconds
with its record ended (`session_ended "signal SIGHUP"`). Generous deadlines: these assert
that the process ends, not how fast (bench: the exit deadline is 1.8 s)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.sessions.conftest import incident_script, record_script
from tests.tmux import REPO, Tmux

GONE_WITHIN_S = 10.0


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


async def _until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, what
        await asyncio.sleep(0.1)


def _events(sessions: Path) -> list[dict[str, Any]]:
    files = sorted(sessions.glob("*.jsonl"))
    if not files:
        return []
    return [json.loads(line) for line in files[0].read_text().splitlines()[1:] if line.endswith("}")]


def _types(sessions: Path) -> list[str]:
    return [event["type"] for event in _events(sessions)]


@pytest.fixture
def tmux() -> Any:
    server = Tmux()
    yield server
    server.kill_server()


def _env(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return {
        "PYTHONPATH": str(REPO),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
        "TMPDIR": str(tmp_path / "tmp"),
        "TERM": "xterm-256color",
    }


async def _hang_up_and_wait(tmux: Tmux, pid: int) -> None:
    assert _alive(pid)
    tmux.kill_server()
    await _until(lambda: not _alive(pid), GONE_WITHIN_S, "the process outlived its terminal")


async def test_the_live_tui_with_logs_open_ends_on_hang_up(tmux: Tmux, sandbox: Any, tmp_path: Path) -> None:
    config = sandbox.write_config(tmp_path / "config.toml")
    sessions = tmp_path / "sessions"
    pid = tmux.start(
        [sys.executable, "-m", "omniops_tui", "--config", str(config), "--sessions-dir", str(sessions)],
        _env(tmp_path),
    )
    await _until(lambda: "metric_sample" in _types(sessions), 60, "no metric sample (live checks)")
    tmux.send("l")
    await _until(lambda: "log_lines" in _types(sessions), 60, "no log lines (SSH streams)")
    assert sandbox.open_ssh_connections > 0
    await _hang_up_and_wait(tmux, pid)
    last = _events(sessions)[-1]
    assert (last["type"], last["reason"]) == ("session_ended", "signal SIGHUP")
    await _until(lambda: sandbox.open_ssh_connections == 0, 30, "SSH connections left open")


async def test_the_demo_ends_on_hang_up_and_leaves_nothing_behind(
    tmux: Tmux, tmp_path: Path, postgres_url: str, redis_url: str
) -> None:
    from omniops_tui.sandbox.demo_data import CACHE_PREFIX, DEMO_DATABASE, MACHINE
    from tests.sandbox.test_demo_data import databases, keys
    from tests.services import server_url

    redis_url = redis_url.rsplit("/", 1)[0] + "/9"  # keys no older demo on this machine deletes
    sessions = tmp_path / "sessions"
    env = _env(tmp_path)
    pid = tmux.start(
        [
            sys.executable,
            "-m",
            "omniops_tui",
            "--sessions-dir",
            str(sessions),
            "demo",
            "--no-tour",
            "--no-s3",
            "--database-url",
            server_url(postgres_url),
            "--redis-url",
            redis_url,
        ],
        env,
    )
    run = f"{MACHINE}_{pid}_"
    await _until(lambda: "metric_sample" in _types(sessions), 90, "the demo did not sample")
    assert [n for n in await databases(postgres_url) if n.startswith(f"{DEMO_DATABASE}_{run}")]
    assert await keys(redis_url, f"{CACHE_PREFIX}{run}")
    tmux.send("l")
    await _until(lambda: "log_lines" in _types(sessions), 60, "no log lines in the demo")
    await _hang_up_and_wait(tmux, pid)
    last = _events(sessions)[-1]
    assert (last["type"], last["reason"]) == ("session_ended", "signal SIGHUP")
    assert list((tmp_path / "tmp").glob("omniops-demo-*")) == []  # its private key went with it
    assert not [n for n in await databases(postgres_url) if n.startswith(f"{DEMO_DATABASE}_{run}")]
    assert await keys(redis_url, f"{CACHE_PREFIX}{run}") == []


async def test_a_replay_ends_on_hang_up(tmux: Tmux, tmp_path: Path) -> None:
    recorded = record_script(tmp_path / "recorded", incident_script())
    pid = tmux.start(
        [sys.executable, "-m", "omniops_tui", "sessions", "replay", str(recorded.path), "--speed", "max"],
        _env(tmp_path),
    )
    await _until(lambda: "omniops-tui" in tmux.screen(), 60, "the replay did not draw")
    await _hang_up_and_wait(tmux, pid)


def test_a_blocked_main_thread_still_exits_by_the_deadline(tmp_path: Path) -> None:
    """The guarantee under the fix: with the main thread stuck for good (as it was on the dead
    terminal), SIGHUP and SIGTERM still end the process, the record's last words first."""
    script = (
        "import sys, threading\n"
        "from omniops_tui.live.hangup import HangupGuard\n"
        "out = sys.argv[1]\n"
        "say = lambda name: open(out, 'w').write(name)\n"
        "guard = HangupGuard(lambda name: None, last_words=say, deadline=0.5)\n"
        "assert guard.install()\n"
        "print('ready', flush=True)\n"
        "lock = threading.Lock(); lock.acquire(); lock.acquire()\n"
    )
    for signum, name in ((1, "SIGHUP"), (15, "SIGTERM")):
        out = tmp_path / f"last-words-{name}"
        child = subprocess.Popen(
            [sys.executable, "-c", script, str(out)],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        assert child.stdout is not None and child.stdout.readline() == "ready\n"
        child.send_signal(signum)
        assert child.wait(GONE_WITHIN_S) == 128 + signum
        assert out.read_text() == name
