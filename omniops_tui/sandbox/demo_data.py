"""Each demo run's own namespace in PostgreSQL and Redis, its cache traffic, and the removal of
what a killed demo left behind (the database's tables and rows: demo_database.py).

Each demo run has a `run_id` (a short tag of this machine, the process id, a random part): its
database is `omniops_demo_<run_id>` and its keys `omniops-demo:<run_id>:*`, so two demos sharing
one server never touch each other's data, and a demo's leftovers can be told apart. A demo that
was killed outright (SIGKILL) leaves its database and keys behind; the next demo on the same
machine removes those whose process is gone (`remove_abandoned`). A demo on another machine is
never judged from here: its tag differs.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import random
import re
import secrets
import socket

from omniops_tui.sandbox.demo_database import DEMO_DATABASE, drop_database

CACHE_PREFIX = "omniops-demo:"  # the prefix of each run's own keys
MACHINE = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:6]
RUN_ID = re.compile(rf"{MACHINE}_(\d+)_[0-9a-f]+")


def new_run_id() -> str:
    """`<machine>_<pid>_<random>`: unique, and tells whose process it was."""
    return f"{MACHINE}_{os.getpid()}_{secrets.token_hex(3)}"


def database_name(run_id: str) -> str:
    return f"{DEMO_DATABASE}_{run_id}"


def cache_prefix(run_id: str) -> str:
    return f"{CACHE_PREFIX}{run_id}:"


def _abandoned(run_id: str) -> bool:
    """A run of this machine whose process is gone."""
    match = RUN_ID.fullmatch(run_id)
    return match is not None and not _alive(int(match.group(1)))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process: alive
    return True


async def remove_abandoned(server_url: str | None, redis_url: str | None) -> None:
    """The databases and keys of this machine's demos that were killed outright."""
    if server_url:
        import asyncpg

        admin = await asyncpg.connect(server_url, timeout=5)
        try:
            names = [r["datname"] for r in await admin.fetch("SELECT datname FROM pg_database")]
        finally:
            await admin.close()
        for name in names:
            if name.startswith(DEMO_DATABASE + "_") and _abandoned(name[len(DEMO_DATABASE) + 1 :]):
                with contextlib.suppress(Exception):
                    await drop_database(server_url, name)
    if redis_url:
        import redis.asyncio as aioredis

        client = aioredis.from_url(redis_url, socket_timeout=2, decode_responses=True)
        try:
            runs = {
                key[len(CACHE_PREFIX) :].split(":", 1)[0]
                async for key in client.scan_iter(f"{CACHE_PREFIX}*")
            }
        finally:
            await client.aclose()
        for run_id in runs:
            if _abandoned(run_id):
                await clear_cache(redis_url, cache_prefix(run_id))


# ---------------------------------------------------------------------------- Redis
async def cache_traffic(url: str, prefix: str) -> None:
    """A steady trickle of cache reads, about nine in ten hits, so INFO stats has real figures."""
    import redis.asyncio as aioredis

    client = aioredis.from_url(url, socket_timeout=2)
    rng = random.Random(11)
    try:
        await client.mset({f"{prefix}page:{n}": "cached" for n in range(90)})
        while True:
            keys = [f"{prefix}page:{rng.randint(0, 99)}" for _ in range(20)]
            with contextlib.suppress(Exception):
                await client.mget(keys)
            await asyncio.sleep(0.5)
    finally:
        await client.aclose()


async def clear_cache(url: str, prefix: str) -> None:
    """Delete one run's keys: only `prefix*`, never another demo's."""
    import redis.asyncio as aioredis

    client = aioredis.from_url(url, socket_timeout=2)
    try:
        keys = [key async for key in client.scan_iter(f"{prefix}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()
