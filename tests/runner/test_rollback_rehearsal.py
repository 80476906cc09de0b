"""Rehearse Emergency Rollback against the sandbox, as the UI will run it, and replay the record."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from omniops_tui.config.model import load_config
from omniops_tui.core.events import Event
from omniops_tui.live.headless_run import local_ssh_config
from omniops_tui.live.run_policy import Policy, Target, confirmation_for, plan_run
from omniops_tui.live.runner import CommandRunner
from omniops_tui.probes.context import CheckContext
from omniops_tui.runbooks.model import RunbookSet
from omniops_tui.runbooks.placeholders import substitute_for
from omniops_tui.runbooks.safety import classify_block
from omniops_tui.sandbox import Sandbox
from omniops_tui.sessions.state import SessionState
from tests.runner.test_runner_local import wait_for


async def test_walk_emergency_rollback_with_the_docker_steps(
    sandbox: Sandbox, sandbox_config: Path, runbook_set: RunbookSet, tmp_path: Path
) -> None:
    sandbox.set_scenario("outage")
    config = load_config(sandbox_config)
    environment = config.environment()
    runbook = runbook_set.get("emergency-rollback")
    assert runbook is not None
    blocks = {block.id.rsplit("/", 2)[-2]: block for block in runbook.command_blocks()}
    events: list[Event] = []
    context = CheckContext(config, environment)
    runner = CommandRunner(
        record=events.append,
        ssh=context,
        cwd=tmp_path,
        local_ssh_config=local_ssh_config(environment),
        grace_s=5,
    )

    def plan(name: str):  # type: ignore[no-untyped-def]
        block = blocks[name]
        substitution = substitute_for(block.code, config, environment)
        policy = Policy.of(config, environment)
        return plan_run(
            substitution,
            classify_block(block),
            Target.local(),
            policy,
            runbook_id=runbook.id,
            block_id=block.id,
        )

    try:
        declare = plan("incident-declaration")
        assert declare.needs == ["YOUR/WEBHOOK/URL", "SERVICE_ID"]  # the engineer types them first
        identify = plan("identify-current-and-previous-versions")
        run = await runner.run(identify, confirmation_for(identify, True))
        assert "Current version: " in run.hosts[""].output.text()

        docker = plan("step-2-docker-rollback")
        assert docker.confirm == "type" and docker.refusal == "" and docker.needs == []
        run = runner.start(docker, confirmation_for(docker, "sandbox"))
        await wait_for(lambda: "Up (healthy)" in run.hosts[""].output.text(), 60)
        async with httpx.AsyncClient(base_url=sandbox.base_url) as http:
            assert (await http.get("/api/health")).status_code == 200
        assert sandbox.version == "v1.2.0"
        run.interrupt()  # `docker-compose logs -f` streams until stopped
        await asyncio.wait_for(run.wait(), 30)
    finally:
        await runner.aclose()
        await context.aclose()

    state = SessionState()
    for event in events:
        state.apply(event)
    runs = state.commands
    rollback = runs.latest(blocks["step-2-docker-rollback"].id)
    assert rollback is not None and rollback.done and rollback.started.confirmation == "typed:sandbox"
    assert rollback.finished[""].interrupted_by == "user"
    assert "Rolling back to: v1.2.0" in rollback.text() and "Up (healthy)" in rollback.text()
    replayed = state.snapshot().commands.latest(rollback.started.block_id)
    assert replayed is not None and replayed.text() == rollback.text()
