"""The demo leaves nothing behind (issue 9 D), against the real PostgreSQL and Redis: each run has
its own database and keys, removes them at the end, never touches another run's, removes the
leftovers of a demo that was killed outright, and shows a hit rate from the counters' deltas."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Any

import asyncpg
import pytest
import redis.asyncio as aioredis

from omniops_tui.sandbox import demo_data
from omniops_tui.sandbox.demo import DemoServices, start_demo
from tests.services import server_url

pytestmark = pytest.mark.services


@pytest.fixture
def redis_url(redis_url: str) -> str:
    """The same server, a logical database of these tests' own: a demo of an older version
    (another checkout on a shared machine) deletes every `omniops-demo:*` key of database 0."""
    return redis_url.rsplit("/", 1)[0] + "/9"


async def databases(url: str) -> set[str]:
    connection = await asyncpg.connect(url, timeout=5)
    try:
        return {r["datname"] for r in await connection.fetch("SELECT datname FROM pg_database")}
    finally:
        await connection.close()


async def keys(url: str, prefix: str) -> list[str]:
    client = aioredis.from_url(url, decode_responses=True)
    try:
        return [key async for key in client.scan_iter(f"{prefix}*")]
    finally:
        await client.aclose()


def demo(postgres_url: str, redis_url: str) -> DemoServices:
    return start_demo(database_url=server_url(postgres_url), redis_url=redis_url, hosts=1, with_s3=False)


async def wait_for_keys(url: str, prefix: str) -> list[str]:
    for _ in range(100):
        found = await keys(url, prefix)
        if found:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"no keys {prefix}* appeared")


async def test_two_demos_on_one_server_keep_and_remove_only_their_own(
    postgres_url: str, redis_url: str
) -> None:
    first = await asyncio.to_thread(demo, postgres_url, redis_url)
    second: DemoServices | None = None
    try:
        second = await asyncio.to_thread(demo, postgres_url, redis_url)
        assert first.database_name != second.database_name
        assert first.cache_prefix != second.cache_prefix
        assert first.status.database_ok and first.database_name in first.status.database
        assert {first.database_name, second.database_name} <= await databases(postgres_url)
        await wait_for_keys(redis_url, first.cache_prefix)
        await wait_for_keys(redis_url, second.cache_prefix)

        await asyncio.to_thread(first.close)
        assert first.database_name not in await databases(postgres_url)
        assert await keys(redis_url, first.cache_prefix) == []
        # The other demo lost nothing and goes on.
        assert second.database_name in await databases(postgres_url)
        before = set(await keys(redis_url, second.cache_prefix))
        assert len(before) == 90
        connection = await asyncpg.connect(second.database_url, timeout=5)
        try:
            assert await connection.fetchval("SELECT count(*) FROM conversations") == 400
        finally:
            await connection.close()
    finally:
        await asyncio.to_thread(first.close)
        if second is not None:
            await asyncio.to_thread(second.close)
    assert second is not None
    assert second.database_name not in await databases(postgres_url)
    assert await keys(redis_url, second.cache_prefix) == []


async def test_remove_data_works_on_its_own_and_twice(postgres_url: str, redis_url: str) -> None:
    """What the hang-up deadline calls (demo_runner.run_demo): quick, idempotent, never raises."""
    services = await asyncio.to_thread(demo, postgres_url, redis_url)
    try:
        await wait_for_keys(redis_url, services.cache_prefix)
        await asyncio.to_thread(services.remove_data, 5.0)
        await asyncio.to_thread(services.remove_data, 5.0)
        assert services.database_name not in await databases(postgres_url)
    finally:
        await asyncio.to_thread(services.close)
    assert await keys(redis_url, services.cache_prefix) == []


async def test_a_killed_demos_leftovers_go_with_the_next_demo(postgres_url: str, redis_url: str) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_run = f"{demo_data.MACHINE}_{int(dead.stdout)}_abc123"
    foreign_run = f"ffffff_{int(dead.stdout)}_abc123"  # another machine's demo: never judged here
    admin = await asyncpg.connect(server_url(postgres_url), timeout=5)
    try:
        for run in (dead_run, foreign_run):
            await admin.execute(f'DROP DATABASE IF EXISTS "{demo_data.database_name(run)}"')
            await admin.execute(f'CREATE DATABASE "{demo_data.database_name(run)}"')
    finally:
        await admin.close()
    client = aioredis.from_url(redis_url)
    try:
        for run in (dead_run, foreign_run):
            await client.set(demo_data.cache_prefix(run) + "page:1", "cached", ex=600)
    finally:
        await client.aclose()

    try:
        services = await asyncio.to_thread(demo, postgres_url, redis_url)
        await asyncio.to_thread(services.close)
        names = await databases(postgres_url)
        assert demo_data.database_name(dead_run) not in names
        assert await keys(redis_url, demo_data.cache_prefix(dead_run)) == []
        assert demo_data.database_name(foreign_run) in names
        assert await keys(redis_url, demo_data.cache_prefix(foreign_run)) != []
    finally:  # the test's own "other machine" leaves nothing on the shared server either way
        await demo_data.drop_database(server_url(postgres_url), demo_data.database_name(foreign_run))
        await demo_data.clear_cache(redis_url, demo_data.cache_prefix(foreign_run))


async def test_the_demos_hit_rate_is_its_own_traffic_not_the_servers_history(
    postgres_url: str, redis_url: str
) -> None:
    """A day of misses on the server before the demo (its lifetime counters) does not drag the
    shown rate down: the second reading counts only the lookups between the two readings. The
    server is shared (other tests' lookups land in the same window), so the figure is checked
    against the counters read around each reading, not against a fixed 90 %."""
    from omniops_tui.config.model import load_config
    from omniops_tui.probes.context import CheckContext
    from omniops_tui.probes.runner import run_check
    from tests.probes.conftest import spec
    from tests.probes.test_redis import _counters

    client = aioredis.from_url(redis_url)
    try:
        for n in range(3000):
            await client.get(f"omniops-test:never-there:{n}")
    finally:
        await client.aclose()
    services: Any = await asyncio.to_thread(demo, postgres_url, redis_url)
    try:
        context = CheckContext.from_config(load_config(services.config_path), "demo")
        before_first = await _counters(redis_url)
        await run_check(spec("redis_hit_rate"), context)  # the first reading: since server start
        after_first = await _counters(redis_url)
        await asyncio.sleep(1.5)  # three rounds of the demo's traffic
        before_second = await _counters(redis_url)
        second = await run_check(spec("redis_hit_rate"), context)
        after_second = await _counters(redis_url)
    finally:
        await asyncio.to_thread(services.close)
    assert "since the previous check" in second.summary
    hits_low, hits_high = before_second[0] - after_first[0], after_second[0] - before_first[0]
    misses_low, misses_high = before_second[1] - after_first[1], after_second[1] - before_first[1]
    assert hits_low >= 15  # at least one round of the demo's own traffic was in the window
    low = 100.0 * hits_low / (hits_low + misses_high)
    high = 100.0 * hits_high / (hits_high + misses_low)
    assert second.value is not None and low - 0.01 <= second.value <= high + 0.01, (low, second.value, high)
