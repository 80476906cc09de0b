"""The runner: timeouts, never raising, concurrency, events — with targets that never answer."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest.mock import AsyncMock, patch

import pytest

from omniops_tui.core.events import CheckResultEvent, from_record, to_record
from omniops_tui.probes.base import CheckResult, CheckSpec
from omniops_tui.probes.runner import run_check, sweep, to_event, wait_or_wake
from tests.probes.conftest import context_from, env_toml, sandbox_context, spec


async def test_a_dead_target_costs_one_timeout_for_the_whole_sweep(
    sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HTTP, PostgreSQL and Redis checks against a server that accepts and never answers, next to
    live sandbox checks: the sweep ends after about one timeout, the live ones still pass."""
    from omniops_tui.sandbox import BlackholeServer

    async with BlackholeServer() as hole:
        monkeypatch.setenv("OMNIOPS_T_HOLE_DB", f"postgresql://postgres@{hole.address}/x")
        monkeypatch.setenv("OMNIOPS_T_HOLE_REDIS", f"redis://{hole.address}/0")
        dead = context_from(
            env_toml(
                base_url=f"http://{hole.address}",
                database_url_env="OMNIOPS_T_HOLE_DB",
                redis_url_env="OMNIOPS_T_HOLE_REDIS",
                timeout=1,
            )
        )
        dead_specs = [spec("http", f"http-{i}") for i in range(6)] + [
            spec("http_json", "json", field="errorRate"),
            spec("http_latency", "latency", timeout=1.0),
            spec("pg_ping", "pg"),
            spec("pg_connections", "pg-conn"),
            spec("redis_ping", "redis"),
            spec("tls_certificate", "tls", host="127.0.0.1", port=hole.port),
        ]
        live = sandbox_context(sandbox, tmp_path)
        try:
            import asyncio

            dead_out, live_out = await asyncio.gather(
                sweep(dead_specs, dead),
                sweep([spec("http", "live-health"), spec("ssh_uptime", "live-ssh")], live),
            )
        finally:
            await dead.aclose()
            await live.aclose()
        for check, result in dead_out:
            assert result.status == "error", (check.id, result)
            assert "timed out after 1 s" in result.summary or "timed out" in result.summary.lower(), result
            assert result.duration_ms >= 900  # each waited for its timeout …
        assert {r.status for _s, r in live_out} == {"pass"}
        assert hole.connections >= 10  # every client really connected and waited
        assert hole.peak >= 10  # … all at the same time: the sweep costs one timeout, not their sum


async def test_a_check_never_raises() -> None:
    context = context_from(env_toml(base_url="http://127.0.0.1:1"))
    unknown = await run_check(CheckSpec(id="x", kind="no_such_kind"), context)
    assert unknown.status == "error" and "unknown check kind" in unknown.summary
    broken = await run_check(spec("http_latency", metric="p99"), context)
    assert broken.status == "error" and "p99" in broken.summary
    refused = await run_check(spec("http"), context)
    assert refused.status == "error" and refused.evidence["asked"] == "GET http://127.0.0.1:1/api/health"
    assert refused.duration_ms > 0


async def test_sweep_reports_each_result_as_it_arrives_and_keeps_order(sandbox: Any, tmp_path: Path) -> None:
    context = sandbox_context(sandbox, tmp_path)
    seen: list[str] = []

    async def on_result(check: CheckSpec, result: CheckResult) -> None:
        seen.append(check.id)

    specs = [spec("http_latency", "slow-first", requests=20, concurrency=1), spec("http", "quick")]
    try:
        await sweep(specs[1:], context)  # httpx imported (off the loop) and its client made
        outcomes = await sweep(specs, context, on_result=on_result)
        sequential = await sweep(specs, context, concurrent=False, on_result=lambda s, r: seen.append(s.id))
    finally:
        await context.aclose()
    assert [s.id for s, _r in outcomes] == ["slow-first", "quick"]
    assert seen[:2] == ["quick", "slow-first"]  # the quick one finished first
    assert seen[2:] == ["slow-first", "quick"]
    assert [r.status for _s, r in sequential] == ["pass", "pass"]


async def test_results_become_session_events(sandbox: Any, tmp_path: Path) -> None:
    context = sandbox_context(sandbox, tmp_path)
    check = CheckSpec(
        id="health",
        kind="http",
        params={"path": "/api/health"},
        item_ids=("standard-release/verification-checklist/health-endpoint-returns-200-ok",),
    )
    try:
        [(ran, result)] = await sweep([check], context)
    finally:
        await context.aclose()
    event = to_event(ran, result)
    assert isinstance(event, CheckResultEvent)
    assert (event.check_id, event.kind, event.status, event.value) == ("health", "http", "pass", 200)
    assert event.item_ids == list(check.item_ids) and event.target == "http"
    assert event.evidence["asked"].endswith("/api/health") and event.duration_ms > 0
    assert from_record(to_record(event)) == event  # survives the JSONL record


async def test_missing_secret_is_an_error_result_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OMNIOPS_T_NOT_SET", raising=False)
    context = context_from(env_toml(redis_url_env="OMNIOPS_T_NOT_SET"))
    [(_s, result)] = await sweep([spec("redis_ping")], context)
    assert result.status == "error" and "$OMNIOPS_T_NOT_SET, which is not set" in result.summary


async def test_closed_context_refuses_new_ssh_connections() -> None:
    from omniops_tui.config.model import Config, Environment, HostConfig

    environment = Environment(name="e", hosts=[HostConfig(name="h", hostname="127.0.0.1", port=1)])
    context = context_from(env_toml(base_url="http://x"))
    await context.aclose()
    await context.aclose()  # idempotent
    closed = type(context)(Config(env={"e": environment}), environment)
    await closed.aclose()
    result = await run_check(spec("ssh_uptime", on_host="h"), closed)
    assert result.status == "error" and "closed" in result.summary


async def test_a_wake_set_during_a_sweep_is_not_lost() -> None:
    """The engineer asks for a re-run while a sweep is running: the wait after it ends at once
    (and consumes the wake) instead of sleeping the whole interval."""
    wake = asyncio.Event()
    wake.set()  # asked for while the sweep ran
    await asyncio.wait_for(wait_or_wake(wake, 3600), 30)
    assert not wake.is_set()
    waiting = asyncio.ensure_future(wait_or_wake(wake, 3600))
    await asyncio.sleep(0)
    assert not waiting.done()  # consumed: the next wait waits again
    wake.set()
    await asyncio.wait_for(waiting, 30)


async def test_checklist_rerun_asked_for_during_a_sweep_sweeps_again() -> None:
    """`rerun_now` while the checklist's sweep is in flight: a second sweep follows it."""
    from omniops_tui.live.checklist import ChecklistService

    session = SimpleNamespace(
        setup=SimpleNamespace(interval=3600, bindings=SimpleNamespace(specs_for_runbook=lambda _id: ["spec"]))
    )
    service = ChecklistService(session)  # type: ignore[arg-type]
    swept: list[int] = []
    second = asyncio.Event()

    async def sweep_once(specs: list[Any]) -> None:
        swept.append(len(specs))
        if len(swept) == 1:
            service.rerun_now()  # asked for mid-sweep
        else:
            second.set()

    service.sweep_once = sweep_once  # type: ignore[method-assign]
    with patch("omniops_tui.live.checklist.preload_clients", AsyncMock()):
        service.focus("standard-release")
        running = asyncio.ensure_future(service.run())
        try:
            await asyncio.wait_for(second.wait(), 30)
        finally:
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running
    assert swept == [1, 1]
