"""Redis checks against the local server (statistics are server-wide: the hit-rate test steers
them with real GETs instead of resetting them under other users' feet)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import pytest

from omniops_tui.probes.base import Threshold
from omniops_tui.probes.context import CheckContext
from omniops_tui.probes.runner import run_check
from tests.probes.conftest import context_from, env_toml, spec

pytestmark = pytest.mark.services


async def _current_rate(url: str, key: str) -> float:
    """The server's hit rate now, after a few real GETs of our own (never 0/0, never 0 or 100 %)."""
    import redis.asyncio as aioredis

    client = aioredis.from_url(url)
    try:
        await client.set(key, "1", ex=60)
        for _ in range(3):
            await client.get(key)  # hits
        await client.get(key + ":missing")  # a miss
        stats = await client.info("stats")
        hits, misses = int(stats["keyspace_hits"]), int(stats["keyspace_misses"])
        await client.delete(key)
        return 100.0 * hits / (hits + misses)
    finally:
        await client.aclose()


async def test_ping_and_memory(redis_env: Callable[..., CheckContext]) -> None:
    context = redis_env()
    ping = await run_check(spec("redis_ping"), context)
    assert ping.status == "pass" and ping.summary.startswith("PONG in ") and ping.evidence["answer"] == "PONG"
    memory = await run_check(spec("redis_memory"), context)
    assert memory.status == "pass" and memory.unit in ("MB", "%") and memory.value > 0
    assert "used_memory_human" in memory.evidence["answer"]


async def test_hit_rate_passes_and_fails_its_threshold(
    redis_server_url: str, redis_env: Callable[..., CheckContext]
) -> None:
    """Judged against the real INFO figures; bounds a few points either side of the live rate
    (the statistics are server-wide and shared, so the test neither floods nor resets them)."""
    rate = await _current_rate(redis_server_url, f"omniops-test:{uuid.uuid4().hex}")
    assert 0 < rate < 100
    context = redis_env()
    good = await run_check(spec("redis_hit_rate", threshold=Threshold(below=rate + 5)), context)
    assert good.status == "pass" and abs(good.value - rate) < 2 and "< " in good.summary
    amber = await run_check(
        spec("redis_hit_rate", threshold=Threshold(warn_below=min(100.0, rate + 5))), context
    )
    assert amber.status == "warn"
    bad = await run_check(spec("redis_hit_rate", threshold=Threshold(above=min(100.0, rate + 5))), context)
    assert bad.status == "fail" and "<= " in bad.summary
    assert bad.evidence["answer"].startswith("keyspace_hits:")
    assert (await run_check(spec("redis_hit_rate"), context)).status in ("pass", "fail")  # default > 80 %


async def test_unreachable_redis_is_an_error_masking_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMNIOPS_T_BAD_REDIS", "redis://:S3CRETPW@127.0.0.1:1/0")
    result = await run_check(
        spec("redis_ping"), context_from(env_toml(redis_url_env="OMNIOPS_T_BAD_REDIS", timeout=2))
    )
    assert result.status == "error" and "S3CRETPW" not in json.dumps(result.to_dict())


async def test_redis_not_configured() -> None:
    for kind in ("redis_ping", "redis_hit_rate", "redis_memory"):
        result = await run_check(spec(kind), context_from(env_toml(base_url="http://x")))
        assert (result.status, result.summary) == ("unknown", "not configured")
