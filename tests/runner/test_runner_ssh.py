"""Runs on the sandbox's hosts over the pooled SSH connection: one host, a group, interrupt."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from omniops_tui.config.model import load_config
from omniops_tui.core.events import CommandFinished, CommandOutput, Event
from omniops_tui.live.run_policy import Policy, confirmation_for, parse_target, plan_run
from omniops_tui.live.runner import CommandRunner
from omniops_tui.probes.context import CheckContext
from omniops_tui.runbooks.placeholders import substitute_for
from omniops_tui.runbooks.safety import classify
from omniops_tui.sandbox import Sandbox
from tests.runner.test_runner_local import wait_for


@pytest.fixture
async def wired(sandbox: Sandbox, sandbox_config: Path) -> AsyncIterator[tuple[Any, Any, CheckContext]]:
    config = load_config(sandbox_config)
    environment = config.environment()
    context = CheckContext(config, environment)
    try:
        yield config, environment, context
    finally:
        await context.aclose()


def plan_on(wired: Any, code: str, target: str):  # type: ignore[no-untyped-def]
    config, environment, _ = wired
    substitution = substitute_for(code, config, environment)
    return plan_run(
        substitution, classify(code), parse_target(target, environment), Policy.of(config, environment)
    )


async def test_a_script_on_one_host(wired: Any) -> None:
    events: list[Event] = []
    runner = CommandRunner(record=events.append, ssh=wired[2])
    plan = plan_on(wired, "hostname\nuptime | grep -c load\nexit 7", "prod-2")
    run = await runner.run(plan, confirmation_for(plan, True))
    assert run.exit_code == 7 and run.hosts["prod-2"].output.text().splitlines() == ["prod-2", "1"]
    outputs = [e for e in events if isinstance(e, CommandOutput)]
    assert outputs and all(e.host == "prod-2" for e in outputs)


async def test_a_group_runs_concurrently_with_output_per_host(wired: Any) -> None:
    events: list[Event] = []
    runner = CommandRunner(record=events.append, ssh=wired[2])
    run = await runner.run(plan_on(wired, "hostname && df -P / | tail -1", "all"), "key")
    assert run.exit_code == 0 and set(run.hosts) == {"prod-1", "prod-2"}
    for name, host in run.hosts.items():
        assert host.output.text().splitlines()[0] == name
    finished = {e.host: e for e in events if isinstance(e, CommandFinished)}
    assert set(finished) == {"prod-1", "prod-2"} and all(e.exit_code == 0 for e in finished.values())
    assert events[0].target == "prod-1, prod-2"  # type: ignore[attr-defined]


async def test_interrupting_a_remote_tail_f(wired: Any) -> None:
    runner = CommandRunner(ssh=wired[2], grace_s=5)
    run = runner.start(plan_on(wired, "tail -f /var/log/omniops/combined.log", "prod-1"), "key")
    await wait_for(lambda: run.hosts["prod-1"].output.total_lines > 5)
    run.interrupt()
    await asyncio.wait_for(run.wait(), 20)
    assert run.hosts["prod-1"].exit_code == 130 and run.hosts["prod-1"].interrupted_by == "user"


async def test_an_unknown_host_or_dead_connection_is_an_error_not_a_crash(
    wired: Any, sandbox: Sandbox
) -> None:
    runner = CommandRunner(ssh=wired[2])
    plan = plan_on(wired, "uptime", "prod-1")
    await sandbox.stop()
    run = await asyncio.wait_for(runner.run(plan, "key"), 30)
    assert run.hosts["prod-1"].exit_code is None and run.hosts["prod-1"].error
    assert run.exit_code == 1


async def test_a_restart_on_the_hosts_ends_the_outage(wired: Any, sandbox: Sandbox) -> None:
    sandbox.set_scenario("outage")
    async with httpx.AsyncClient(base_url=sandbox.base_url) as http:
        assert (await http.get("/api/health")).status_code == 503
        runner = CommandRunner(ssh=wired[2])
        plan = plan_on(wired, "pm2 restart omniops-app", "prod-1")
        run = await runner.run(plan, confirmation_for(plan, True))
        assert run.exit_code == 0 and "online" in run.hosts["prod-1"].output.text()
        assert (await http.get("/api/health")).status_code == 200
