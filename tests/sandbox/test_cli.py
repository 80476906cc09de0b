"""`omniops-tui sandbox` as a real process: banner, config, stdin switching, clean signals."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from omniops_tui.config.model import load_config

ROOT = Path(__file__).resolve().parents[2]


async def _start(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "omniops_tui",
        "sandbox",
        *args,
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


@contextlib.asynccontextmanager
async def _sandbox(*args: str) -> AsyncIterator[asyncio.subprocess.Process]:
    """`omniops-tui sandbox ARGS` as a process, killed on the way out if a test left it running."""
    process = await _start(*args)
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def _stop(process: asyncio.subprocess.Process, sig: signal.Signals) -> bytes:
    """Send `sig` and wait for the process to end; its stderr."""
    process.send_signal(sig)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    return stderr


async def _read_until(process: asyncio.subprocess.Process, pattern: str, seen: list[str]) -> re.Match[str]:
    assert process.stdout is not None
    while True:
        line = (await asyncio.wait_for(process.stdout.readline(), timeout=60)).decode()
        assert line, f"process ended early; output so far: {seen}"
        seen.append(line)
        match = re.search(pattern, line)
        if match:
            return match


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
async def test_sandbox_command_runs_switches_and_stops_cleanly(sig: signal.Signals) -> None:
    seen: list[str] = []
    async with _sandbox("--hosts", "2", "--scenario", "slow") as process:
        base_url = (await _read_until(process, r"http:\s+(\S+)", seen)).group(1)
        folder = Path((await _read_until(process, r"folder:\s+(\S+)", seen)).group(1))
        config_path = Path((await _read_until(process, r"config:\s+(\S+)", seen)).group(1))
        await _read_until(process, r"ctrl\+c stops", seen)
        assert config_path.parent == folder and folder.is_dir()
        env = load_config(config_path).environment()
        assert env is not None and env.base_url == base_url and len(env.hosts) == 2
        assert any("check standard-release" in line for line in seen)

        assert process.stdin is not None
        process.stdin.write(b"error-spike\n")
        await process.stdin.drain()
        await _read_until(process, r"scenario: error-spike", seen)
        async with httpx.AsyncClient(base_url=base_url) as http:
            assert (await http.get("/__sandbox/scenario")).json()["scenario"] == "error-spike"
            await http.post("/__sandbox/scenario", json={"scenario": "outage"})
            await _read_until(process, r"scenario: outage", seen)  # switches by API are echoed
            process.stdin.write(b"meltdown\n")
            await process.stdin.drain()
            await _read_until(process, r"unknown scenario 'meltdown'", seen)

        stderr = await _stop(process, sig)
    assert process.returncode == 0, stderr
    assert b"Traceback" not in stderr
    assert not folder.exists()


async def test_config_out_and_stdin_at_eof(tmp_path: Path) -> None:
    target = tmp_path / "sandbox.toml"
    seen: list[str] = []
    async with _sandbox("--config-out", str(target)) as process:
        assert process.stdin is not None
        process.stdin.close()  # like running in the background: EOF on stdin must not stop it
        assert Path((await _read_until(process, r"config:\s+(\S+)", seen)).group(1)) == target
        await _read_until(process, r"ctrl\+c stops", seen)
        environment = load_config(target).environment()
        assert environment is not None
        async with httpx.AsyncClient(timeout=30) as client:  # still serving after EOF on stdin
            assert (await client.get(f"{environment.base_url}/api/health")).status_code == 200
        assert process.returncode is None
        stderr = await _stop(process, signal.SIGINT)
    assert process.returncode == 0 and b"Traceback" not in stderr
    assert target.exists()  # the user's file is kept


async def test_unknown_scenario_is_a_usage_error() -> None:
    process = await _start("--scenario", "meltdown")
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2
    assert b"meltdown" in stderr and b"Traceback" not in stderr


def test_cli_has_the_command() -> None:
    from click.testing import CliRunner

    from omniops_tui.cli import cli

    result = CliRunner().invoke(cli, ["sandbox", "--help"], env={**os.environ})
    assert result.exit_code == 0 and "--scenario" in result.output and "--config-out" in result.output


async def test_answer_delay_reaches_the_sandbox_process() -> None:
    """`--answer-delay-ms` is said in the banner and delays the process's answers."""
    seen: list[str] = []
    async with _sandbox("--answer-delay-ms", "30") as process:
        await _read_until(process, r"waits 30 ms", seen)
        base_url = (await _read_until(process, r"http:\s+(\S+)", seen)).group(1)
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
            await http.get("/api/version")  # connected: what is timed next is one answer
            started = time.monotonic()
            answer = await http.get("/api/version")
            assert time.monotonic() - started >= 0.029 and answer.status_code == 200
        stderr = await _stop(process, signal.SIGTERM)
    assert process.returncode == 0 and b"Traceback" not in stderr
