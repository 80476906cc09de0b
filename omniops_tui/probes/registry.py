"""The registry of check kinds: their parameters, defaults, and where their code lives.

The schema lives here, not in the check modules, so bindings.toml can be validated (and the
UI can list kinds) without importing httpx, asyncpg, boto3, asyncssh or redis; a kind's module
is imported the first time one of its checks runs (`CheckKind.load`).
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from omniops_tui.core.errors import UserError
from omniops_tui.core.thresholds import Limits, thresholds
from omniops_tui.probes.base import CheckResult, CheckSpec, Threshold

if TYPE_CHECKING:
    from omniops_tui.probes.context import CheckContext

CheckFn = Callable[["CheckSpec", "CheckContext"], Awaitable[CheckResult]]


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter of a kind: the TOML types it accepts, its default, what it is for."""

    types: tuple[type, ...]
    default: Any = None
    required: bool = False
    doc: str = ""

    @property
    def type_names(self) -> str:
        names = {
            str: "a string",
            int: "a whole number",
            float: "a number",
            bool: "true or false",
            list: "a list",
            dict: "a table",
        }
        return " or ".join(names.get(t, t.__name__) for t in self.types)


@dataclass(frozen=True, slots=True)
class CheckKind:
    """A kind of probe. `target` names the config section it needs (http, postgres, …)."""

    name: str
    module: str
    function: str
    target: str
    doc: str
    params: dict[str, Param] = field(default_factory=dict)
    default_threshold: Threshold | None = None
    uses_threshold: bool = True
    per_host: bool = False

    def load(self) -> CheckFn:
        module = importlib.import_module(self.module)
        return getattr(module, self.function)


def _p(*types: type, default: Any = None, required: bool = False, doc: str = "") -> Param:
    return Param(types, default, required, doc)


def _limits(name: str) -> Threshold:
    """A kind's default threshold: the entry `name` of the one thresholds file."""
    return Threshold(**thresholds().limits_of(name).check_threshold())


_JUDGED_BY = _p(
    str,
    doc="the thresholds.toml entry the number is judged by when the binding gives no below/above "
    "(e.g. error_rate); a value outside the entry's range is unknown, not a number",
)


_HTTP = "omniops_tui.probes.http"
_PG = "omniops_tui.probes.postgres"
_REDIS = "omniops_tui.probes.redis"
_SSH = "omniops_tui.probes.ssh"

_PATH = _p(str, default="{health_path}", doc="path under base_url; {health_path} etc. are substituted")

KINDS: dict[str, CheckKind] = {}


def register(kind: CheckKind) -> CheckKind:
    if kind.name in KINDS:
        raise ValueError(f"check kind {kind.name!r} registered twice")
    KINDS[kind.name] = kind
    return kind


# ----------------------------------------------------------------------------------- HTTP
register(
    CheckKind(
        "http",
        _HTTP,
        "check_http",
        "http",
        "One request: its status (any 2xx unless expect_status) and, like `jq -e`, a JSON field.",
        {
            "path": _PATH,
            "method": _p(str, default="GET", doc="GET or HEAD; POST only with smoke_test = true"),
            "smoke_test": _p(
                bool,
                default=False,
                doc="a smoke test that POSTs to an endpoint changing nothing; never run under --read-only",
            ),
            "json": _p(dict, doc="JSON body to send; strings may use {domain}"),
            "expect_status": _p(int, list, doc="status (or list) that passes; default any 2xx"),
            "require_field": _p(str, doc="dotted JSON field that must be present and not null"),
            "contains": _p(str, doc="text the body must contain"),
        },
        uses_threshold=False,
    )
)
register(
    CheckKind(
        "http_json",
        _HTTP,
        "check_http_json",
        "http",
        "A field of a JSON endpoint (default /api/health/comprehensive) compared with a value or threshold.",
        {
            "path": _p(str, default="{comprehensive_health_path}"),
            "field": _p(str, required=True, doc="dotted JSON field, e.g. errorRate, database, p95"),
            "equals": _p(str, list, doc="accepted value(s) for a text field, e.g. connected"),
            "unit": _p(str, default="", doc="unit of the number (% for errorRate, ms for p95)"),
            "label": _p(str, doc="how the summary names the field (default: the field)"),
            "judged_by": _JUDGED_BY,
        },
    )
)
register(
    CheckKind(
        "http_version",
        _HTTP,
        "check_http_version",
        "http",
        "The running version (/api/version) against the expected one (leading v ignored).",
        {
            "path": _p(str, default="{version_path}"),
            "field": _p(str, default="version"),
            "expected": _p(
                str,
                default="{expected_version}",
                doc="{expected_version} or {previous_version} from the environment",
            ),
        },
        uses_threshold=False,
    )
)
register(
    CheckKind(
        "http_latency",
        _HTTP,
        "check_http_latency",
        "http",
        "N GET requests with bounded concurrency (the runbooks' 50-request curl loop): avg, P95, max, "
        "error rate; `metric` is the one judged.",
        {
            "path": _PATH,
            "requests": _p(int, doc="number of requests (default: the environment's latency_requests, 50)"),
            "concurrency": _p(int, doc="requests in flight at once (default: latency_concurrency, 10)"),
            "metric": _p(str, default="p95", doc="p95, avg, max or error_rate"),
            "judged_by": _JUDGED_BY,
        },
        default_threshold=_limits("p95_ms"),
    )
)
register(
    CheckKind(
        "https_redirect",
        _HTTP,
        "check_https_redirect",
        "http",
        "HTTPS enforced: plain http:// is redirected to https:// (only when base_url is https).",
        {
            "path": _p(str, default="/"),
            "http_url": _p(str, doc="the plain-HTTP URL to try (default http://HOST/PATH)"),
        },
        uses_threshold=False,
    )
)
register(
    CheckKind(
        "security_headers",
        _HTTP,
        "check_security_headers",
        "http",
        "The nginx security headers of the document are sent (only when base_url is https).",
        {
            "path": _p(str, default="/"),
            "headers": _p(
                list, default=["Strict-Transport-Security", "X-Frame-Options", "X-Content-Type-Options"]
            ),
        },
        uses_threshold=False,
    )
)
register(
    CheckKind(
        "http_absent",
        _HTTP,
        "check_http_absent",
        "http",
        "Paths that must never be served (secret files): pass when none answers 2xx.",
        {"paths": _p(list, default=["/.env", "/.env.production", "/.env.local", "/.git/config"])},
        uses_threshold=False,
    )
)
register(
    CheckKind(
        "dns",
        "omniops_tui.probes.dns",
        "check_dns",
        "http",
        "The domain of base_url (or `host`) resolves; optionally to the expected addresses.",
        {
            "host": _p(str, doc="default: the host of base_url"),
            "expect": _p(list, doc="addresses that must be among the answers"),
        },
        uses_threshold=False,
    )
)

# ----------------------------------------------------------------------------------- TLS
register(
    CheckKind(
        "tls_certificate",
        "omniops_tui.probes.tls",
        "check_tls",
        "tls",
        "The certificate verifies for the host; days to expiry (warn under 14, fail when expired).",
        {
            "host": _p(str, doc="default: tls_host, else the host of an https base_url"),
            "port": _p(int, doc="default: tls_port (443)"),
        },
        default_threshold=_limits("tls_days_left"),
    )
)

# ----------------------------------------------------------------------------------- PostgreSQL
register(
    CheckKind(
        "pg_ping",
        _PG,
        "check_pg_ping",
        "postgres",
        "`SELECT 1` answers (value: round trip in ms).",
        {},
    )
)
register(
    CheckKind(
        "pg_connections",
        _PG,
        "check_pg_connections",
        "postgres",
        "Connections in use against max_connections (value: percent used).",
        {},
        default_threshold=_limits("db_connections_pct"),
    )
)
register(
    CheckKind(
        "pg_largest_tables",
        _PG,
        "check_pg_largest_tables",
        "postgres",
        "The largest tables with their total size (value: bytes of the largest).",
        {"schema": _p(str, default="public"), "limit": _p(int, default=10)},
    )
)
register(
    CheckKind(
        "pg_slow_queries",
        _PG,
        "check_pg_slow_queries",
        "postgres",
        "Query time from pg_stat_statements: the call-weighted P95 of statement mean times (ms), and "
        "the slowest statements; unknown with the reason when the extension cannot be queried.",
        {
            "limit": _p(int, default=5),
            "min_calls": _p(int, default=1),
            "source": _p(str, doc="relation to read instead of the extension's view (a saved snapshot)"),
        },
        default_threshold=_limits("db_query_p95_ms"),
    )
)
register(
    CheckKind(
        "pg_unused_indexes",
        _PG,
        "check_pg_unused_indexes",
        "postgres",
        "Indexes never scanned (idx_scan = 0), primary keys and unique indexes excepted.",
        {"schema": _p(str, default="public")},
        default_threshold=_limits("unused_indexes"),
    )
)
register(
    CheckKind(
        "pg_extensions",
        _PG,
        "check_pg_extensions",
        "postgres",
        "Required extensions are installed (default: the environment's required_extensions).",
        {"required": _p(list, doc="extension names (default: required_extensions)")},
        uses_threshold=False,
    )
)
register(
    CheckKind(
        "pg_migrations",
        _PG,
        "check_pg_migrations",
        "postgres",
        "Latest applied migrations (supabase_migrations.schema_migrations or a `migrations` table).",
        {"limit": _p(int, default=5), "expected": _p(str, doc="a version that must be applied")},
        uses_threshold=False,
    )
)
register(
    CheckKind(
        "pg_rls",
        _PG,
        "check_pg_rls",
        "postgres",
        "Row level security is enabled on every table of the schema (the document's pg_tables query).",
        {"schema": _p(str, default="public")},
        uses_threshold=False,
    )
)

# ----------------------------------------------------------------------------------- Redis
register(
    CheckKind(
        "redis_ping", _REDIS, "check_redis_ping", "redis", "PING answers PONG (value: round trip in ms).", {}
    )
)
register(
    CheckKind(
        "redis_hit_rate",
        _REDIS,
        "check_redis_hit_rate",
        "redis",
        "Keyspace hit rate from INFO stats, percent.",
        {},
        default_threshold=_limits("redis_hit_rate"),
    )
)
register(
    CheckKind(
        "redis_memory",
        _REDIS,
        "check_redis_memory",
        "redis",
        "used_memory from INFO memory (value: percent of maxmemory, or MB when no maxmemory).",
        {},
        default_threshold=_limits("redis_memory_pct"),
    )
)

# ----------------------------------------------------------------------------------- S3
register(
    CheckKind(
        "s3_backup",
        "omniops_tui.probes.s3",
        "check_s3_backup",
        "s3",
        "Newest object under the backup prefix: present, its age (fail past max_age_hours) and size.",
        {
            "max_age_hours": _p(int, float, doc="default: the environment's s3.max_age_hours (26)"),
            "suffix": _p(str, doc="only objects whose key ends with this, e.g. .sql.gz"),
        },
        uses_threshold=False,
    )
)

# ----------------------------------------------------------------------------------- SSH
_HOSTS = _p(list, doc="host names to run on (default: every configured host)")
register(
    CheckKind(
        "ssh_command",
        _SSH,
        "check_ssh_command",
        "ssh",
        "Run a read-only command on each host; pass on exit 0 (and `contains` found).",
        {"command": _p(str, required=True), "contains": _p(str), "hosts": _HOSTS},
        uses_threshold=False,
        per_host=True,
    )
)
register(
    CheckKind(
        "ssh_uptime",
        _SSH,
        "check_ssh_uptime",
        "ssh",
        "`uptime`: the host answers (value: 1-minute load).",
        {"hosts": _HOSTS},
        per_host=True,
    )
)
register(
    CheckKind(
        "ssh_cpu",
        _SSH,
        "check_ssh_cpu",
        "ssh",
        "CPU busy percent from `top -bn1` (else /proc/loadavg over nproc).",
        {"hosts": _HOSTS},
        default_threshold=_limits("cpu_percent"),
        per_host=True,
    )
)
register(
    CheckKind(
        "ssh_memory",
        _SSH,
        "check_ssh_memory",
        "ssh",
        "Memory in use from `free -m`, percent; across sweeps a rise of more than `max_rise` points "
        "turns it amber (memory not stable).",
        {"hosts": _HOSTS, "max_rise": _p(int, float, default=10.0)},
        default_threshold=_limits("mem_percent"),
        per_host=True,
    )
)
register(
    CheckKind(
        "ssh_disk",
        _SSH,
        "check_ssh_disk",
        "ssh",
        "Disk use percent from `df -P PATH`.",
        {"hosts": _HOSTS, "path": _p(str, default="/")},
        default_threshold=_limits("disk_percent"),
        per_host=True,
    )
)
register(
    CheckKind(
        "ssh_docker_compose",
        _SSH,
        "check_ssh_docker_compose",
        "ssh",
        "`docker-compose ps`: every service Up and not unhealthy (unknown when docker-compose is absent).",
        {"hosts": _HOSTS},
        uses_threshold=False,
        per_host=True,
    )
)
register(
    CheckKind(
        "ssh_pm2",
        _SSH,
        "check_ssh_pm2",
        "ssh",
        "`pm2 status`: every process online (unknown when pm2 is absent).",
        {"hosts": _HOSTS},
        uses_threshold=False,
        per_host=True,
    )
)
register(
    CheckKind(
        "ssh_log_errors",
        _SSH,
        "check_ssh_log_errors",
        "ssh",
        "Share of ERROR lines among the last `lines` lines of a log (default: the host's first log).",
        {"hosts": _HOSTS, "log": _p(str), "lines": _p(int, default=500), "pattern": _p(str, default="ERROR")},
        default_threshold=_limits("log_error_share"),
        per_host=True,
    )
)

# ----------------------------------------------------------------------------------- Prometheus
register(
    CheckKind(
        "promql",
        "omniops_tui.probes.promql_check",
        "check_promql",
        "prometheus",
        "A PromQL expression against its threshold, now or over a window (the worst value must pass); "
        "`fallback` runs another check when the environment has no Prometheus.",
        {
            "query": _p(str, doc="PromQL; $app, $node, $window … are the environment's values"),
            "metric": _p(str, doc="a catalogue figure instead of a query, e.g. error_rate (promql.toml)"),
            "window": _p(str, default="", doc="judge the worst value over this window, e.g. 5m"),
            "unit": _p(str, default="", doc="unit of the value (%, ms …)"),
            "label": _p(str, doc="how the summary names the value"),
            "fallback": _p(dict, doc='the check to run without Prometheus, e.g. { kind = "http_json", … }'),
            "judged_by": _JUDGED_BY,
        },
    )
)


def get_kind(name: str) -> CheckKind:
    return KINDS[name]


def limits_for(spec: CheckSpec) -> Limits | None:
    """The thresholds.toml entry a binding names with `judged_by` (None when it names none)."""
    name = spec.params.get("judged_by")
    if not name:
        return None
    try:
        return thresholds().limits_of(str(name))
    except KeyError as exc:
        raise UserError(f"checks.{spec.base_id}: judged_by: {exc.args[0]}") from exc


def threshold_of(spec: CheckSpec) -> Threshold | None:
    """The binding's threshold, else the entry it is `judged_by`, else its kind's default.

    None: the value is only shown.
    """
    if spec.threshold is not None and not spec.threshold.empty:
        return spec.threshold
    limits = limits_for(spec)
    if limits is not None:
        return Threshold(**limits.check_threshold())
    kind = KINDS.get(spec.kind)
    return kind.default_threshold if kind else None
