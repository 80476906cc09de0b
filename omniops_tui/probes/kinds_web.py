"""The check kinds that ask over the network as a user would: HTTP endpoints, TLS, Prometheus.

Declarations only (schema, defaults, where the code lives); the registry indexes them.
"""

from __future__ import annotations

from omniops_tui.probes.kind import JUDGED_BY, CheckKind, limits_threshold, param

KINDS: list[CheckKind] = []  # in declaration order; probes/registry.py indexes them by name
declare = KINDS.append

_HTTP = "omniops_tui.probes.http"

_PATH = param(str, default="{health_path}", doc="path under base_url; {health_path} etc. are substituted")

# ----------------------------------------------------------------------------------- HTTP
declare(
    CheckKind(
        "http",
        _HTTP,
        "check_http",
        "http",
        "One request: its status (any 2xx unless expect_status) and, like `jq -e`, a JSON field.",
        {
            "path": _PATH,
            "method": param(str, default="GET", doc="GET or HEAD; POST only with smoke_test = true"),
            "smoke_test": param(
                bool,
                default=False,
                doc="a smoke test that POSTs to an endpoint changing nothing; never run under --read-only",
            ),
            "json": param(dict, doc="JSON body to send; strings may use {domain}"),
            "expect_status": param(int, list, doc="status (or list) that passes; default any 2xx"),
            "require_field": param(str, doc="dotted JSON field that must be present and not null"),
            "contains": param(str, doc="text the body must contain"),
        },
        uses_threshold=False,
    )
)
declare(
    CheckKind(
        "http_json",
        _HTTP,
        "check_http_json",
        "http",
        "A field of a JSON endpoint (default /api/health/comprehensive) compared with a value or threshold.",
        {
            "path": param(str, default="{comprehensive_health_path}"),
            "field": param(str, required=True, doc="dotted JSON field, e.g. errorRate, database, p95"),
            "equals": param(str, list, doc="accepted value(s) for a text field, e.g. connected"),
            "unit": param(str, default="", doc="unit of the number (% for errorRate, ms for p95)"),
            "label": param(str, doc="how the summary names the field (default: the field)"),
            "judged_by": JUDGED_BY,
        },
    )
)
declare(
    CheckKind(
        "http_version",
        _HTTP,
        "check_http_version",
        "http",
        "The running version (/api/version) against the expected one (leading v ignored).",
        {
            "path": param(str, default="{version_path}"),
            "field": param(str, default="version"),
            "expected": param(
                str,
                default="{expected_version}",
                doc="{expected_version} or {previous_version} from the environment",
            ),
        },
        uses_threshold=False,
    )
)
declare(
    CheckKind(
        "http_latency",
        "omniops_tui.probes.latency_check",
        "check_http_latency",
        "http",
        "N GET requests with bounded concurrency (the runbooks' 50-request curl loop): avg, P95, max, "
        "error rate; `metric` is the one judged.",
        {
            "path": _PATH,
            "requests": param(
                int, doc="number of requests (default: the environment's latency_requests, 50)"
            ),
            "concurrency": param(int, doc="requests in flight at once (default: latency_concurrency, 10)"),
            "metric": param(str, default="p95", doc="p95, avg, max or error_rate"),
            "judged_by": JUDGED_BY,
        },
        default_threshold=limits_threshold("p95_ms"),
    )
)
declare(
    CheckKind(
        "https_redirect",
        _HTTP,
        "check_https_redirect",
        "http",
        "HTTPS enforced: plain http:// is redirected to https:// (only when base_url is https).",
        {
            "path": param(str, default="/"),
            "http_url": param(str, doc="the plain-HTTP URL to try (default http://HOST/PATH)"),
        },
        uses_threshold=False,
    )
)
declare(
    CheckKind(
        "security_headers",
        _HTTP,
        "check_security_headers",
        "http",
        "The nginx security headers of the document are sent (only when base_url is https).",
        {
            "path": param(str, default="/"),
            "headers": param(
                list, default=["Strict-Transport-Security", "X-Frame-Options", "X-Content-Type-Options"]
            ),
        },
        uses_threshold=False,
    )
)
declare(
    CheckKind(
        "http_absent",
        _HTTP,
        "check_http_absent",
        "http",
        "Paths that must never be served (secret files): pass when none answers 2xx.",
        {"paths": param(list, default=["/.env", "/.env.production", "/.env.local", "/.git/config"])},
        uses_threshold=False,
    )
)
declare(
    CheckKind(
        "dns",
        "omniops_tui.probes.dns",
        "check_dns",
        "http",
        "The domain of base_url (or `host`) resolves; optionally to the expected addresses.",
        {
            "host": param(str, doc="default: the host of base_url"),
            "expect": param(list, doc="addresses that must be among the answers"),
        },
        uses_threshold=False,
    )
)

# ----------------------------------------------------------------------------------- TLS
declare(
    CheckKind(
        "tls_certificate",
        "omniops_tui.probes.tls",
        "check_tls",
        "tls",
        "The certificate verifies for the host; days to expiry (warn under 14, fail when expired).",
        {
            "host": param(str, doc="default: tls_host, else the host of an https base_url"),
            "port": param(int, doc="default: tls_port (443)"),
        },
        default_threshold=limits_threshold("tls_days_left"),
    )
)

# ----------------------------------------------------------------------------------- Prometheus
declare(
    CheckKind(
        "promql",
        "omniops_tui.probes.promql_check",
        "check_promql",
        "prometheus",
        "A PromQL expression against its threshold, now or over a window (the worst value must pass); "
        "`fallback` runs another check when the environment has no Prometheus.",
        {
            "query": param(str, doc="PromQL; $app, $node, $window … are the environment's values"),
            "metric": param(str, doc="a catalogue figure instead of a query, e.g. error_rate (promql.toml)"),
            "window": param(str, default="", doc="judge the worst value over this window, e.g. 5m"),
            "unit": param(str, default="", doc="unit of the value (%, ms …)"),
            "label": param(str, doc="how the summary names the value"),
            "fallback": param(
                dict, doc='the check to run without Prometheus, e.g. { kind = "http_json", … }'
            ),
            "judged_by": JUDGED_BY,
        },
    )
)
