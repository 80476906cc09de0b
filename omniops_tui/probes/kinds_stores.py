"""The check kinds that ask the data stores: PostgreSQL, Redis and the S3 backups.

Declarations only (schema, defaults, where the code lives); the registry indexes them.
"""

from __future__ import annotations

from omniops_tui.probes.kind import CheckKind, limits_threshold, param

KINDS: list[CheckKind] = []  # in declaration order; probes/registry.py indexes them by name
declare = KINDS.append

_PG = "omniops_tui.probes.postgres"
_PG_SCHEMA = "omniops_tui.probes.postgres_schema"
_REDIS = "omniops_tui.probes.redis"

# ----------------------------------------------------------------------------------- PostgreSQL
declare(
    CheckKind(
        "pg_ping",
        _PG,
        "check_pg_ping",
        "postgres",
        "`SELECT 1` answers (value: round trip in ms).",
        {},
    )
)
declare(
    CheckKind(
        "pg_connections",
        _PG,
        "check_pg_connections",
        "postgres",
        "Connections in use against max_connections (value: percent used).",
        {},
        default_threshold=limits_threshold("db_connections_pct"),
    )
)
declare(
    CheckKind(
        "pg_largest_tables",
        _PG,
        "check_pg_largest_tables",
        "postgres",
        "The largest tables with their total size (value: bytes of the largest).",
        {"schema": param(str, default="public"), "limit": param(int, default=10)},
    )
)
declare(
    CheckKind(
        "pg_slow_queries",
        _PG,
        "check_pg_slow_queries",
        "postgres",
        "Query time from pg_stat_statements: the call-weighted P95 of statement mean times (ms), and "
        "the slowest statements; unknown with the reason when the extension cannot be queried.",
        {
            "limit": param(int, default=5),
            "min_calls": param(int, default=1),
            "source": param(str, doc="relation to read instead of the extension's view (a saved snapshot)"),
        },
        default_threshold=limits_threshold("db_query_p95_ms"),
    )
)
declare(
    CheckKind(
        "pg_unused_indexes",
        _PG,
        "check_pg_unused_indexes",
        "postgres",
        "Indexes never scanned (idx_scan = 0), primary keys and unique indexes excepted.",
        {"schema": param(str, default="public")},
        default_threshold=limits_threshold("unused_indexes"),
    )
)
declare(
    CheckKind(
        "pg_extensions",
        _PG_SCHEMA,
        "check_pg_extensions",
        "postgres",
        "Required extensions are installed (default: the environment's required_extensions).",
        {"required": param(list, doc="extension names (default: required_extensions)")},
        uses_threshold=False,
    )
)
declare(
    CheckKind(
        "pg_migrations",
        _PG_SCHEMA,
        "check_pg_migrations",
        "postgres",
        "Latest applied migrations (supabase_migrations.schema_migrations or a `migrations` table).",
        {"limit": param(int, default=5), "expected": param(str, doc="a version that must be applied")},
        uses_threshold=False,
    )
)
declare(
    CheckKind(
        "pg_rls",
        _PG_SCHEMA,
        "check_pg_rls",
        "postgres",
        "Row level security is enabled on every table of the schema (the document's pg_tables query).",
        {"schema": param(str, default="public")},
        uses_threshold=False,
    )
)

# ----------------------------------------------------------------------------------- Redis
declare(
    CheckKind(
        "redis_ping", _REDIS, "check_redis_ping", "redis", "PING answers PONG (value: round trip in ms).", {}
    )
)
declare(
    CheckKind(
        "redis_hit_rate",
        _REDIS,
        "check_redis_hit_rate",
        "redis",
        "Keyspace hit rate from INFO stats, percent.",
        {},
        default_threshold=limits_threshold("redis_hit_rate"),
    )
)
declare(
    CheckKind(
        "redis_memory",
        _REDIS,
        "check_redis_memory",
        "redis",
        "used_memory from INFO memory (value: percent of maxmemory, or MB when no maxmemory).",
        {},
        default_threshold=limits_threshold("redis_memory_pct"),
    )
)

# ----------------------------------------------------------------------------------- S3
declare(
    CheckKind(
        "s3_backup",
        "omniops_tui.probes.s3",
        "check_s3_backup",
        "s3",
        "Newest object under the backup prefix: present, its age (fail past max_age_hours) and size.",
        {
            "max_age_hours": param(int, float, doc="default: the environment's s3.max_age_hours (26)"),
            "suffix": param(str, doc="only objects whose key ends with this, e.g. .sql.gz"),
        },
        uses_threshold=False,
    )
)
