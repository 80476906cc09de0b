"""PostgreSQL probes about what the schema holds: extensions, the migrations applied, RLS.

Split from postgres.py (the connection and the load figures: ping, connections, table sizes,
slow queries, unused indexes) because these answer a different question, "is the schema the
one the release expects?", and change with the release, not with the traffic. They use the
same read-only connection (`postgres.run_read_only`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from omniops_tui.probes.base import CheckResult, CheckSpec
from omniops_tui.probes.context import CheckContext
from omniops_tui.probes.postgres import ask, quote_relation, run_read_only

if TYPE_CHECKING:
    import asyncpg

MIGRATION_TABLES = ("supabase_migrations.schema_migrations", "public.migrations", "migrations")


# ------------------------------------------------------------------------------ extensions
async def check_pg_extensions(spec: CheckSpec, context: CheckContext) -> CheckResult:
    env = context.environment
    required = [str(e) for e in (spec.param("required") or (env.required_extensions if env else []))]

    async def body(connection: asyncpg.Connection, where: str) -> CheckResult:
        installed = {
            r["extname"]: r["extversion"]
            for r in await connection.fetch("SELECT extname, extversion FROM pg_extension")
        }
        available = {
            r["name"]
            for r in await connection.fetch(
                "SELECT name FROM pg_available_extensions WHERE name = ANY($1::text[])", required
            )
        }
        missing = [e for e in required if e not in installed]
        evidence = {
            "asked": ask(
                where,
                f"SELECT extname, extversion FROM pg_extension WHERE extname IN ({', '.join(required)})",
            ),
            "answer": "\n".join(f"{e}: {installed.get(e) or 'missing'}" for e in required),
        }
        if not required:
            return CheckResult.unknown("no required_extensions configured", **evidence)
        if missing:
            notes = [f"{e}" + ("" if e in available else " (not available on the server)") for e in missing]
            return CheckResult("fail", missing, "", f"missing: {', '.join(notes)}", evidence)
        shown = ", ".join(f"{e} {installed[e]}" for e in required)
        return CheckResult("pass", [], "", f"all {len(required)} present ({shown})", evidence)

    return await run_read_only(spec, context, body)


# ------------------------------------------------------------------------------ migrations
async def _migration_table(connection: asyncpg.Connection) -> tuple[str, list[str]] | None:
    for name in MIGRATION_TABLES:
        oid = await connection.fetchval("SELECT to_regclass($1)::oid", name)
        if oid is not None:
            columns = [
                r["attname"]
                for r in await connection.fetch(
                    "SELECT attname FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 "
                    "AND NOT attisdropped ORDER BY attnum",
                    oid,
                )
            ]
            return name, columns
    return None


async def check_pg_migrations(spec: CheckSpec, context: CheckContext) -> CheckResult:
    limit = int(spec.param("limit", 5))
    expected = str(context.render(spec.param("expected") or ""))

    async def body(connection: asyncpg.Connection, where: str) -> CheckResult:
        found = await _migration_table(connection)
        if found is None:
            return CheckResult.unknown(
                "no migrations table (supabase_migrations.schema_migrations or migrations)",
                asked=ask(
                    where, "to_regclass('supabase_migrations.schema_migrations'), to_regclass('migrations')"
                ),
                answer="neither exists",
            )
        table, columns = found
        version_col = next((c for c in ("version", "name", "migration", "id") if c in columns), columns[0])
        when_col = next(
            (c for c in ("applied_at", "created_at", "inserted_at", "run_on", "executed_at") if c in columns),
            None,
        )
        order = f'"{when_col}" DESC NULLS LAST, "{version_col}" DESC' if when_col else f'"{version_col}" DESC'
        when_sql = f'"{when_col}"::text' if when_col else "NULL"
        query = (
            f'SELECT "{version_col}"::text AS version, {when_sql} AS applied '
            f"FROM {quote_relation(table)} ORDER BY {order} LIMIT $1"
        )
        rows = await connection.fetch(query, limit)
        latest = [{"version": r["version"], "applied": r["applied"]} for r in rows]
        evidence = {
            "asked": ask(where, query.replace("$1", str(limit))),
            "answer": "\n".join(f"{m['version']}  {m['applied'] or ''}".rstrip() for m in latest)
            or "(empty)",
            "table": table,
            "latest": latest,
        }
        if not latest:
            return CheckResult.unknown(f"{table} is empty", **evidence)
        head = latest[0]
        when = f" (applied {str(head['applied'])[:16]})" if head["applied"] else ""
        if expected:
            applied = await connection.fetchval(
                f'SELECT count(*) FROM {quote_relation(table)} WHERE "{version_col}"::text = $1', expected
            )
            if not applied:
                return CheckResult(
                    "fail",
                    head["version"],
                    "",
                    f"{expected} not applied; latest is {head['version']}{when}",
                    evidence,
                )
            return CheckResult(
                "pass", head["version"], "", f"{expected} applied; latest {head['version']}{when}", evidence
            )
        return CheckResult("pass", head["version"], "", f"latest: {head['version']}{when}", evidence)

    return await run_read_only(spec, context, body)


# ------------------------------------------------------------------------------ row level security
async def check_pg_rls(spec: CheckSpec, context: CheckContext) -> CheckResult:
    schema = str(spec.param("schema", "public"))
    query = "SELECT tablename, rowsecurity FROM pg_tables WHERE schemaname = $1 ORDER BY tablename"

    async def body(connection: asyncpg.Connection, where: str) -> CheckResult:
        rows = await connection.fetch(query, schema)
        without = [r["tablename"] for r in rows if not r["rowsecurity"]]
        evidence = {
            "asked": ask(where, query.replace("$1", f"'{schema}'")),
            "answer": "\n".join(f"{r['tablename']}: {'on' if r['rowsecurity'] else 'OFF'}" for r in rows)
            or "(no tables)",
        }
        if not rows:
            return CheckResult.unknown(f"no tables in schema {schema}", **evidence)
        if without:
            shown = ", ".join(without[:3]) + (f" (+{len(without) - 3})" if len(without) > 3 else "")
            return CheckResult(
                "fail",
                len(without),
                "tables",
                f"RLS off on {len(without)} of {len(rows)} tables: {shown}",
                evidence,
            )
        return CheckResult("pass", 0, "tables", f"RLS on for all {len(rows)} tables", evidence)

    return await run_read_only(spec, context, body)
