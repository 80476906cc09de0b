"""PostgreSQL probes (asyncpg): the questions the runbooks ask with `psql $PRODUCTION_DATABASE_URL`.

Checks borrow a connection from a small pool the context keeps for every sweep (asyncpg cannot
run two queries at once on one connection, and checks run concurrently; `POOL_SIZE` of them at
most). A connection per check cost the database a new backend per check per sweep and the
sweep its set-up: concurrent checks waited on PostgreSQL forking backends (issue 12). Every
pooled session is read-only (`default_transaction_read_only`, set at connection start, and
reset on release if it ever changed) with a statement timeout, so a check can never change the
database even by mistake. The DSN comes from the variable the environment names; evidence
shows it with the password masked.

This module holds the connection and the load figures; what the schema holds (extensions,
migrations, RLS) is asked by postgres_schema.py through the same `run_read_only`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from omniops_tui.probes import client_imports
from omniops_tui.probes.base import (
    CheckResult,
    CheckSpec,
    Stopwatch,
    fmt_bytes,
    fmt_number,
    mask_url,
    truncate,
)
from omniops_tui.probes.context import CheckContext
from omniops_tui.probes.registry import threshold_of

if TYPE_CHECKING:
    import asyncpg


class _NotConfigured(Exception):
    pass


POOL_SIZE = 3


class _Pool:
    """The context's pool for one DSN: made on first use, closed by the context's `aclose`."""

    def __init__(self, dsn: str, timeout: float) -> None:
        import asyncpg

        self.is_closed = False
        self._started: asyncio.Future[asyncpg.Pool] | None = None
        timeout_ms = str(int(timeout * 1000))
        self.pool = asyncpg.create_pool(
            dsn,
            min_size=0,
            max_size=POOL_SIZE,
            timeout=timeout,
            statement_cache_size=0,
            reset=_reset_if_writable,
            server_settings={
                "application_name": "omniops-tui-check",
                "default_transaction_read_only": "on",
                "statement_timeout": timeout_ms,
            },
        )

    async def ready(self) -> asyncpg.Pool:
        """The pool, initialised once (concurrent first checks wait for the same start)."""
        if self._started is None:
            self._started = asyncio.ensure_future(self._start())
        return await asyncio.shield(self._started)

    async def _start(self) -> asyncpg.Pool:
        await self.pool  # min_size 0: nothing is opened until a check asks
        return self.pool

    async def aclose(self) -> None:
        """Drop the sessions at once: they only ever read, so there is nothing to finish, and a
        graceful close waits for a check still holding one (the demo's hang-up has 1.8 s)."""
        self.is_closed = True
        self.pool.terminate()


async def _reset_if_writable(connection: asyncpg.Connection) -> None:
    """A session given back to the pool (an open transaction is always rolled back first) gets
    asyncpg's full reset (`pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`) only
    when it is no longer read-only. Sent after every check, that reset was a round trip and four
    statements of the database's CPU to undo what our fixed SELECTs never do; the one thing
    that matters, read-only, PostgreSQL reports as soon as it changes (14+; an older server
    that does not say gets the full reset every time)."""
    if getattr(connection.get_settings(), "default_transaction_read_only", None) != "on":
        await connection.execute(connection.get_reset_query())


@contextlib.asynccontextmanager
async def connect(context: CheckContext) -> AsyncIterator[tuple[asyncpg.Connection, str]]:
    """A read-only connection of the context's pool and the masked DSN for the evidence."""
    dsn = context.secret("database_url_env")
    if not dsn:
        raise _NotConfigured
    await client_imports.imported("asyncpg")  # off the loop
    # asyncpg is imported here: a sweep without a database need not import it (issue 12).

    pooled = await context.shared(("postgres", dsn, context.timeout), lambda: _Pool(dsn, context.timeout))
    pool = await pooled.ready()
    async with pool.acquire(timeout=context.timeout) as connection:
        yield connection, mask_url(dsn)


def _asyncpg() -> Any:
    """asyncpg, imported by `connect` by the time a query can fail."""
    import asyncpg

    return asyncpg


async def run_read_only(spec: CheckSpec, context: CheckContext, body: Any) -> CheckResult:
    """`body(connection, where)` on a read-only connection; not configured without a DSN."""
    try:
        async with connect(context) as (connection, where):
            return await body(connection, where)
    except _NotConfigured:
        env = f"[env.{context.env_name}]" if context.environment else "the config"
        return CheckResult.not_configured(f"no database_url_env in {env}")


def ask(where: str, query: str) -> str:
    """The evidence's "asked" line: where (the masked DSN) and the query on one line."""
    return truncate(f"{where}: {' '.join(query.split())}", 300)


# ------------------------------------------------------------------------------ SELECT 1
async def check_pg_ping(spec: CheckSpec, context: CheckContext) -> CheckResult:
    async def body(connection: asyncpg.Connection, where: str) -> CheckResult:
        watch = Stopwatch()
        answer = await connection.fetchval("SELECT 1")
        ms = watch.ms
        version = connection.get_server_version()
        evidence = {
            "asked": ask(where, "SELECT 1"),
            "answer": f"{answer} (PostgreSQL {version.major}.{version.minor})",
        }
        if answer != 1:
            return CheckResult("fail", ms, "ms", f"SELECT 1 answered {answer!r}", evidence)
        threshold = threshold_of(spec)
        if threshold is not None:
            return CheckResult(
                threshold.judge(ms), round(ms, 1), "ms", threshold.describe("SELECT 1 in", ms, "ms"), evidence
            )
        return CheckResult("pass", round(ms, 1), "ms", f"SELECT 1 in {ms:.0f} ms", evidence)

    return await run_read_only(spec, context, body)


# ------------------------------------------------------------------------------ connections
CONNECTIONS_SQL = """
SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') AS used,
       current_setting('max_connections')::int AS max,
       (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()) AS this_db,
       (SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid()) AS active,
       (SELECT extract(epoch FROM max(now() - query_start)) FROM pg_stat_activity
         WHERE state <> 'idle' AND pid <> pg_backend_pid()) AS oldest_s
"""


async def check_pg_connections(spec: CheckSpec, context: CheckContext) -> CheckResult:
    async def body(connection: asyncpg.Connection, where: str) -> CheckResult:
        row = await connection.fetchrow(CONNECTIONS_SQL)
        used, maximum = int(row["used"]), int(row["max"])
        percent = round(100.0 * used / maximum, 1) if maximum else 0.0
        oldest = row["oldest_s"]
        evidence = {
            "asked": ask(where, "connections in pg_stat_activity vs max_connections"),
            "answer": (
                f"{used}/{maximum} client connections, {row['this_db']} on this database, "
                f"{row['active']} active; oldest running query "
                f"{fmt_number(float(oldest)) + ' s' if oldest is not None else 'none'}"
            ),
        }
        threshold = threshold_of(spec)
        status = threshold.judge(percent) if threshold else "pass"
        judged = threshold.describe("", percent, "%").strip() if threshold else f"{fmt_number(percent)} %"
        return CheckResult(status, percent, "%", f"{used}/{maximum} connections, {judged}", evidence)

    return await run_read_only(spec, context, body)


# ------------------------------------------------------------------------------ largest tables
LARGEST_SQL = """
SELECT schemaname, tablename, pg_total_relation_size(format('%I.%I', schemaname, tablename)) AS bytes
FROM pg_tables WHERE schemaname = $1 ORDER BY bytes DESC, tablename LIMIT $2
"""


async def check_pg_largest_tables(spec: CheckSpec, context: CheckContext) -> CheckResult:
    schema = str(spec.param("schema", "public"))

    async def body(connection: asyncpg.Connection, where: str) -> CheckResult:
        rows = await connection.fetch(LARGEST_SQL, schema, int(spec.param("limit", 10)))
        tables = [
            {
                "table": f"{r['schemaname']}.{r['tablename']}",
                "bytes": int(r["bytes"]),
                "size": fmt_bytes(r["bytes"]),
            }
            for r in rows
        ]
        evidence = {
            "asked": ask(where, LARGEST_SQL.replace("$1", f"'{schema}'")),
            "answer": "\n".join(f"{t['table']}: {t['size']}" for t in tables) or "(no tables)",
            "tables": tables,
        }
        if not tables:
            return CheckResult("pass", 0, "bytes", f"no tables in schema {schema}", evidence)
        top, largest = tables[0], int(rows[0]["bytes"])
        threshold = threshold_of(spec)
        status = threshold.judge(largest) if threshold else "pass"
        return CheckResult(
            status,
            largest,
            "bytes",
            f"largest: {top['table']} {top['size']} ({len(tables)} listed)",
            evidence,
        )

    return await run_read_only(spec, context, body)


# ------------------------------------------------------------------------------ slow queries
def weighted_percentile(rows: list[tuple[float, int]], fraction: float = 0.95) -> float:
    """The statement mean time below which `fraction` of all calls fall.

    pg_stat_statements keeps a mean per statement, not per-call times, so the P95 of query
    time is estimated by weighting each statement's mean by its number of calls.
    """
    rows = sorted((mean, calls) for mean, calls in rows if calls > 0)
    total = sum(calls for _mean, calls in rows)
    if not total:
        return 0.0
    running = 0
    for mean, calls in rows:
        running += calls
        if running >= fraction * total:
            return mean
    return rows[-1][0]


def quote_relation(name: str) -> str:
    return ".".join('"' + part.replace('"', '""') + '"' for part in name.split("."))


async def check_pg_slow_queries(spec: CheckSpec, context: CheckContext) -> CheckResult:
    source = spec.param("source")
    limit = int(spec.param("limit", 5))
    min_calls = int(spec.param("min_calls", 1))

    async def body(connection: asyncpg.Connection, where: str) -> CheckResult:
        asked_extension = "SELECT extnamespace FROM pg_extension WHERE extname = 'pg_stat_statements'"
        if source:
            relation, this_db = quote_relation(str(source)), ""
        else:
            schema = await connection.fetchval(
                "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                "WHERE e.extname = 'pg_stat_statements'"
            )
            if schema is None:
                available = await connection.fetchval(
                    "SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_stat_statements'"
                )
                how = (
                    "CREATE EXTENSION pg_stat_statements (and add it to shared_preload_libraries)"
                    if available
                    else "the extension is not available on this server"
                )
                return CheckResult.unknown(
                    f"pg_stat_statements not installed: {how}",
                    asked=ask(where, asked_extension),
                    answer="not installed",
                )
            relation = f"{quote_relation(schema)}.pg_stat_statements"
            this_db = " AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
        rows = None
        asked = ""
        for mean, total in (("mean_exec_time", "total_exec_time"), ("mean_time", "total_time")):
            asked = (
                f"SELECT query, calls, {mean}, {total} FROM {relation} WHERE calls >= {min_calls}{this_db}"
            )
            try:
                rows = await connection.fetch(
                    f"SELECT query, calls, {mean}::float8 AS mean_ms, {total}::float8 AS total_ms "
                    f"FROM {relation} WHERE calls >= $1{this_db}",
                    min_calls,
                )
                break
            except _asyncpg().UndefinedColumnError:
                continue
            except _asyncpg().ObjectNotInPrerequisiteStateError as exc:
                return CheckResult.unknown(
                    f"pg_stat_statements cannot be queried: {exc}", asked=ask(where, asked), answer=str(exc)
                )
            except _asyncpg().UndefinedTableError as exc:
                return CheckResult.unknown(
                    f"{source or 'pg_stat_statements'} not found: {exc}",
                    asked=ask(where, asked),
                    answer=str(exc),
                )
        if rows is None:
            return CheckResult.unknown(
                "pg_stat_statements has no mean time column", asked=ask(where, asked), answer=""
            )
        if not rows:
            return CheckResult.unknown("no statements recorded yet", asked=ask(where, asked), answer="0 rows")
        p95 = round(weighted_percentile([(float(r["mean_ms"]), int(r["calls"])) for r in rows]), 2)
        slowest = sorted(rows, key=lambda r: float(r["mean_ms"]), reverse=True)[:limit]
        top = [
            {
                "query": truncate(" ".join(str(r["query"]).split()), 160),
                "calls": int(r["calls"]),
                "mean_ms": round(float(r["mean_ms"]), 2),
                "total_ms": round(float(r["total_ms"]), 1),
            }
            for r in slowest
        ]
        evidence = {
            "asked": ask(where, asked),
            "answer": "\n".join(f"{t['mean_ms']} ms x{t['calls']}: {t['query']}" for t in top),
            "statements": len(rows),
            "calls": sum(int(r["calls"]) for r in rows),
            "slowest": top,
        }
        threshold = threshold_of(spec)
        status = threshold.judge(p95) if threshold else "pass"
        described = threshold.describe("query P95", p95, "ms") if threshold else f"query P95 {p95} ms"
        slowest_mean = fmt_number(round(float(slowest[0]["mean_ms"]), 2))
        return CheckResult(status, p95, "ms", f"{described} (slowest mean {slowest_mean} ms)", evidence)

    return await run_read_only(spec, context, body)


# ------------------------------------------------------------------------------ unused indexes
UNUSED_SQL = """
SELECT s.relname AS table_name, s.indexrelname AS index_name, pg_relation_size(s.indexrelid) AS bytes
FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid
WHERE s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary AND s.schemaname = $1
ORDER BY bytes DESC, index_name
"""


async def check_pg_unused_indexes(spec: CheckSpec, context: CheckContext) -> CheckResult:
    schema = str(spec.param("schema", "public"))

    async def body(connection: asyncpg.Connection, where: str) -> CheckResult:
        rows = await connection.fetch(UNUSED_SQL, schema)
        total = await connection.fetchval(
            "SELECT count(*) FROM pg_stat_user_indexes WHERE schemaname = $1", schema
        )
        names = [f"{r['index_name']} on {r['table_name']} ({fmt_bytes(r['bytes'])})" for r in rows]
        evidence = {
            "asked": ask(where, UNUSED_SQL.replace("$1", f"'{schema}'")),
            "answer": "\n".join(names) or f"none of {total} indexes has idx_scan = 0",
        }
        threshold = threshold_of(spec)
        status = threshold.judge(len(rows)) if threshold else "pass"
        if not rows:
            return CheckResult(status, 0, "indexes", f"all {total} indexes scanned at least once", evidence)
        shown = ", ".join(r["index_name"] for r in rows[:3]) + (" …" if len(rows) > 3 else "")
        return CheckResult(
            status, len(rows), "indexes", f"{len(rows)} of {total} indexes never scanned: {shown}", evidence
        )

    return await run_read_only(spec, context, body)
