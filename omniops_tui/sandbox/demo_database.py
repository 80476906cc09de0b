"""The demo database: the document's tables (customer_configs, conversations, messages,
page_embeddings, scraped_pages, website_content) with synthetic rows, on a real PostgreSQL.

Kept apart from demo.py (which starts and stops the demo's services) because this is data:
the schema the runbooks' checks ask about, and rows enough for the largest-tables and
slow-queries figures to be real. Each demo run has a database of its own
(`omniops_demo_<run>`, demo_data.py names it), made at start and dropped at exit; nothing else
is touched.
"""

from __future__ import annotations

import contextlib
import random
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse, urlunparse

DEMO_DATABASE = "omniops_demo"  # the prefix of each run's own database


def database_url(server_url: str, database: str) -> str:
    """`server_url` pointing at `database` instead."""
    parsed = urlparse(server_url)
    return urlunparse(parsed._replace(path=f"/{database}"))


async def prepare_database(server_url: str, database: str) -> str:
    """Create and fill one run's database on `server_url`; its URL."""
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
    """Drop a run's database, closing whatever still holds it (the app's own checks)."""
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
