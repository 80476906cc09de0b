"""Redis probes: PING, keyspace hit rate, memory — `redis-cli INFO` as checks.

One connection per context, shared by every Redis check of every sweep (resp.py: a client of
its own for PING and INFO, not redis-py, whose import was a fifth of a one-shot `check`); the
URL comes from the variable `redis_url_env` names and shows in the evidence with its password
masked. Only read commands are sent (PING, INFO): resp.py refuses any other.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from omniops_tui.probes.base import CheckResult, CheckSpec, Stopwatch, fmt_bytes, fmt_number, mask_url
from omniops_tui.probes.context import CheckContext
from omniops_tui.probes.registry import threshold_of
from omniops_tui.probes.resp import RespConnection, parse_info


class _NotConfigured(Exception):
    pass


@contextlib.asynccontextmanager
async def connect(context: CheckContext) -> AsyncIterator[tuple[RedisClient, str]]:
    """The context's connection to the server the URL names (opened on its first command)."""
    url = context.secret("redis_url_env")
    if not url:
        raise _NotConfigured
    connection = await context.shared(
        ("redis", url, context.timeout),
        lambda: RespConnection(url, timeout=context.timeout, max_bytes=context.max_response_bytes),
    )
    yield RedisClient(connection), mask_url(url)


class RedisClient:
    """The two questions the checks ask, in the shape they read them."""

    def __init__(self, connection: RespConnection) -> None:
        self._connection = connection

    async def ping(self) -> bool | str:
        answer = await self._connection.command("PING")
        return True if answer == "PONG" else str(answer)

    async def info(self, section: str) -> dict[str, str]:
        return parse_info(str(await self._connection.command("INFO", section) or ""))


async def _run(context: CheckContext, body: Any) -> CheckResult:
    try:
        async with connect(context) as (client, where):
            return await body(client, where)
    except _NotConfigured:
        env = f"[env.{context.env_name}]" if context.environment else "the config"
        return CheckResult.not_configured(f"no redis_url_env in {env}")


async def check_redis_ping(spec: CheckSpec, context: CheckContext) -> CheckResult:
    async def body(client: RedisClient, where: str) -> CheckResult:
        watch = Stopwatch()
        answer = await client.ping()
        ms = round(watch.ms, 1)
        evidence = {"asked": f"PING {where}", "answer": "PONG" if answer is True else repr(answer)}
        if answer is not True:
            return CheckResult("fail", ms, "ms", f"PING answered {answer!r}", evidence)
        threshold = threshold_of(spec)
        if threshold is not None:
            return CheckResult(
                threshold.judge(ms), ms, "ms", threshold.describe("PONG in", ms, "ms"), evidence
            )
        return CheckResult("pass", ms, "ms", f"PONG in {ms:.0f} ms", evidence)

    return await _run(context, body)


async def check_redis_hit_rate(spec: CheckSpec, context: CheckContext) -> CheckResult:
    """The hit rate of the lookups since the previous reading (the counters' deltas): the
    server's cumulative counters mix in every other client and every day since it started, so
    a cache that is healthy now could read 14 %. The first reading has nothing to compare with
    and says it is the rate since the server started."""

    async def body(client: RedisClient, where: str) -> CheckResult:
        stats = await client.info("stats")
        hits, misses = int(stats.get("keyspace_hits", 0)), int(stats.get("keyspace_misses", 0))
        evidence = {
            "asked": f"INFO stats {where}",
            "answer": f"keyspace_hits:{hits} keyspace_misses:{misses}",
        }
        hit_hits = context.remember(f"redis-hits {where}", hits)
        hit_misses = context.remember(f"redis-misses {where}", misses)
        window = "since the server started"
        if len(hit_hits) > 1 and len(hit_misses) > 1:
            before_hits, before_misses = int(hit_hits[-2][1]), int(hit_misses[-2][1])
            if hits >= before_hits and misses >= before_misses:  # not a restarted server
                hits, misses = hits - before_hits, misses - before_misses
                window = "since the previous check"
        if hits + misses == 0:
            return CheckResult.unknown(f"no keyspace lookups {window} (hits and misses are 0)", **evidence)
        rate = round(100.0 * hits / (hits + misses), 2)
        threshold = threshold_of(spec)
        status = threshold.judge(rate) if threshold else "pass"
        described = threshold.describe("hit rate", rate, "%") if threshold else f"hit rate {rate} %"
        return CheckResult(
            status, rate, "%", f"{described} ({hits} hits, {misses} misses {window})", evidence
        )

    return await _run(context, body)


async def check_redis_memory(spec: CheckSpec, context: CheckContext) -> CheckResult:
    async def body(client: RedisClient, where: str) -> CheckResult:
        info = await client.info("memory")
        used, maximum = int(info.get("used_memory", 0)), int(info.get("maxmemory", 0) or 0)
        evidence = {
            "asked": f"INFO memory {where}",
            "answer": f"used_memory_human:{info.get('used_memory_human')} "
            f"maxmemory_human:{info.get('maxmemory_human')} "
            f"used_memory_peak_human:{info.get('used_memory_peak_human')}",
        }
        threshold = threshold_of(spec)
        if maximum:
            percent = round(100.0 * used / maximum, 1)
            status = threshold.judge(percent) if threshold else "pass"
            return CheckResult(
                status,
                percent,
                "%",
                f"used {fmt_bytes(used)} of {fmt_bytes(maximum)} ({fmt_number(percent)} %)",
                evidence,
            )
        # Without maxmemory there is no ceiling to judge a percentage against: shown, not judged.
        megabytes = round(used / 1048576, 2)
        return CheckResult("pass", megabytes, "MB", f"used {fmt_bytes(used)} (no maxmemory set)", evidence)

    return await _run(context, body)
