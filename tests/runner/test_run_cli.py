"""`omniops-tui run` and `commands` as a person types them, against the sandbox production."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path

import httpx

from omniops_tui.sandbox import Sandbox
from omniops_tui.sessions.reader import read_session


async def cli(*argv: str, cwd: Path | None = None) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "omniops_tui", *argv,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 120)
    return process.returncode or 0, out.decode(), err.decode()


def session_events(sessions: Path) -> list[dict]:
    """The events of the newest session in the folder."""
    path = max(sessions.glob("*.jsonl"), key=lambda p: p.stat().st_mtime_ns)
    return [json.loads(line) for line in path.read_text().splitlines()[1:]]


async def test_commands_prints_blocks_as_copied(sandbox: Sandbox, sandbox_config: Path) -> None:
    code, out, err = await cli("--config", str(sandbox_config), "commands", "disaster-recovery")
    assert code == 0, err
    assert f'curl -f {sandbox.base_url}/api/health || echo "Site DOWN"' in out
    assert 'ssh prod-1 "uptime" || echo "Server DOWN"' in out
    assert "# ── disaster-recovery/step-1-assess-damage/code-1 (bash, read-only) · needs production" in out
    code, out, _ = await cli(
        "--config", str(sandbox_config), "commands", "hotfix", "--json", "--section", "rollback-procedure"
    )
    entries = json.loads(out)
    assert [e["id"] for e in entries] == ["hotfix/rollback-procedure/if-hotfix-introduces-new-issues/code-1"]
    assert entries[0]["safety"] == "destructive" and entries[0]["original"] != entries[0]["text"]
    assert entries[0]["spans"][0]["source"] == "configured"


async def test_a_read_only_step_runs_and_is_recorded(
    sandbox: Sandbox, sandbox_config: Path, tmp_path: Path
) -> None:
    sessions = tmp_path / "sessions"
    args = ("--config", str(sandbox_config), "--sessions-dir", str(sessions), "run", "disaster-recovery")
    code, out, err = await cli(*args, "step-1-assess-damage")
    assert code == 2 and "placeholder production has no value" in err and "--set TOKEN=VALUE" in err
    code, out, err = await cli(*args, "1", "--set", "production=127.0.0.1", cwd=tmp_path)
    assert '"status":"ok"' in out  # curl of the sandbox's health
    assert " up 12 days" in out  # `ssh prod-1 "uptime"` through the sandbox's ssh_config
    events = [e for e in session_events(sessions) if e["type"].startswith("command_")]
    started = events[0]
    assert (
        started["type"] == "command_started"
        and started["confirmation"] == "key"
        and started["via"] == "headless"
    )
    assert {"placeholder": "production", "value": "127.0.0.1", "source": "typed"} in started["placeholders"]
    assert f"curl -f {sandbox.base_url}/api/health" in started["command"]
    assert events[-1]["type"] == "command_finished" and events[-1]["exit_code"] == code


async def test_destructive_steps_need_the_typed_name_and_read_only_refuses(
    sandbox: Sandbox, sandbox_config: Path, tmp_path: Path
) -> None:
    sandbox.set_scenario("outage")
    sessions = tmp_path / "s1"
    base = ("--config", str(sandbox_config), "--sessions-dir", str(sessions))
    step = ("run", "emergency-rollback", "step-3-self-hosted-rollback")
    code, _, err = await cli(*base, *step, "--yes")
    assert code == 2 and "needs --yes --confirm sandbox" in err
    code, _, err = await cli(*base, *step, "--yes", "--confirm", "production")
    assert code == 2
    code, _, err = await cli(*base, "--read-only", *step, "--yes", "--confirm", "sandbox")
    assert code == 2 and "read-only mode (--read-only)" in err
    types = [
        e["type"]
        for path in sessions.glob("*.jsonl")
        for e in map(json.loads, path.read_text().splitlines()[1:])
    ]
    assert types.count("command_refused") == 3 and "command_started" not in types
    assert sandbox.scenario == "outage"  # nothing ran


async def test_rehearsing_the_rollback_headless_ends_the_outage(
    sandbox: Sandbox, sandbox_config: Path, tmp_path: Path
) -> None:
    sandbox.set_scenario("outage")
    sessions = tmp_path / "s"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "omniops_tui", "--config", str(sandbox_config), "--sessions-dir", str(sessions),
        "run", "emergency-rollback", "step-3-self-hosted-rollback", "--yes", "--confirm", "sandbox",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=tmp_path,
    )  # fmt: skip
    assert process.stdout is not None
    seen = b""
    deadline = time.monotonic() + 60
    while b"online" not in seen:  # pm2 restart printed its table; `pm2 logs` now streams forever
        assert time.monotonic() < deadline, seen[-2000:]
        seen += await asyncio.wait_for(process.stdout.read(65536), 60)
    async with httpx.AsyncClient(base_url=sandbox.base_url) as http:
        health = await http.get("/api/health")
    assert health.status_code == 200 and sandbox.scenario == "healthy" and sandbox.version == "v1.2.0"
    process.send_signal(signal.SIGINT)  # ctrl+c: stops the log stream and the step
    _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 130, err.decode()
    events = session_events(sessions)
    started = next(e for e in events if e["type"] == "command_started")
    finished = next(e for e in events if e["type"] == "command_finished")
    assert started["confirmation"] == "--yes --confirm sandbox" and started["safety"] == "destructive"
    assert finished["interrupted_by"] == "user"
    recorded = "".join(e["text"] for e in events if e["type"] == "command_output")
    assert "Rolling back to: v1.2.0" in recorded and "HEAD is now at" in recorded


async def test_a_bound_item_ticks_itself_from_its_commands_exit_code(
    sandbox_config: Path, tmp_path: Path
) -> None:
    sessions = tmp_path / "s"
    code, out, err = await cli(
        "--config", str(sandbox_config), "--sessions-dir", str(sessions),
        "run", "standard-release", "all-tests-passing-npm-run-test-all", "--target", "prod-1",
    )  # fmt: skip
    assert code == 0, err
    assert "Tests:       1024 passed" in out and "ticked: All tests passing" in err
    session = read_session(next(sessions.glob("*.jsonl")))
    ticks = [e for e in session.events if e.type == "item_checked"]
    assert len(ticks) == 1 and ticks[0].source == "run"  # type: ignore[attr-defined]
    assert "exited 0 on prod-1" in ticks[0].reason and "1024 passed" in ticks[0].reason  # type: ignore[attr-defined]
