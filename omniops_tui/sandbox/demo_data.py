"""The demo's own data in PostgreSQL and Redis: made for one run, namespaced, removed after.

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
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse, urlunparse

DEMO_DATABASE = "omniops_demo"  # the prefix of each run's own database
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


# ---------------------------------------------------------------------------- PostgreSQL
def database_url(server_url: str, database: str) -> str:
    parsed = urlparse(server_url)
    return urlunparse(parsed._replace(path=f"/{database}"))


async def prepare_database(server_url: str, database: str) -> str:
    import asyncpg

    admin = await asyncpg.connect(server_url, timeout=5)
    try:
        await admin.execute(f'CREATE DATABASE "{database}"')
    finally:
        await admin.close()
    url = database_url(server_url, database)
    connection = await asyncpg.connect(url, timeout=5)
    try:
        await _schema(connection)
        await _rows(connection)
    finally:
        await connection.close()
    return url


async def drop_database(server_url: str, database: str) -> None:
    """Drop a demo's database, closing whatever still holds it (the app's own checks)."""
    import asyncpg

    admin = await asyncpg.connect(server_url, timeout=5)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await admin.close()


SCHEMA = """
CREATE TABLE IF NOT EXISTS customer_configs (
    id serial PRIMARY KEY, domain text UNIQUE NOT NULL, business_name text, business_description text,
    primary_color text, secondary_color text, widget_position text, created_at timestamptz DEFAULT now());
CREATE TABLE IF NOT EXISTS conversations (
    id uuid PRIMARY KEY, domain text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS messages (
    id bigserial PRIMARY KEY, conversation_id uuid NOT NULL, content text NOT NULL, sender text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS page_embeddings (
    id bigserial PRIMARY KEY, domain text NOT NULL, url text NOT NULL, embedding double precision[]);
CREATE TABLE IF NOT EXISTS scraped_pages (
    id bigserial PRIMARY KEY, domain text NOT NULL, url text NOT NULL, last_scraped timestamptz);
CREATE TABLE IF NOT EXISTS website_content (
    id bigserial PRIMARY KEY, url text NOT NULL, content text NOT NULL);
CREATE INDEX IF NOT EXISTS idx_messages_conversation ON messages(conversation_id, created_at DESC);
CREATE INDEX IF NOT EXISTS idx_conversations_domain ON conversations(domain, created_at DESC);
CREATE INDEX IF NOT EXISTS idx_scraped_pages_domain ON scraped_pages(domain, last_scraped DESC);
CREATE INDEX IF NOT EXISTS idx_content_url ON website_content(url);
CREATE INDEX IF NOT EXISTS idx_embeddings_domain ON page_embeddings(domain);
CREATE SCHEMA IF NOT EXISTS supabase_migrations;
CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (
    version text PRIMARY KEY, name text, applied_at timestamptz NOT NULL DEFAULT now());
"""
EXTENSIONS = ("uuid-ossp", "pg_trgm", "btree_gin", "vector")


async def _schema(connection: Any) -> None:
    for extension in EXTENSIONS:  # the ones this server has; "vector" is often missing: a red item
        with contextlib.suppress(Exception):
            await connection.execute(f'CREATE EXTENSION IF NOT EXISTS "{extension}"')
    await connection.execute(SCHEMA)


async def _rows(connection: Any) -> None:
    """Fresh synthetic rows each start (a few thousand: the largest-tables figures are real)."""
    import uuid

    rng = random.Random(7)
    now = datetime.now(UTC)
    domains = [
        "yourdomain.com",
        "shop.example.com",
        "docs.example.org",
        "help.example.net",
        "store.example.io",
    ]
    async with connection.transaction():
        await connection.execute(
            "TRUNCATE customer_configs, conversations, messages, page_embeddings, "
            "scraped_pages, website_content RESTART IDENTITY"
        )
        await connection.executemany(
            "INSERT INTO customer_configs (domain, business_name, business_description, primary_color, "
            "secondary_color, widget_position) VALUES ($1, $2, $3, '#1a73e8', '#34a853', 'bottom-right')",
            [(d, d.split(".")[0].title(), f"Synthetic customer {d}") for d in domains],
        )
        conversations = [
            (
                uuid.UUID(int=rng.getrandbits(128)),
                rng.choice(domains),
                now - timedelta(minutes=rng.randint(0, 7 * 24 * 60)),
            )
            for _ in range(400)
        ]
        await connection.executemany(
            "INSERT INTO conversations (id, domain, created_at) VALUES ($1, $2, $3)", conversations
        )
        await connection.executemany(
            "INSERT INTO messages (conversation_id, content, sender, created_at) VALUES ($1, $2, $3, $4)",
            [
                (
                    c[0],
                    f"message {n} about opening hours and shipping",
                    rng.choice(["user", "assistant"]),
                    c[2] + timedelta(seconds=n * 20),
                )
                for c in conversations
                for n in range(8)
            ],
        )
        await connection.executemany(
            "INSERT INTO page_embeddings (domain, url, embedding) VALUES ($1, $2, $3)",
            [
                (d, f"https://{d}/page/{n}", [rng.random() for _ in range(16)])
                for d in domains
                for n in range(120)
            ],
        )
        await connection.executemany(
            "INSERT INTO scraped_pages (domain, url, last_scraped) VALUES ($1, $2, $3)",
            [
                (d, f"https://{d}/page/{n}", now - timedelta(hours=rng.randint(1, 72)))
                for d in domains
                for n in range(120)
            ],
        )
        await connection.executemany(
            "INSERT INTO website_content (url, content) VALUES ($1, $2)",
            [(f"https://{d}/page/{n}", "Synthetic page content. " * 20) for d in domains for n in range(120)],
        )
        await connection.executemany(
            "INSERT INTO supabase_migrations.schema_migrations (version, name, applied_at) "
            "VALUES ($1, $2, $3) ON CONFLICT (version) DO NOTHING",
            [
                ("20251001120000", "initial_schema", now - timedelta(days=40)),
                ("20251015090000", "add_page_embeddings", now - timedelta(days=25)),
                ("20251024000000", "add_feature", now - timedelta(days=3)),
            ],
        )
    await connection.execute("ANALYZE")
    await connection.fetch(
        "SELECT * FROM messages WHERE conversation_id = $1 ORDER BY created_at DESC LIMIT 20",
        conversations[0][0],
    )


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
