"""The commented starter config `omniops-tui init` writes (kept apart from the model it must load into)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from omniops_tui.config.model import DEFAULT_CHECK_INTERVAL, DEFAULT_TIMEOUT, parse_config
from omniops_tui.core.errors import UserError


def starter_config_text() -> str:
    """The commented config `omniops-tui init` writes (TOML bodies by tomli-w, comments by us)."""
    import tomli_w

    def entry(key: str, value: Any, comment: str) -> str:
        notes = "".join(f"# {line}\n" for line in comment.splitlines())
        return notes + tomli_w.dumps({key: value})

    def table(header: str, comment: str, entries: list[tuple[str, Any, str]]) -> str:
        notes = "".join(f"# {line}\n" for line in comment.splitlines())
        return notes + f"{header}\n" + "".join(entry(*e) for e in entries)

    production = [
        (
            "base_url",
            "https://yourdomain.com",
            "The application's public URL: health checks, smoke tests and latency probes go here.",
        ),
        ("health_path", "/api/health", "Paths of the health endpoints under base_url."),
        ("comprehensive_health_path", "/api/health/comprehensive", ""),
        ("version_path", "/api/version", ""),
        ("expected_version", "", 'The version being deployed (e.g. "v1.2.1"), compared with /api/version.'),
        (
            "previous_version",
            "",
            'The version a rollback returns to (Emergency Rollback: "Version confirmed rolled back").',
        ),
        (
            "database_url_env",
            "PRODUCTION_DATABASE_URL",
            "NAME of the variable holding the PostgreSQL URL (never the URL itself).",
        ),
        ("redis_url_env", "REDIS_URL", "NAME of the variable holding the Redis URL."),
        (
            "required_extensions",
            ["uuid-ossp", "vector", "pg_trgm", "btree_gin"],
            "PostgreSQL extensions First-Time Deploy requires.",
        ),
        ("latency_requests", 50, "The latency probe: requests per run and how many at once."),
        ("latency_concurrency", 10, ""),
        ("verify_tls", True, 'Verify HTTPS certificates (tls_ca_file = "…" adds a private CA).'),
    ]
    text = [
        "# omniops-tui configuration, written by `omniops-tui init`.\n"
        "#\n"
        "# Secrets never go in this file: keys ending in _env hold the NAME of an environment\n"
        "# variable (export PRODUCTION_DATABASE_URL=postgresql://… in your shell); its value is read\n"
        "# only when a check needs it. `omniops-tui config` prints this config with secrets masked.\n\n",
        entry("default_env", "production", "Environment used when --env is not given."),
        entry(
            "check_interval",
            DEFAULT_CHECK_INTERVAL,
            "Seconds between two runs of an open runbook's live checks.",
        ),
        entry(
            "timeout",
            DEFAULT_TIMEOUT,
            "Seconds a check may wait for an answer (a dead host costs one timeout, no more).",
        ),
        entry("read_only", False, "Never run a runbook command, even on request (like --read-only)."),
        "\n",
        table(
            "[placeholders]",
            "Words of the runbooks replaced when commands are shown or copied.",
            [("yourdomain.com", "yourdomain.com", "")],
        ),
        "\n",
        table("[env.production]", "One table per environment; choose one with --env NAME.", production),
        "\n",
        table(
            "[env.production.s3]",
            "Where database backups are uploaded (checked: newest one present "
            'and recent).\nendpoint_url = "…" for S3-compatible storage; profile = "…" for an AWS '
            "profile.",
            [
                ("backup_url", "s3://omniops-backups/production/", ""),
                ("max_age_hours", 26.0, "A backup older than this fails the check."),
            ],
        ),
        "\n",
        table(
            "[[env.production.hosts]]",
            "SSH hosts, one [[env.production.hosts]] table each. `name` is resolved through\n"
            "~/.ssh/config like `ssh production`; its key must already be in ~/.ssh/known_hosts.",
            [
                ("name", "production", ""),
                (
                    "logs",
                    ["/var/log/omniops/combined.log", "/var/log/omniops/error.log"],
                    "Log files streamed by the log panes; the first one is checked for ERROR spikes.",
                ),
            ],
        ),
        "\n",
        table(
            "[env.staging]",
            "A second environment: omniops-tui --env staging …",
            [
                ("base_url", "https://staging.yourdomain.com", ""),
                ("database_url_env", "STAGING_DATABASE_URL", ""),
            ],
        ),
    ]
    return "".join(text)


def write_starter_config(path: Path, *, force: bool = False) -> Path:
    """Write the starter config; an existing file is kept unless `force` (UserError, exit 2)."""
    path = path.expanduser()
    if path.exists() and not force:
        raise UserError(f"{path}: already exists; not overwriting it (use --force to replace it)")
    if path.is_dir():
        raise UserError(f"{path}: is a folder; give a file path with --path")
    text = starter_config_text()
    parse_config(text, path)  # what we write must load
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{path}: cannot write config ({exc.strerror})") from exc
    return path
