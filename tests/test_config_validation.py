"""Bad config values: one line naming file, line and key, exit 2; `config` never prints a secret."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from omniops_tui.config.model import parse_config
from omniops_tui.core.errors import UserError
from tests.cli_helper import run_cli

GOOD_ENV = """default_env = "production"

[env.production]
base_url = "https://prod.example.com"
"""
TWO_HOSTS = '[[env.production.hosts]]\nname = "a"\n\n[[env.production.hosts]]\n'


def one_error_line(capsys: pytest.CaptureFixture[str], config: Path) -> str:
    code = run_cli(["--config", str(config), "config"])
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, lines
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    ("body", "line", "needles"),
    [
        (GOOD_ENV + "[[env.production.hosts]]\nlogs = []\n", 5, ["env.production.hosts.0", "has no name"]),
        (GOOD_ENV + TWO_HOSTS + "port = 22\n", 8, ["env.production.hosts.1", "has no name"]),
        (
            GOOD_ENV + TWO_HOSTS + 'name = "b"\nport = 99999\n',
            10,
            ["env.production.hosts.1.port", "at most 65535", "99999"],
        ),
        (GOOD_ENV + "latency_requests = -5\n", 5, ["env.production.latency_requests", "at least 1"]),
        (GOOD_ENV + "latency_concurrency = 0\n", 5, ["latency_concurrency", "at least 1"]),
        (GOOD_ENV + "timeout = nan\n", 5, ["env.production.timeout", "finite", "nan"]),
        (GOOD_ENV + "timeout = inf\n", 5, ["env.production.timeout", "finite", "inf"]),
        ("timeout = -inf\n" + GOOD_ENV, 1, ["timeout", "finite"]),
        ("check_interval = 0\n" + GOOD_ENV, 1, ["check_interval", "more than 0"]),
        (GOOD_ENV + "tls_port = 70000\n", 5, ["tls_port", "at most 65535"]),
        (GOOD_ENV + "[env.production.s3]\nmax_age_hours = 0\n", 6, ["max_age_hours", "more than 0"]),
        ("max_response_mb = 1e12\n" + GOOD_ENV, 1, ["max_response_mb", "at most 1024"]),
        ("log_record_cap_mb = 1e9\n" + GOOD_ENV, 1, ["log_record_cap_mb", "at most 102400"]),
        (GOOD_ENV + 'name = "other"\n', 5, ["env.production.name", "not a known setting"]),
        (GOOD_ENV + '[[env.production.hosts]]\nname = ""\n', 6, ["hosts.0.name", "must not be empty"]),
    ],
)
def test_bad_values_name_file_line_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, line: int, needles: list[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(body)
    message = one_error_line(capsys, config)
    assert f"{config}:{line}:" in message, message
    for needle in needles:
        assert needle in message, message


def test_a_config_that_is_not_utf8_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_bytes(b'default_env = "production"\n# caf\xe9 au lait\n' + GOOD_ENV.encode()[27:])
    message = one_error_line(capsys, config)
    assert f"{config}:2:" in message and "not UTF-8" in message and "0xe9" in message


def test_bad_values_exit_2_from_the_real_command_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(GOOD_ENV + "[[env.production.hosts]]\nport = 22\n")
    result = subprocess.run(
        [sys.executable, "-m", "omniops_tui", "--config", str(config), "check", "standard-release"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert f"{config}:5: env.production.hosts.0 has no name" in result.stderr


def test_good_values_still_load() -> None:
    config = parse_config(
        GOOD_ENV + 'timeout = 0\nlatency_requests = 1\n[[env.production.hosts]]\nname = "a"\nport = 2222\n'
    )
    environment = config.environment()
    assert environment is not None and environment.hosts[0].port == 2222 and environment.timeout == 0.0
    with pytest.raises(UserError, match="must be a whole number"):
        parse_config(GOOD_ENV + "latency_requests = 1.5\n")


def test_config_masks_literal_secrets_and_secrets_in_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEBHOOK_SIGNING", "whsec-planted-value")
    monkeypatch.delenv("UNSET_TOKEN_VAR", raising=False)
    config = tmp_path / "config.toml"
    config.write_text(
        'secrets = ["hunter2-planted-literal", "WEBHOOK_SIGNING", "UNSET_TOKEN_VAR"]\n'
        + GOOD_ENV
        + 'secrets = ["env-literal-pw-77"]\n'
        + "[[env.production.hosts]]\n"
        + 'name = "a"\n'
        + "commands = { db = \"PGPASSWORD=pg-planted-99 psql -c 'select 1'\" }\n"
    )
    assert run_cli(["--config", str(config), "config"]) == 0
    out = capsys.readouterr().out
    for secret in ("hunter2-planted-literal", "env-literal-pw-77", "whsec-planted-value", "pg-planted-99"):
        assert secret not in out
    assert "$WEBHOOK_SIGNING (set)" in out and "$UNSET_TOKEN_VAR (not set)" in out
    assert out.count("*** (a secret written in the config") == 2
