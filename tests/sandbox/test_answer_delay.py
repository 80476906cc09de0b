"""`answer_delay_ms`: every HTTP and SSH answer waits as a network's round trip would, and says
exactly what an undelayed sandbox says (the benches compare the two, so only time may differ).

Durations are asserted from below only: an asyncio.sleep never ends early, however loaded the
machine, so "took at least the delay" is behaviour; how much longer is the machine's business.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import asyncssh
import httpx
import pytest

from omniops_tui.sandbox import Sandbox
from tests.cli_helper import run_cli
from tests.sandbox.conftest import connect

DELAY_MS = 30
AT_LEAST = DELAY_MS / 1000 - 0.001  # the clocks' rounding, not a tolerance on the delay

# Answers that are the same in two sandboxes started apart (no clock, port or counter in them).
PATHS = ["/api/version", "/__sandbox/scenario", "/no/such/page", "/api/health/huge?mb=0"]
COMMANDS = ["hostname", "nproc", "cat /etc/hostname", "cat /no/such/file", "echo a | grep b"]


@pytest.fixture
async def pair() -> AsyncIterator[tuple[Sandbox, Sandbox]]:
    """An undelayed sandbox and one with DELAY_MS, otherwise alike."""
    async with Sandbox(hosts=1) as plain, Sandbox(hosts=1, answer_delay_ms=DELAY_MS) as delayed:
        yield plain, delayed


async def _timed_get(client: httpx.AsyncClient, path: str) -> tuple[float, httpx.Response]:
    started = time.monotonic()
    response = await client.get(path)
    return time.monotonic() - started, response


async def test_http_answers_wait_and_say_the_same(pair: tuple[Sandbox, Sandbox]) -> None:
    plain, delayed = pair
    async with (
        httpx.AsyncClient(base_url=plain.base_url, timeout=30) as fast,
        httpx.AsyncClient(base_url=delayed.base_url, timeout=30) as slow,
    ):
        await slow.get("/api/version")  # the connection is made: what follows is answers only
        for path in [*PATHS, "/metrics"]:
            elapsed, answer = await _timed_get(slow, path)
            expected = await fast.get(path)
            assert elapsed >= AT_LEAST, path
            assert answer.status_code == expected.status_code, path
            if path != "/metrics":  # its counters and clock differ between two sandboxes
                assert answer.content == expected.content, path
                assert answer.headers["content-type"] == expected.headers["content-type"]

        # Scenario switching works through the delay, and what it switches to is the same.
        for client in (fast, slow):
            switched = await client.post("/__sandbox/scenario", json={"scenario": "outage"})
            assert switched.json()["scenario"] == "outage"
        elapsed, answer = await _timed_get(slow, "/api/health")
        expected = await fast.get("/api/health")
        assert elapsed >= AT_LEAST
        assert (answer.status_code, answer.content) == (503, expected.content)
    assert delayed.scenario == "outage"


async def test_ssh_commands_wait_and_say_the_same(pair: tuple[Sandbox, Sandbox]) -> None:
    plain, delayed = pair
    fast, slow = await connect(plain), await connect(delayed)
    try:
        for command in COMMANDS:
            started = time.monotonic()
            answer = await asyncio.wait_for(slow.run(command), timeout=30)
            elapsed = time.monotonic() - started
            expected = await asyncio.wait_for(fast.run(command), timeout=30)
            assert elapsed >= AT_LEAST, command
            assert (answer.stdout, answer.stderr, answer.exit_status) == (
                expected.stdout,
                expected.stderr,
                expected.exit_status,
            ), command
    finally:
        for conn in (fast, slow):
            conn.close()
            await conn.wait_closed()


async def test_ssh_scenario_is_read_after_the_delay() -> None:
    """A command answers from the scenario production is in when it answers, delayed or not."""
    async with Sandbox(hosts=1, answer_delay_ms=DELAY_MS) as sandbox:
        conn: asyncssh.SSHClientConnection = await connect(sandbox)
        try:
            sandbox.set_scenario("disk-full")
            full = await asyncio.wait_for(conn.run("df -P /"), timeout=30)
            sandbox.set_scenario("healthy")
            healthy = await asyncio.wait_for(conn.run("df -P /"), timeout=30)
        finally:
            conn.close()
            await conn.wait_closed()
    assert full.exit_status == healthy.exit_status == 0
    assert full.stdout != healthy.stdout


@pytest.mark.parametrize("value", [-1, 1001])
def test_sandbox_refuses_a_delay_out_of_bounds(value: int) -> None:
    with pytest.raises(ValueError, match="answer_delay_ms"):
        Sandbox(answer_delay_ms=value)


@pytest.mark.parametrize("value", ["-1", "1001", "soon", "1.5"])
def test_cli_refuses_a_bad_delay_as_a_usage_error(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Click's range check, before anything starts: exit 2 and one line naming the option."""
    assert run_cli(["sandbox", "--answer-delay-ms", value]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("omniops-tui: error: "), lines
    assert "--answer-delay-ms" in lines[0] and "sandbox --help" in lines[0]
