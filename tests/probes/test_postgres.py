"""PostgreSQL checks against the local server, each test in a fresh database of its own."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from omniops_tui.probes.base import Threshold
from omniops_tui.probes.context import CheckContext
from omniops_tui.probes.runner import run_check
from tests.probes.conftest import context_from, env_toml, pg_execute, spec

pytestmark = pytest.mark.services


async def test_ping_and_connections(pg_env: Callable[..., CheckContext]) -> None:
    context = pg_env()
    ping = await run_check(spec("pg_ping"), context)
    assert ping.status == "pass" and ping.unit == "ms" and ping.summary.startswith("SELECT 1 in ")
    assert ping.evidence["answer"].startswith("1 (PostgreSQL ")
    connections = await run_check(spec("pg_connections"), context)
    assert connections.status == "pass" and connections.unit == "%"
    assert "/100 connections" in connections.summary or "connections" in connections.summary
    crowded = await run_check(spec("pg_connections", threshold=Threshold(below=0.5)), context)
    assert crowded.status == "fail" and ">= 0.5 %" in crowded.summary


async def test_bad_dsn_is_an_error_without_leaking_the_password(
    pg_server_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = pg_server_url.replace("postgresql://postgres@", "postgresql://postgres:S3CRETPW@")
    bad = bad.rsplit("/", 1)[0] + "/omniops_no_such_database_xyz"
    monkeypatch.setenv("OMNIOPS_T_BAD_DB", bad)
    result = await run_check(spec("pg_ping"), context_from(env_toml(database_url_env="OMNIOPS_T_BAD_DB")))
    assert result.status == "error" and "does not exist" in result.summary
    assert "S3CRETPW" not in json.dumps(result.to_dict())
    monkeypatch.setenv("OMNIOPS_T_BAD_DB", "postgresql://nobody_xyz:S3CRETPW@127.0.0.1:1/x")
    refused = await run_check(spec("pg_ping"), context_from(env_toml(database_url_env="OMNIOPS_T_BAD_DB")))
    assert refused.status == "error" and "S3CRETPW" not in json.dumps(refused.to_dict())
    monkeypatch.setenv("OMNIOPS_T_BAD_DB", "not a dsn at all")
    garbage = await run_check(spec("pg_ping"), context_from(env_toml(database_url_env="OMNIOPS_T_BAD_DB")))
    assert garbage.status == "error"


async def test_missing_secret_variable_and_not_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OMNIOPS_T_UNSET_DB", raising=False)
    missing = await run_check(spec("pg_ping"), context_from(env_toml(database_url_env="OMNIOPS_T_UNSET_DB")))
    assert missing.status == "error" and "OMNIOPS_T_UNSET_DB, which is not set" in missing.summary
    for kind in ("pg_ping", "pg_connections", "pg_slow_queries", "pg_extensions", "pg_rls", "pg_migrations"):
        result = await run_check(spec(kind), context_from(env_toml(base_url="http://x")))
        assert (result.status, result.summary) == ("unknown", "not configured"), kind


async def test_largest_tables_and_rls(pg_db: str, pg_env: Callable[..., CheckContext]) -> None:
    context = pg_env()
    empty = await run_check(spec("pg_rls"), context)
    assert empty.status == "unknown" and "no tables" in empty.summary
    await pg_execute(
        pg_db,
        "CREATE TABLE small_t (id int)",
        "CREATE TABLE big_t (id int, payload text)",
        "INSERT INTO big_t SELECT g, repeat('x', 200) FROM generate_series(1, 5000) g",
    )
    largest = await run_check(spec("pg_largest_tables"), context)
    assert largest.status == "pass" and largest.summary.startswith("largest: public.big_t ")
    assert [t["table"] for t in largest.evidence["tables"]] == ["public.big_t", "public.small_t"]
    off = await run_check(spec("pg_rls"), context)
    assert off.status == "fail" and off.value == 2 and "RLS off on 2 of 2 tables" in off.summary
    await pg_execute(
        pg_db, "ALTER TABLE small_t ENABLE ROW LEVEL SECURITY", "ALTER TABLE big_t ENABLE ROW LEVEL SECURITY"
    )
    on = await run_check(spec("pg_rls"), context)
    assert on.status == "pass" and on.summary == "RLS on for all 2 tables"


async def test_unused_indexes_warn_until_scanned(pg_db: str, pg_env: Callable[..., CheckContext]) -> None:
    import asyncpg

    await pg_execute(
        pg_db,
        "CREATE TABLE msgs (id int PRIMARY KEY, conversation int, body text)",
        "INSERT INTO msgs SELECT g, g % 50, 'hi' FROM generate_series(1, 2000) g",
        "CREATE INDEX idx_msgs_conversation ON msgs (conversation)",
        "ANALYZE msgs",
    )
    context = pg_env()
    unused = await run_check(spec("pg_unused_indexes", threshold=Threshold(warn_above=0)), context)
    assert unused.status == "warn" and unused.value == 1
    assert "idx_msgs_conversation" in unused.summary and "msgs_pkey" not in unused.summary
    connection = await asyncpg.connect(pg_db)
    try:
        await connection.execute("SET enable_seqscan = off")
        await connection.fetch("SELECT * FROM msgs WHERE conversation = 7")
        await connection.execute("SELECT pg_stat_force_next_flush()")
    finally:
        await connection.close()
    used = await run_check(spec("pg_unused_indexes", threshold=Threshold(warn_above=0)), context)
    assert used.status == "pass" and used.value == 0 and "scanned at least once" in used.summary


async def test_extensions_present_and_missing(pg_env: Callable[..., CheckContext]) -> None:
    present = await run_check(spec("pg_extensions", required=["plpgsql"]), pg_env())
    assert present.status == "pass" and present.summary.startswith("all 1 present (plpgsql ")
    missing = await run_check(
        spec("pg_extensions"), pg_env(required_extensions=["plpgsql", "pg_trgm", "omniops_no_such_ext"])
    )
    assert missing.status == "fail" and missing.value == ["pg_trgm", "omniops_no_such_ext"]
    assert "omniops_no_such_ext (not available on the server)" in missing.summary


async def test_slow_queries_unknown_with_the_reason(pg_db: str, pg_env: Callable[..., CheckContext]) -> None:
    context = pg_env()
    absent = await run_check(spec("pg_slow_queries"), context)
    assert absent.status == "unknown" and "pg_stat_statements not installed" in absent.summary
    await pg_execute(pg_db, "CREATE EXTENSION pg_stat_statements")
    installed = await run_check(spec("pg_slow_queries"), context)
    # Installed in this database; whether the server preloads the library decides the answer.
    if installed.status == "unknown":
        assert "cannot be queried" in installed.summary and "shared_preload_libraries" in installed.summary
    else:
        assert installed.status in ("pass", "fail") and installed.unit == "ms"


async def test_slow_queries_thresholds_on_recorded_statistics(
    pg_db: str, pg_env: Callable[..., CheckContext]
) -> None:
    """A saved copy of pg_stat_statements' columns, read through the `source` parameter."""
    await pg_execute(
        pg_db,
        "CREATE TABLE stats_fast (query text, calls bigint, mean_exec_time float8, total_exec_time float8)",
        "INSERT INTO stats_fast VALUES ('SELECT * FROM messages WHERE id = $1', 9500, 2.5, 23750),"
        " ('SELECT * FROM page_embeddings ORDER BY embedding <-> $1', 500, 240, 120000)",
        "CREATE TABLE stats_slow (query text, calls bigint, mean_exec_time float8, total_exec_time float8)",
        "INSERT INTO stats_slow VALUES ('SELECT 1', 100, 1, 100), ('SELECT pg_sleep(0.3)', 400, 300, 120000)",
    )
    context = pg_env()
    fast = await run_check(
        spec("pg_slow_queries", source="public.stats_fast", threshold=Threshold(below=100)), context
    )
    assert fast.status == "pass" and fast.value == 2.5
    assert fast.summary == "query P95 2.5 ms < 100 ms (slowest mean 240 ms)"
    assert fast.evidence["slowest"][0]["query"].startswith("SELECT * FROM page_embeddings")
    slow = await run_check(
        spec("pg_slow_queries", source="stats_slow", threshold=Threshold(below=100)), context
    )
    assert slow.status == "fail" and slow.value == 300 and ">= 100 ms" in slow.summary
    nothing = await run_check(spec("pg_slow_queries", source="no_such_stats"), context)
    assert nothing.status == "unknown" and "not found" in nothing.summary


@pytest.mark.parametrize("layout", ["supabase", "plain"])
async def test_latest_migrations(layout: str, pg_db: str, pg_env: Callable[..., CheckContext]) -> None:
    context = pg_env()
    none = await run_check(spec("pg_migrations"), context)
    assert none.status == "unknown" and "no migrations table" in none.summary
    if layout == "supabase":
        await pg_execute(
            pg_db,
            "CREATE SCHEMA supabase_migrations",
            "CREATE TABLE supabase_migrations.schema_migrations (version text, name text,"
            " applied_at timestamptz)",
            "INSERT INTO supabase_migrations.schema_migrations VALUES"
            " ('20251001', 'init', '2025-10-01 02:00+00'),"
            " ('20251024', 'add_feature', '2025-10-24 02:10+00')",
        )
    else:
        await pg_execute(
            pg_db,
            "CREATE TABLE migrations (version text, created_at timestamptz)",
            "INSERT INTO migrations VALUES ('20251001_init', '2025-10-01'),"
            " ('20251024_add_feature', '2025-10-24')",
        )
    latest = await run_check(spec("pg_migrations"), context)
    assert latest.status == "pass" and latest.value.startswith("20251024")
    assert latest.summary.startswith("latest: 20251024") and "applied 2025-10-24" in latest.summary
    expected = "20251001" if layout == "supabase" else "20251001_init"
    assert (await run_check(spec("pg_migrations", expected=expected), context)).status == "pass"
    absent = await run_check(spec("pg_migrations", expected="20991231_future"), context)
    assert absent.status == "fail" and absent.summary.startswith("20991231_future not applied")


async def test_checks_are_read_only(pg_db: str, pg_env: Callable[..., CheckContext]) -> None:
    """The session is read-only: even a writing statement through the check's connection fails."""
    from omniops_tui.probes.postgres import connect

    context: Any = pg_env()
    async with connect(context) as (connection, where):
        assert where == pg_db  # no password in this DSN, so nothing to mask
        assert await connection.fetchval("SHOW default_transaction_read_only") == "on"
        import asyncpg

        with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
            await connection.execute("CREATE TABLE should_not_exist (id int)")


async def test_a_pooled_connection_stays_read_only_when_it_is_reused(
    pg_db: str, pg_env: Callable[..., CheckContext]
) -> None:
    """Checks of a context borrow the same connection (one backend, not one per check), and
    whatever a session changed is reset when it goes back: the next borrower is read-only again."""
    import asyncpg

    from omniops_tui.probes.postgres import connect

    context: Any = pg_env()
    try:
        async with connect(context) as (connection, _where):
            first = connection.get_server_pid()
            await connection.execute("SET default_transaction_read_only = off")
        for kind in ("pg_ping", "pg_connections"):
            assert (await run_check(spec(kind), context.fork())).status == "pass"
        async with connect(context) as (connection, _where):
            assert connection.get_server_pid() == first
            assert await connection.fetchval("SHOW default_transaction_read_only") == "on"
            with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
                await connection.execute("CREATE TABLE should_not_exist (id int)")
    finally:
        await context.aclose()
