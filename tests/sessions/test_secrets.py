"""Secrets never reach the record: plant them everywhere, then search every file written.

Secrets are planted in the config (`secrets`), in the environment (`*_KEY`, `*_TOKEN`,
`*_PASSWORD`, `*_SECRET`, a DSN in PRODUCTION_DATABASE_URL, a Redis URL), and flow through log
lines, command output and check evidence, notes and wizard evidence. The session is recorded
the way the app records (SessionRecorder with `build_redactor(config, environment)`), exported
in every format through the CLI, and a diagnostics bundle is gathered over real SSH/HTTP/PostgreSQL.
Then no written file may contain any secret.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from omniops_tui.config.model import load_config
from omniops_tui.core.events import CheckResultEvent, CommandCopied, LogLines, NoteAdded, WizardAnswered
from omniops_tui.live.diagnostics import DOCKER_LOGS, ERROR_LOGS, gather_diagnostics
from omniops_tui.sessions.export import render
from omniops_tui.sessions.reader import read_session
from omniops_tui.sessions.redact import build_redactor
from tests.cli_helper import run_cli
from tests.sessions.conftest import incident_script, record_script
from tests.sessions.services import http_server, start_ssh_host

DSN_PASSWORD = "Pg-Pr0d-Pa55w0rd-Zx9"
REDIS_PASSWORD = "R3dis-Pr0d-Qw7"
ENVIRONMENT_SECRETS = {
    "PRODUCTION_DATABASE_URL": f"postgresql://omniops:{DSN_PASSWORD}@db.prod.internal:5432/omniops",
    "REDIS_URL": f"redis://:{REDIS_PASSWORD}@cache.prod.internal:6379/0",
    "SENDGRID_API_KEY": "SG.planted-sendgrid-key.Yh3",
    "GITHUB_TOKEN": "ghp_PlantedGithubToken0123456789",
    "ADMIN_PASSWORD": "planted-admin-password-77",
    "JWT_SECRET": "planted-jwt-secret-QQ",
    "WEBHOOK_SIGNING": "whsec_planted_signing_value",  # declared in the config's env.secrets
}
CONFIG_LITERAL = "cfg-literal-planted-Zq81"
PATTERN_SECRETS = {
    "bearer": "eyJplanted.bearer.token99",
    "aws_access_key": "AKIAPLANTEDKEY123456",
    "aws_secret_key": "PlantedAwsSecretKey/0123456789abcdefghij",
    "url_password": "url-only-pw-5521",
}
ALL_SECRETS = [
    *ENVIRONMENT_SECRETS.values(),
    DSN_PASSWORD,
    REDIS_PASSWORD,
    CONFIG_LITERAL,
    *PATTERN_SECRETS.values(),
]


@pytest.fixture
def planted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, value in ENVIRONMENT_SECRETS.items():
        monkeypatch.setenv(name, value)
    config = tmp_path / "input" / "config.toml"
    config.parent.mkdir()
    config.write_text(f"""
default_env = "production"
secrets = ["{CONFIG_LITERAL}"]

[env.production]
base_url = "https://prod.example.com"
database_url_env = "PRODUCTION_DATABASE_URL"
redis_url_env = "REDIS_URL"
secrets = ["WEBHOOK_SIGNING"]
""")
    return config


def leaky_script() -> list:
    env = ENVIRONMENT_SECRETS
    log_lines = [
        f"2025-03-14T03:01:05Z ERROR cannot connect to {env['PRODUCTION_DATABASE_URL']}",
        f"2025-03-14T03:01:05Z DEBUG github push with {env['GITHUB_TOKEN']}",
        f"2025-03-14T03:01:05Z DEBUG upstream call Authorization: Bearer {PATTERN_SECRETS['bearer']}",
        f"2025-03-14T03:01:05Z WARN aws key {PATTERN_SECRETS['aws_access_key']} "
        f"aws_secret_access_key={PATTERN_SECRETS['aws_secret_key']}",
        f"2025-03-14T03:01:05Z INFO mirror https://sync:{PATTERN_SECRETS['url_password']}@mirror.example.com/x",
    ]
    script = incident_script(
        extra_log_lines=log_lines,
        note_text=f"DB password {DSN_PASSWORD} and jwt {env['JWT_SECRET']} and {CONFIG_LITERAL} - rotate",
        evidence={
            "stdout": f"SENDGRID_API_KEY={env['SENDGRID_API_KEY']}\nadmin={env['ADMIN_PASSWORD']}",
            "redis": env["REDIS_URL"],
        },
    )
    script += [
        (
            1601.0,
            CommandCopied(
                runbook_id="emergency-rollback",
                block_id="x",
                command=f"psql {env['PRODUCTION_DATABASE_URL']} -c 'SELECT 1'",
            ),
        ),
        (
            1602.0,
            WizardAnswered(
                node_id="production-down",
                question="Is production down?",
                answer=True,
                source="confirmed",
                evidence=f"webhook signed {env['WEBHOOK_SIGNING']}",
            ),
        ),
        (
            1603.0,
            CheckResultEvent(
                check_id="ssh_exec",
                kind="ssh",
                status="fail",
                summary=f"redis-cli -a {REDIS_PASSWORD} ping: NOAUTH",
                evidence={"stderr": f"AUTH {REDIS_PASSWORD} failed"},
            ),
        ),
        (1604.0, LogLines(source_id="db", host="db-1", lines=[f"FATAL password {DSN_PASSWORD} rejected"])),
        (1605.0, NoteAdded(text=f"pasted: Token token={env['GITHUB_TOKEN']}")),
    ]
    return script


def all_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


async def test_no_written_file_contains_a_secret(
    planted: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], postgres_url: str
) -> None:
    config = load_config(planted)
    environment = config.environment("production")
    redactor = build_redactor(config, environment)  # exactly what the app passes to SessionRecorder
    sessions = tmp_path / "sessions"
    sessions.mkdir()
    recorded = record_script(sessions, leaky_script(), redactor=redactor)

    exports = tmp_path / "exports"
    targets = (("md", "postmortem.md"), ("json", "postmortem.json"), ("deploy-log", "deployment-log.txt"))
    for fmt, name in targets:
        code = run_cli(
            [
                "--config",
                str(planted),
                "sessions",
                "export",
                str(recorded.path),
                "--format",
                fmt,
                "-o",
                str(exports / name),
            ]
        )
        assert code == 0, capsys.readouterr().err

    # An old session recorded WITHOUT redaction: its exports are still clean.
    unredacted_dir = tmp_path / "input" / "old-sessions"
    unredacted_dir.mkdir()
    old = record_script(unredacted_dir, leaky_script())
    assert DSN_PASSWORD in old.path.read_text()  # the planted secrets really are in what was recorded
    for fmt in ("md", "json", "deploy-log"):
        code = run_cli(
            [
                "--config",
                str(planted),
                "sessions",
                "export",
                str(old.path),
                "--format",
                fmt,
                "-o",
                str(exports / f"old.{fmt}"),
            ]
        )
        assert code == 0, capsys.readouterr().err
    capsys.readouterr()

    ssh = await start_ssh_host(
        {
            DOCKER_LOGS: (0, f"app | DATABASE_URL={ENVIRONMENT_SECRETS['PRODUCTION_DATABASE_URL']}\n", ""),
            ERROR_LOGS: (0, f"ERROR sendgrid rejected {ENVIRONMENT_SECRETS['SENDGRID_API_KEY']}\n", ""),
        }
    )
    try:
        health = {"redis": ENVIRONMENT_SECRETS["REDIS_URL"], "admin": ENVIRONMENT_SECRETS["ADMIN_PASSWORD"]}
        with http_server({"/api/health/comprehensive": (200, health)}) as base:
            timeline = render(read_session(old.path), "md")  # deliberately unredacted input
            assert DSN_PASSWORD in timeline
            result = await gather_diagnostics(
                sessions,
                ssh_runner=ssh.runner,
                db_dsn=postgres_url,
                health_url=f"{base}/api/health/comprehensive",
                timeline_md=timeline,
                timeout=30,
                redactor=redactor,
            )
    finally:
        ssh.server.close()
    assert result.problems == [] and len(result.files) == 5

    written = [p for p in all_files(tmp_path) if not p.is_relative_to(tmp_path / "input")]
    assert len(written) == 1 + 3 + 3 + 5, [str(p) for p in written]
    for path in written:
        data = path.read_bytes()
        for secret in ALL_SECRETS:
            assert secret.encode() not in data, f"{secret!r} leaked into {path}"
            assert json.dumps(secret)[1:-1].encode() not in data, f"{secret!r} (JSON-escaped) in {path}"

    # ... and the record still says what was there.
    record = recorded.path.read_text()
    for marker in (
        "[REDACTED:PRODUCTION_DATABASE_URL]",
        "[REDACTED:GITHUB_TOKEN]",
        "[REDACTED:authorization]",
        "[REDACTED:aws_access_key]",
        "[REDACTED:aws_secret_key]",
        "[REDACTED:password]",
        "[REDACTED:JWT_SECRET]",
        "[REDACTED:secret]",
        "[REDACTED:SENDGRID_API_KEY]",
        "[REDACTED:ADMIN_PASSWORD]",
        "[REDACTED:REDIS_URL]",
        "[REDACTED:WEBHOOK_SIGNING]",
    ):
        assert marker in record, marker
    md = (exports / "postmortem.md").read_text()
    assert "DB password [REDACTED:password] and jwt [REDACTED:JWT_SECRET] and [REDACTED:secret]" in md
    assert "psql $PRODUCTION_DATABASE_URL" not in record  # (the copied command had the real DSN in it)
    assert "psql [REDACTED:PRODUCTION_DATABASE_URL] -c 'SELECT 1'" in record
