"""Print the README's config reference: every key, its default, what it does, an example.

    .venv/bin/python docs/config_reference.py

Generated from the dataclasses in omniops_tui/config.py; tests/test_readme.py fails when a key
has no description here or the README's table is out of date.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

DOCS: dict[str, tuple[str, str]] = {
    # top level: key -> (what it does, example)
    "default_env": ("Environment used when `--env` is not given (else the first one).", '"production"'),
    "check_interval": ("Seconds between two sweeps of live checks and metric samples.", "15"),
    "timeout": ("Seconds any one check may wait for an answer.", "5"),
    "sessions_dir": ("Where sessions are recorded (else the user state dir).", '"~/incidents/sessions"'),
    "log_record_cap_mb": ("Per-session budget for recorded log lines; past it only ERROR lines.", "50"),
    "read_only": (
        "Like `--read-only`: only read-only command blocks may run (the others are refused, saying "
        "why), and checks send GET and HEAD only (no smoke-test POSTs).",
        "true",
    ),
    "max_response_mb": (
        "The most of one HTTP body or SSH command output a check reads; past it the answer is cut "
        "and the check says so.",
        "1",
    ),
    "run_dir": (
        "Where command blocks run on the bastion (`x`) start; else the folder of the session file, "
        "where `D` writes its diagnostics too.",
        '"~/incidents/work"',
    ),
    "placeholders": (
        "Values of the runbooks' placeholders (placeholders.toml lists them) where the environment's "
        "base_url and hosts do not give one.",
        '{ "yourdomain.com" = "shop.example.com" }',
    ),
    "secrets": (
        "Extra secrets to redact: names of env variables, or literal strings.",
        '["PAGERDUTY_TOKEN"]',
    ),
    # [env.NAME]
    "env.base_url": (
        "The application's URL: health, smoke tests, latency probe.",
        '"https://shop.example.com"',
    ),
    "env.health_path": ("Health endpoint under base_url.", '"/api/health"'),
    "env.comprehensive_health_path": (
        "Comprehensive health (database, redis, workers, errorRate…).",
        '"/api/health/comprehensive"',
    ),
    "env.version_path": ("Running version endpoint.", '"/api/version"'),
    "env.expected_version": ("The version being deployed, compared with the running one.", '"v1.2.1"'),
    "env.previous_version": ("The version a rollback returns to.", '"v1.2.0"'),
    "env.tls_host": ("Host whose certificate is checked (default: base_url's host).", '"shop.example.com"'),
    "env.tls_port": ("Port of the TLS check.", "443"),
    "env.verify_tls": ("Verify HTTPS certificates.", "true"),
    "env.tls_ca_file": ("A private CA bundle for HTTPS checks.", '"/etc/ssl/internal-ca.pem"'),
    "env.database_url_env": ("NAME of the variable holding the PostgreSQL URL.", '"PRODUCTION_DATABASE_URL"'),
    "env.redis_url_env": ("NAME of the variable holding the Redis URL.", '"REDIS_URL"'),
    "env.required_extensions": ("PostgreSQL extensions that must be installed.", '["uuid-ossp", "vector"]'),
    "env.timeout": ("This environment's check timeout (overrides the top-level one).", "10"),
    "env.check_interval": ("This environment's interval (overrides the top-level one).", "30"),
    "env.latency_requests": ("Requests of the latency probe.", "50"),
    "env.latency_concurrency": ("Requests in flight at once in the latency probe.", "10"),
    "env.log_buffer_lines": ("Lines kept per log pane.", "10000"),
    "env.placeholders": ("Placeholders for this environment only.", '{ production = "prod-bastion" }'),
    "env.secrets": ("Secrets to redact for this environment only.", '["STAGING_API_KEY"]'),
    "env.s3": ("The backup location table (below).", ""),
    "env.hosts": ("SSH hosts, one `[[env.NAME.hosts]]` table each (below).", ""),
    "env.run": (
        'What may run from the runbooks: "confirm" (default; a confirmation by class), "read-only" or "off".',
        '"read-only"',
    ),
    "env.prometheus": ("A Prometheus to read the figures and their history from (below).", ""),
    # [env.NAME.s3]
    "s3.backup_url": ("Where backups are uploaded.", '"s3://omniops-backups/production/"'),
    "s3.endpoint_url": ("An S3-compatible endpoint (MinIO, moto…).", '"http://127.0.0.1:9000"'),
    "s3.profile": ("AWS profile (else the usual AWS credential chain).", '"ops"'),
    "s3.region": ("AWS region.", '"eu-west-1"'),
    "s3.max_age_hours": ("A newest backup older than this fails the check.", "26"),
    # [[env.NAME.hosts]]
    "hosts.name": ("Host name, resolved through the SSH config like `ssh NAME`.", '"production"'),
    "hosts.hostname": ("Address to connect to instead of resolving name.", '"10.0.0.12"'),
    "hosts.user": ("SSH user.", '"deploy"'),
    "hosts.port": ("SSH port (0: the SSH config's or 22).", "22"),
    "hosts.known_hosts": (
        "known_hosts file (default: the SSH config's, else ~/.ssh/known_hosts); unknown and "
        "changed keys are refused, `none` trusts nothing.",
        '"~/.ssh/known_hosts"',
    ),
    "hosts.client_keys": (
        "Private keys to offer (default: the SSH config's and agent's).",
        '["~/.ssh/id_ed25519"]',
    ),
    "hosts.ssh_config": ("SSH config file used to resolve name (default ~/.ssh/config).", '"~/.ssh/config"'),
    "hosts.logs": ("Files streamed by the log panes (`tail -F`).", '["/var/log/omniops/error.log"]'),
    "hosts.log_commands": (
        "Commands streamed by the log panes (read-only allow-list, like `commands`).",
        '["docker-compose logs -f --tail=100 app"]',
    ),
    "hosts.commands": (
        "Replace a host command by name (cpu, memory, disk…); refused unless on the read-only allow-list.",
        '{ cpu = "mpstat 1 1" }',
    ),
    # [env.NAME.prometheus]
    "prometheus.url": (
        "The Prometheus server (its HTTP API is read, never written).",
        '"https://prometheus.internal:9090"',
    ),
    "prometheus.bearer_token_env": ("NAME of the variable holding a bearer token.", '"PROMETHEUS_TOKEN"'),
    "prometheus.username_env": ("NAME of the variable holding the basic auth user.", '"PROMETHEUS_USER"'),
    "prometheus.password_env": (
        "NAME of the variable holding the basic auth password.",
        '"PROMETHEUS_PASSWORD"',
    ),
    "prometheus.verify_tls": ("Verify the server's HTTPS certificate.", "true"),
    "prometheus.tls_ca_file": ("A private CA bundle for the server.", '"/etc/ssl/internal-ca.pem"'),
    "prometheus.timeout": ("Seconds one query may take (0: the environment's timeout).", "10"),
    "prometheus.history_minutes": ("History fetched at start (sparklines, rollback criteria).", "30"),
    "prometheus.window": ("The `rate()` window of the default queries (`$window`).", '"2m"'),
    "prometheus.host_label": (
        "The label naming the host of node series (its `:port` is dropped).",
        '"instance"',
    ),
    "prometheus.app_selector": ("Label matchers of the application's series (`$app`).", "'job=\"omniops\"'"),
    "prometheus.node_selector": ("Label matchers of node_exporter's series (`$node`).", "'job=\"node\"'"),
    "prometheus.postgres_selector": (
        "Label matchers of postgres_exporter's series (`$postgres`).",
        "'job=\"postgres\"'",
    ),
    "prometheus.redis_selector": ("Label matchers of redis_exporter's series (`$redis`).", "'job=\"redis\"'"),
    "prometheus.queries": (
        'Replace a metric\'s PromQL ("" reads it from the probes instead).',
        "{ error_rate = 'sum(rate(http_requests_total{code=~\"5..\"}[5m])) / sum(rate(http_requests_total[5m])) * 100' }",
    ),
}


def reference() -> str:
    from omniops_tui.config.model import Config, Environment, HostConfig, PrometheusConfig, S3Config

    sections = [
        ("Top level", "", Config, {"path", "env"}),
        ("`[env.NAME]`", "env.", Environment, {"name"}),
        ("`[env.NAME.s3]`", "s3.", S3Config, set()),
        ("`[[env.NAME.hosts]]`", "hosts.", HostConfig, set()),
        ("`[env.NAME.prometheus]`", "prometheus.", PrometheusConfig, set()),
    ]
    lines = ["| Key | Default | What it does | Example |", "|---|---|---|---|"]
    for title, prefix, cls, skip in sections:
        lines.append(f"| **{title}** | | | |")
        for field in dataclasses.fields(cls):
            if field.name in skip:
                continue
            doc, example = DOCS[prefix + field.name]
            lines.append(
                f"| `{field.name}` | {_default(field)} | {doc} | {f'`{example}`' if example else ''} |"
            )
    return "\n".join(lines)


def _default(field: dataclasses.Field) -> str:  # type: ignore[type-arg]
    if field.default is not dataclasses.MISSING:
        value = field.default
    elif field.default_factory is not dataclasses.MISSING:
        value = field.default_factory()
    else:
        return "(required)"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if value in ("", None, [], {}, 0, 0.0):
        return "—" if value != 0 or isinstance(value, bool) else "`0`"
    return f"`{value!r}`".replace("'", '"').replace("True", "true").replace("False", "false")


if __name__ == "__main__":
    print(reference())
