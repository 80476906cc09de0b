"""`omniops-tui check`, `init` and `config`: exit codes, JSON, masking, one-line config errors."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from omniops_tui.cli import main
from omniops_tui.config.locations import default_config_path
from omniops_tui.config.model import load_config


def run_main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


async def run_cli(*argv: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """The real command in a subprocess (the sandbox keeps running in this test's loop)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "omniops_tui",
        *argv,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, out.decode(), err.decode()


# ------------------------------------------------------------------------------ check
async def test_check_exit_codes_and_json_follow_the_scenario(
    sandbox: Any, tmp_path: Path, pg_db: str
) -> None:
    config = sandbox.write_config(
        tmp_path / "sandbox.toml", database_url_env="OMNIOPS_T_CLI_DB", extra_env={"timeout": 30}
    )
    env = {"OMNIOPS_T_CLI_DB": pg_db}
    args = ("--config", str(config), "check", "standard-release", "--json")

    code, out, err = await run_cli(*args, env=env)
    assert code == 0, (out, err)
    report = json.loads(out)
    assert report["runbook"] == "standard-release" and report["environment"] == "sandbox"
    assert report["exit_code"] == 0 and report["counts"]["fail"] == 0 and report["counts"]["error"] == 0
    checks = {c["check_id"]: c for c in report["checks"]}
    assert checks["health"]["status"] == "pass" and checks["health"]["value"] == 200
    assert checks["host-cpu@prod-1"]["summary"] == "CPU 35.2 % < 70 %"
    assert checks["db-ping"]["status"] == "pass"
    assert checks["redis-ping"]["summary"] == "not configured"
    assert checks["health"]["evidence"]["asked"].endswith("/api/health")
    items = {i["id"]: i for i in report["items"]}
    assert items["standard-release/verification-checklist/health-endpoint-returns-200-ok"]["status"] == "pass"
    assert items["standard-release/verification-checklist/error-rate-0-1"]["text"] == "Error rate < 0.1%"

    sandbox.set_scenario("error-spike")
    code, out, _err = await run_cli(*args, env=env)
    report = json.loads(out)
    assert code == 1 and report["exit_code"] == 1
    items = {i["id"]: i for i in report["items"]}
    assert items["standard-release/verification-checklist/error-rate-0-1"]["status"] == "fail"
    assert items["standard-release/verification-checklist/cpu-usage-70"]["status"] == "fail"

    sandbox.set_scenario("healthy")
    code, out, _err = await run_cli(*args, env=env)
    assert code == 0 and json.loads(out)["counts"]["fail"] == 0


async def test_check_table_section_and_subcommand_env(sandbox: Any, tmp_path: Path) -> None:
    config = sandbox.write_config(tmp_path / "sandbox.toml", extra_env={"timeout": 30})
    text = config.read_text(encoding="utf-8")
    config.write_text(text + '\n[env.broken]\nbase_url = "http://127.0.0.1:1"\n', encoding="utf-8")
    code, out, err = await run_cli(
        "--config",
        str(config),
        "check",
        "hotfix",
        "--section",
        "verification-checklist",
        "--env",
        "sandbox",
        env={"COLUMNS": "120"},
    )
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["ITEM", "CHECK", "STATUS", "VALUE", "SUMMARY"]
    assert max(len(line) for line in lines) <= 120
    assert any(line.startswith("Health endpoint returning 200") and " PASS " in line for line in lines)
    assert "checks of hotfix/verification-checklist against 'sandbox'" in lines[-1]
    assert not any("Status page" in line for line in lines)  # manual items are not in the table

    code, out, _err = await run_cli(
        "--config",
        str(config),
        "--env",
        "broken",
        "check",
        "hotfix",
        "--section",
        "verification-checklist",
        env={"COLUMNS": "80"},
    )
    assert code == 1 and " ERROR " in out
    assert out.splitlines()[0].split() == ["ITEM", "CHECK", "STATUS", "SUMMARY"]  # 80 columns: no VALUE
    assert max(len(line) for line in out.splitlines()[:-1]) <= 80

    sandbox.set_scenario("outage")
    code, out, _err = await run_cli("--config", str(config), "check", "emergency-rollback", "--json")
    report = json.loads(out)
    assert code == 1
    flows = next(i for i in report["items"] if i["id"].endswith("critical-user-flows-working"))
    assert flows["status"] == "fail" and set(flows["checks"]) >= {"smoke-chat", "smoke-admin", "smoke-gdpr"}


def test_check_usage_and_config_errors_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        'default_env = "prod"\n\n[env.prod]\nbase_url = "http://127.0.0.1:1"\n'
        'database_url_env = "OMNIOPS_T_MISSING_DB"\n',
        encoding="utf-8",
    )
    monkeypatch.delenv("OMNIOPS_T_MISSING_DB", raising=False)

    code, out, err = run_main(["--config", str(config), "check", "no-such-runbook"], capsys)
    assert code == 2 and out == "" and err.startswith("omniops-tui: error: unknown runbook 'no-such-runbook'")
    assert err.count("\n") == 1

    code, _out, err = run_main(["--config", str(config), "check", "hotfix", "--section", "nope"], capsys)
    assert code == 2 and "runbook 'hotfix' has no section 'nope'" in err

    code, _out, err = run_main(["--config", str(config), "check", "standard-release"], capsys)
    assert code == 2 and err == (
        f"omniops-tui: error: {config}:5: env.prod.database_url_env names "
        "$OMNIOPS_T_MISSING_DB, which is not set; export OMNIOPS_T_MISSING_DB "
        "or remove the key\n"
    )
    # a runbook whose checks need no database does not need the variable
    code, _out, _err = run_main(
        ["--config", str(config), "check", "hotfix", "--section", "verification-checklist"], capsys
    )
    assert code == 1  # ran: the HTTP target is down

    code, _out, err = run_main(["--config", str(config), "check", "hotfix", "--env", "staging"], capsys)
    assert code == 2 and "unknown environment 'staging' (configured: prod)" in err

    code, _out, err = run_main(["check", "hotfix"], capsys)  # no config file at all
    assert code == 2 and "no config file" in err and "omniops-tui init" in err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("timout = 5\n", "c.toml:1: timout is not a known setting (did you mean 'timeout'?)"),
        (
            '[env.prod]\nbase_url = "http://x"\ntimeout = "5s"\n',
            "c.toml:3: env.prod.timeout must be a number, not a string",
        ),
        (
            '[env.prod]\ndatabase_url_env = "postgresql://u:p@h/db"\n',
            "c.toml:2: env.prod.database_url_env must be the NAME of an environment variable",
        ),
        (
            '[env.prod]\n[[env.prod.hosts]]\nname = "a"\nport = "22"\n',
            "c.toml:4: env.prod.hosts.0.port must be a whole number",
        ),
        (
            'default_env = "prod"\nbase_url = [\n',
            "c.toml:2: invalid TOML: Invalid value at the end of the file",
        ),
        ('default_env = "prod"\nbase_url = \n[env.x]\n', "c.toml:2: invalid TOML: Invalid value"),
    ],
)
def test_config_errors_name_the_key_with_file_and_line(
    text: str, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "c.toml"
    config.write_text(text, encoding="utf-8")
    code, _out, err = run_main(["--config", str(config), "config"], capsys)
    assert code == 2 and err.count("\n") == 1
    assert err.startswith(f"omniops-tui: error: {tmp_path}/{expected}"), err


# ------------------------------------------------------------------------------ init / config
def test_init_writes_a_loadable_commented_config_and_never_overwrites(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "deep" / "config.toml"
    code, out, _err = run_main(["init", "--path", str(target)], capsys)
    assert code == 0 and str(target) in out
    text = target.read_text(encoding="utf-8")
    assert text.count("\n# ") >= 10  # every key explained
    config = load_config(target)
    assert config.default_env == "production"
    production = config.env["production"]
    assert production.database_url_env == "PRODUCTION_DATABASE_URL"
    assert production.redis_url_env == "REDIS_URL"
    assert production.s3 is not None and production.s3.bucket == "omniops-backups"
    assert production.hosts[0].name == "production"

    target.write_text("# my own edits\n", encoding="utf-8")
    code, _out, err = run_main(["init", "--path", str(target)], capsys)
    assert code == 2 and "already exists" in err and "--force" in err
    assert target.read_text(encoding="utf-8") == "# my own edits\n"
    code, _out, _err = run_main(["init", "--path", str(target), "--force"], capsys)
    assert code == 0 and target.read_text(encoding="utf-8") == text


def test_init_defaults_to_the_user_config_path(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, _err = run_main(["init"], capsys)
    assert code == 0 and default_config_path().is_file()
    code, out, _err = run_main(["config"], capsys)
    assert code == 0 and f"# effective config from {default_config_path()}" in out


def test_config_prints_the_effective_config_with_secrets_masked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        'default_env = "prod"\nsecrets = ["OMNIOPS_T_TOKEN"]\n\n[env.prod]\n'
        'base_url = "https://deploy:PASS123@yourdomain.com"\n'
        'database_url_env = "OMNIOPS_T_DB_URL"\nredis_url_env = "OMNIOPS_T_REDIS_URL"\n'
        '[env.prod.s3]\nbackup_url = "s3://b/p/"\nendpoint_url = "http://minio:KEY999@127.0.0.1:9000"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("OMNIOPS_T_DB_URL", "postgresql://app:TOPSECRET@db:5432/prod")
    monkeypatch.setenv("OMNIOPS_T_TOKEN", "tok-SECRET-value")
    monkeypatch.delenv("OMNIOPS_T_REDIS_URL", raising=False)
    code, out, _err = run_main(["--config", str(config), "config"], capsys)
    assert code == 0
    for secret in ("TOPSECRET", "PASS123", "KEY999", "tok-SECRET-value"):
        assert secret not in out
    assert 'database_url_env = "$OMNIOPS_T_DB_URL (set)"' in out
    assert 'redis_url_env = "$OMNIOPS_T_REDIS_URL (not set)"' in out
    assert 'secrets = [\n    "$OMNIOPS_T_TOKEN (set)",\n]' in out
    assert 'base_url = "https://deploy:***@yourdomain.com"' in out
    assert "# environment in use: prod" in out and out.endswith("\n")
    import tomllib

    assert tomllib.loads(out)["timeout"] == 5.0  # a readable, parseable dump
