"""The `hostile` scenario really sends the payloads, through HTTP and SSH, and a huge body."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import httpx

from omniops_tui.config.model import load_config
from omniops_tui.probes.context import CheckContext
from omniops_tui.probes.ssh import run
from omniops_tui.sandbox import Sandbox
from omniops_tui.sandbox.hostile import (
    CLEAR_SCREEN,
    JSON_TOKEN,
    OSC2_TITLE,
    OSC52_CLIPBOARD,
    PG_PASSWORD,
    SQL_PASSWORD,
)


async def test_http_bodies_carry_control_sequences_markup_and_secrets(
    hostile_sandbox: tuple[Sandbox, Path],
) -> None:
    sandbox, _config = hostile_sandbox
    async with httpx.AsyncClient(base_url=sandbox.base_url, timeout=10) as http:
        health = await http.get("/api/health")
        assert health.status_code == 200
        assert OSC52_CLIPBOARD.encode() in health.content and b"[@click=app.quit]" in health.content
        comprehensive = (await http.get("/api/health/comprehensive")).json()
        assert comprehensive["database"].startswith("[/db/primary] " + OSC2_TITLE)
        assert comprehensive["token"] == JSON_TOKEN and comprehensive["status"] == "ok"


async def test_the_huge_body_streams_exactly_the_size_asked(hostile_sandbox: tuple[Sandbox, Path]) -> None:
    sandbox, _config = hostile_sandbox
    async with httpx.AsyncClient(base_url=sandbox.base_url, timeout=30) as http:
        async with http.stream("GET", "/api/health/huge", params={"mb": "3"}) as response:
            assert response.headers["content-length"] == str(3 << 20)
            size = 0
            async for chunk in response.aiter_raw():
                size += len(chunk)
        assert size == 3 << 20
        small = await http.get("/api/health/huge", params={"mb": "0.001"})
        assert small.json()["status"] == "ok" and len(small.content) == int(0.001 * (1 << 20))
        head = await http.head("/api/health/huge")
        assert head.headers["content-length"] == str(1 << 20) and head.content == b""


async def test_ssh_logs_and_commands_carry_them_too(hostile_sandbox: tuple[Sandbox, Path]) -> None:
    _sandbox, config_path = hostile_sandbox
    config = load_config(config_path)
    context = CheckContext.from_config(config)
    try:
        host = context.hosts[0]
        tail = await run(context, host, "tail -n 2000 /var/log/omniops/error.log")
        assert tail.ok
        for needle in (OSC52_CLIPBOARD, CLEAR_SCREEN, "[link=file:///etc/passwd]", PG_PASSWORD, SQL_PASSWORD):
            assert needle in tail.stdout, needle
        compose = await run(context, host, "docker-compose ps")
        assert OSC2_TITLE in compose.stdout and "Exit 1" in compose.stdout
    finally:
        await context.aclose()


async def test_sandbox_command_serves_the_hostile_scenario() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "omniops_tui",
        "sandbox",
        "--scenario",
        "hostile",
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    try:
        lines: list[str] = []
        while not any(line.startswith("  folder:") for line in lines):
            line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
            assert line, lines
            lines.append(line)
        assert "scenario hostile" in lines[0]
        base_url = next(line.split()[-1] for line in lines if line.startswith("  http:"))
        folder = Path(next(line.split()[-1] for line in lines if line.startswith("  folder:")))
        async with httpx.AsyncClient(timeout=10) as http:
            assert OSC52_CLIPBOARD.encode() in (await http.get(f"{base_url}/api/health")).content
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)
    assert process.returncode == 0 and not folder.exists()


def test_demo_accepts_the_hostile_scenario(tmp_path: Path) -> None:
    from omniops_tui.cli import Options
    from omniops_tui.ui.demo_runner import prepare_demo_app

    options = Options(
        runbooks=None, sessions_dir=tmp_path / "sessions", config=None, env=None, read_only=False
    )
    app, services = prepare_demo_app(options, scenario="hostile", with_s3=False, tour=False)
    try:
        assert services.scenario == "hostile" and services.sandbox.scenario == "hostile"
        assert app.live is not None and app.live.setup.environment is not None
    finally:
        services.close()
