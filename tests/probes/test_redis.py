"""Redis checks against the local server (statistics are server-wide: the hit-rate test steers
them with real GETs instead of resetting them under other users' feet)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable

import pytest

from omniops_tui.probes.base import Threshold
from omniops_tui.probes.context import CheckContext
from omniops_tui.probes.runner import run_check
from tests.probes.conftest import context_from, env_toml, spec

pytestmark = pytest.mark.services


async def _counters(url: str) -> tuple[int, int]:
    """(keyspace_hits, keyspace_misses) now, server-wide."""
    import redis.asyncio as aioredis

    client = aioredis.from_url(url)
    try:
        stats = await client.info("stats")
        return int(stats["keyspace_hits"]), int(stats["keyspace_misses"])
    finally:
        await client.aclose()


async def _traffic(url: str, key: str) -> None:
    """A few real GETs of our own, so the rate is never 0/0 (hits and a miss)."""
    import redis.asyncio as aioredis

    client = aioredis.from_url(url)
    try:
        await client.set(key, "1", ex=60)
        for _ in range(3):
            await client.get(key)
        await client.get(key + ":missing")
        await client.delete(key)
    finally:
        await client.aclose()


async def test_ping_and_memory(redis_env: Callable[..., CheckContext]) -> None:
    context = redis_env()
    ping = await run_check(spec("redis_ping"), context)
    assert ping.status == "pass" and ping.summary.startswith("PONG in ") and ping.evidence["answer"] == "PONG"
    memory = await run_check(spec("redis_memory"), context)
    assert memory.status == "pass" and memory.unit in ("MB", "%") and memory.value > 0
    assert "used_memory_human" in memory.evidence["answer"]


@pytest.mark.parametrize(
    "threshold",
    [Threshold(below=101), Threshold(warn_below=101), Threshold(above=101)],
    ids=["pass", "warn", "fail"],
)
async def test_hit_rate_is_the_servers_and_is_judged(
    redis_server_url: str, redis_env: Callable[..., CheckContext], threshold: Threshold
) -> None:
    """The statistics are server-wide and shared (other tests, other runs use the server): the
    figure must lie between the rates bounded by the counters read just before and just after,
    and be judged by the threshold given; nothing here depends on how busy the server is."""
    await _traffic(redis_server_url, f"omniops-test:{uuid.uuid4().hex}")
    hits_before, misses_before = await _counters(redis_server_url)
    result = await run_check(spec("redis_hit_rate", threshold=threshold), redis_env())
    hits_after, misses_after = await _counters(redis_server_url)
    low = 100.0 * hits_before / (hits_before + misses_after)
    high = 100.0 * hits_after / (hits_after + misses_before)
    assert low - 0.01 <= result.value <= high + 0.01, (low, result.value, high)
    assert result.status == threshold.judge(result.value)
    assert result.summary.startswith(threshold.describe("hit rate", result.value, "%"))
    assert result.evidence["answer"].startswith("keyspace_hits:")


async def test_the_next_reading_is_the_rate_since_the_previous_one(
    redis_server_url: str, redis_env: Callable[..., CheckContext]
) -> None:
    """Deltas, not the server's lifetime counters: only hits between two readings read 100 %
    (bounded by the counters around each reading, as other clients may share the server)."""
    import redis.asyncio as aioredis

    context = redis_env()
    await _traffic(redis_server_url, f"omniops-test:{uuid.uuid4().hex}")
    before_first = await _counters(redis_server_url)
    first = await run_check(spec("redis_hit_rate"), context)
    after_first = await _counters(redis_server_url)
    assert "since the server started" in first.summary
    key = f"omniops-test:{uuid.uuid4().hex}"
    client = aioredis.from_url(redis_server_url)
    try:
        await client.set(key, "1", ex=60)
        for _ in range(40):
            await client.get(key)
        await client.delete(key)
    finally:
        await client.aclose()
    before_second = await _counters(redis_server_url)
    second = await run_check(spec("redis_hit_rate"), context)
    after_second = await _counters(redis_server_url)
    assert "since the previous check" in second.summary
    hits_low, hits_high = before_second[0] - after_first[0], after_second[0] - before_first[0]
    misses_low, misses_high = before_second[1] - after_first[1], after_second[1] - before_first[1]
    low = 100.0 * hits_low / (hits_low + misses_high)
    high = 100.0 * hits_high / (hits_high + misses_low) if hits_high + misses_low else 100.0
    assert low - 0.01 <= second.value <= high + 0.01, (low, second.value, high)


async def test_the_default_threshold_is_the_documents(
    redis_server_url: str, redis_env: Callable[..., CheckContext]
) -> None:
    await _traffic(redis_server_url, f"omniops-test:{uuid.uuid4().hex}")
    result = await run_check(spec("redis_hit_rate"), redis_env())
    assert result.status == ("pass" if result.value > 80 else "fail")  # "Redis cache hit rate > 80%"


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


# ------------------------------------------------------------------------------ resp.py
async def test_checks_of_a_context_share_one_connection(redis_env: Callable[..., CheckContext]) -> None:
    """Every Redis check of a context (and of its sweeps' forks) asks on one connection: the
    server sees one client, whose id does not change between the checks."""
    from omniops_tui.probes.resp import RespConnection

    context = redis_env()
    try:
        for kind in ("redis_ping", "redis_hit_rate", "redis_memory"):
            result = await run_check(spec(kind), context.fork())  # judged on a server others share
            assert result.status != "error" and result.evidence["asked"], result
        connections = [c for c in context._shared.clients._clients.values() if isinstance(c, RespConnection)]
        assert len(connections) == 1 and connections[0]._writer is not None
    finally:
        await context.aclose()
    assert connections[0].is_closed


async def test_only_read_commands_are_sent(redis_server_url: str) -> None:
    from omniops_tui.probes.resp import RespConnection

    connection = RespConnection(redis_server_url, timeout=5, max_bytes=1 << 20)
    try:
        with pytest.raises(ValueError, match="not one of the read-only commands"):
            await connection.command("FLUSHALL")
        assert connection._writer is None  # refused before anything was opened or sent
        assert await connection.command("PING") == "PONG"
    finally:
        await connection.aclose()


async def test_a_reply_cut_off_drops_the_connection_and_the_next_command_reconnects() -> None:
    """A command that times out mid-reply leaves the stream out of step: the next command must
    not read the stale half as its answer, but open a new connection (a loopback server that
    stalls its first client and answers the second)."""
    from omniops_tui.probes.resp import RespConnection

    seen: list[int] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(len(seen))
        await reader.readuntil(b"PING\r\n")
        if len(seen) == 1:
            writer.write(b"$10\r\nPON")  # half a reply, then nothing
        else:
            writer.write(b"+PONG\r\n")
        await writer.drain()
        await reader.read()  # until the client goes
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    connection = RespConnection(f"redis://127.0.0.1:{port}/0", timeout=5, max_bytes=1 << 20)
    try:
        stalled = asyncio.ensure_future(connection.command("PING"))
        while not seen:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
        stalled.cancel()
        with pytest.raises(asyncio.CancelledError):
            await stalled
        assert await connection.command("PING") == "PONG"
        assert seen == [0, 1]
    finally:
        await connection.aclose()
        server.close()
        await server.wait_closed()


async def test_a_password_the_server_refuses_is_an_error_masking_it(
    redis_server_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from urllib.parse import urlparse

    parsed = urlparse(redis_server_url)
    monkeypatch.setenv("OMNIOPS_T_AUTH_REDIS", f"redis://nobody:S3CRETPW@{parsed.hostname}:{parsed.port}/0")
    result = await run_check(
        spec("redis_ping"), context_from(env_toml(redis_url_env="OMNIOPS_T_AUTH_REDIS", timeout=5))
    )
    assert result.status == "error" and "S3CRETPW" not in json.dumps(result.to_dict())


def test_info_lines_become_a_table() -> None:
    from omniops_tui.probes.resp import parse_info

    text = "# Stats\r\nkeyspace_hits:12\r\nkeyspace_misses:3\r\n\r\n# Memory\r\nused_memory_human:1.1M\r\n"
    assert parse_info(text) == {"keyspace_hits": "12", "keyspace_misses": "3", "used_memory_human": "1.1M"}
