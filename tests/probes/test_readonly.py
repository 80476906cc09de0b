"""The read-only vocabulary: which SSH commands and HTTP methods a check may use, and the
one-line refusals (file:line and why) of bindings and configs that ask for more."""

from __future__ import annotations

from pathlib import Path

import pytest

from omniops_tui.config.model import HostConfig, parse_config
from omniops_tui.core.errors import UserError
from omniops_tui.probes.bindings import parse_bindings
from omniops_tui.probes.config_commands import (
    check_config_commands,
    command_check_warnings,
    config_command_problems,
)
from omniops_tui.probes.readonly import (
    CommandRefused,
    http_gate,
    method_problem,
    parse_readonly,
    readonly_command,
    refusal,
)
from omniops_tui.probes.ssh_exec import host_command
from omniops_tui.runbooks.loader import BUNDLED_DOCUMENT
from omniops_tui.runbooks.model import RunbookSet

ALLOWED = {
    "uptime": "uptime",
    "top -bn1": "top -bn1",
    "free -m": "free -m",
    "df -P /": "df -P /",
    "cat /proc/loadavg": "cat /proc/loadavg",
    "tail -n 500 /var/log/omniops/error.log | grep -c ERROR": (
        "tail -n 500 /var/log/omniops/error.log | grep -c ERROR"
    ),
    "tail -F ~/app.log '/var/log/my app.log'": "tail -F ~/app.log '/var/log/my app.log'",
    "docker-compose logs -f --tail=100 app": "docker-compose logs -f --tail=100 app",
    "docker compose ps": "docker compose ps",
    "pm2 logs --lines 100": "pm2 logs --lines 100",
    "systemctl status nginx --no-pager": "systemctl status nginx --no-pager",
    "journalctl -u app -n 50 --no-pager": "journalctl -u app -n 50 --no-pager",
    "mpstat 1 1": "mpstat 1 1",
    "cat /proc/loadavg; echo @@; nproc": "cat /proc/loadavg; echo @@; nproc",
    "docker-compose ps || pm2 status": "docker-compose ps || pm2 status",
    'grep "$(rm -rf /)" /var/log/app.log': "grep '$(rm -rf /)' /var/log/app.log",
    "grep -c 'a b' `x`": "grep -c 'a b' '`x`'",
}

REFUSED = {
    "rm -rf /srv/app/releases/* ; systemctl restart app": "rm is not on the read-only allow-list",
    "tail -n 500 /var/log/my app/error.log; touch /tmp/x": "touch is not on the read-only allow-list",
    "systemctl restart app": "`systemctl restart` is not read-only",
    "uptime > /tmp/x": "`>` in",
    "uptime & rm -rf /": "`&` in",
    "(uptime)": "`(` in",
    "sort -o /etc/passwd /tmp/x": "`sort -o` is not allowed",
    "uniq in.txt out.txt": "`uniq` takes no argument",
    "journalctl --vacuum-size=1M": "`journalctl --vacuum-size=1M` is not allowed",
    "date -s 2020-01-01": "`date -s` is not allowed",
    "hostname evil": "`hostname` takes no argument `evil`",
    "git log --output=/tmp/x": "is not allowed",
    "top": "`top` needs -b -n",
    "/bin/rm -rf /": "name the program, not a path",
    "FOO=1 uptime": "FOO=1 is not on the read-only allow-list",
    "uptime ;": "empty command",
    "sudo uptime": "sudo is not on the read-only allow-list",
    "tail -n 5 'unclosed": "cannot parse",
}


@pytest.mark.parametrize("command", sorted(ALLOWED))
def test_read_only_forms_are_allowed_and_every_word_is_quoted(command: str) -> None:
    parsed = parse_readonly(command)
    assert parsed.text == _expected_text(command)


def _expected_text(command: str) -> str:
    quoted = {
        'grep "$(rm -rf /)" /var/log/app.log': "grep '$(rm -rf /)' /var/log/app.log",
        "grep -c 'a b' `x`": "grep -c 'a b' '`x`'",
    }
    return quoted.get(command, ALLOWED[command])


@pytest.mark.parametrize("command", sorted(REFUSED))
def test_commands_that_could_change_something_are_refused_saying_why(command: str) -> None:
    with pytest.raises(CommandRefused) as refused:
        parse_readonly(command)
    assert REFUSED[command] in str(refused.value)
    assert "\n" not in str(refused.value)
    assert refusal(command) == str(refused.value)


def test_values_are_substituted_after_splitting_so_a_value_is_one_word() -> None:
    host = HostConfig(name="prod-1")
    command = host_command(host, "log", lines=500, log="/var/log/my app/error.log; touch /tmp/x")
    assert command.text == "tail -n 500 '/var/log/my app/error.log; touch /tmp/x'"
    home = host_command(HostConfig(name="p", commands={"disk": "df -h {path}"}), "disk", path="~/data")
    assert home.text == "df -h ~/data"  # a leading ~/ stays the home directory
    with pytest.raises(CommandRefused, match="rm is not on"):
        host_command(HostConfig(name="p", commands={"cpu": "rm -rf / ; top -bn1"}), "cpu")
    assert readonly_command(["grep", "-c", "|"]).text == "grep -c '|'"  # built words stay words


def test_http_methods_get_head_and_declared_smoke_posts_only() -> None:
    assert method_problem("GET", smoke_test=False) is None
    assert method_problem("head", smoke_test=False) is None
    assert method_problem("POST", smoke_test=True) is None
    assert "smoke_test = true" in (method_problem("POST", smoke_test=False) or "")
    for method in ("DELETE", "PUT", "PATCH", "OPTIONS"):
        assert "not allowed" in (method_problem(method, smoke_test=True) or "")
    assert http_gate("POST", smoke_test=True, read_only=True) == (
        "unknown",
        "not run: read-only (a POST smoke test)",
        "not sent: --read-only / read_only = true allow GET and HEAD only",
    )
    assert http_gate("GET", smoke_test=False, read_only=True) is None
    assert http_gate("DELETE", smoke_test=True, read_only=False)[0] == "error"  # type: ignore[index]


# ------------------------------------------------------------------------------ bindings.toml
def _bindings(body: str, tmp_path: Path, runbook_set: RunbookSet) -> Path:
    path = tmp_path / "bindings.toml"
    path.write_text(
        'version = 1\n\n[checks.fine]\nkind = "ssh_uptime"\n'
        'places = ["standard-release/step-8-performance-verification"]\n\n' + body,
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        (
            '[checks.wipe]\nkind = "ssh_command"\ntitle = "x"\n'
            'command = "rm -rf /srv/app/releases/* ; systemctl restart app"\n',
            10,
            "checks.wipe.command refused: `rm -rf /srv/app/releases/* ; systemctl restart app`: "
            "rm is not on the read-only allow-list",
        ),
        (
            '[checks.delete]\nkind = "http"\nmethod = "DELETE"\npath = "/api/users/42"\n',
            9,
            "checks.delete: method DELETE is not allowed: checks only read",
        ),
        (
            '[checks.post]\nkind = "http"\nmethod = "POST"\npath = "/api/chat"\n',
            9,
            "checks.post: method POST needs smoke_test = true",
        ),
    ],
)
def test_a_binding_that_could_change_production_is_refused_at_load_with_file_and_line(
    body: str, line: int, message: str, tmp_path: Path, runbook_set: RunbookSet
) -> None:
    path = _bindings(body, tmp_path, runbook_set)
    with pytest.raises(UserError) as refused:
        parse_bindings(path.read_text(), path, runbook_set)
    assert str(refused.value).startswith(f"{path}:{line}: {message}")
    assert "\n" not in str(refused.value)


def test_declared_smoke_tests_and_allowed_commands_load(tmp_path: Path, runbook_set: RunbookSet) -> None:
    path = _bindings(
        '[checks.chat]\nkind = "http"\nmethod = "POST"\nsmoke_test = true\npath = "/api/chat"\n'
        'places = ["standard-release/step-8-performance-verification"]\n\n'
        '[checks.app]\nkind = "ssh_command"\ncommand = "docker-compose ps | grep -c Up"\n'
        'places = ["standard-release/step-8-performance-verification"]\n',
        tmp_path,
        runbook_set,
    )
    bindings = parse_bindings(path.read_text(), path, runbook_set)
    assert bindings.checks["chat"].params["smoke_test"] is True
    assert bindings.checks["app"].params["command"] == "docker-compose ps | grep -c Up"


def test_a_runbook_folder_from_elsewhere_with_command_checks_is_named_in_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "team-runbooks"
    folder.mkdir()
    (folder / "runbooks.md").write_text(BUNDLED_DOCUMENT.read_text(encoding="utf-8"), encoding="utf-8")
    assert command_check_warnings(None) == []
    assert command_check_warnings(folder) == []  # no bindings of its own: the bundled ones apply
    (folder / "bindings.toml").write_text(
        'version = 1\n[checks.app]\nkind = "ssh_command"\ncommand = "pm2 status"\n'
        '[checks.chat]\nkind = "http"\nmethod = "POST"\nsmoke_test = true\n'
        '[checks.health]\nkind = "http"\n',
        encoding="utf-8",
    )
    (warning,) = command_check_warnings(folder)
    assert warning.startswith(f"{folder / 'bindings.toml'}: runbooks from another folder")
    assert "SSH command checks app; POST smoke tests chat;" in warning and "\n" not in warning


# ------------------------------------------------------------------------------ config
def test_host_command_overrides_and_log_commands_go_through_the_allow_list(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[env.prod]\nbase_url = "https://example.com"\n\n[[env.prod.hosts]]\nname = "prod-1"\n'
        'commands = { cpu = "mpstat 1 1", disk = "df -h /" }\n'
        'log_commands = ["docker-compose logs -f --tail=100 app"]\n\n'
        '[[env.prod.hosts]]\nname = "prod-2"\n'
        'commands = { cpu = "top -bn1; curl -X POST http://x/deploy" }\n'
        'log_commands = ["pm2 logs", "tail -F /var/log/app.log > /tmp/copy"]\n',
        encoding="utf-8",
    )
    config = parse_config(path.read_text(), path)
    problems = config_command_problems(config)
    assert problems == [
        f"{path}:11: env.prod host prod-2 commands.cpu refused: `top -bn1; curl -X POST "
        "http://x/deploy`: curl is not on the read-only allow-list (cat, date, df, docker, "
        "docker-compose, du, echo, free, git, grep, head, hostname, iostat, journalctl, ls, mpstat, "
        "netstat, nproc, pg_isready, pm2, ps, sort, ss, stat, systemctl, tail, top, uname, uniq, "
        "uptime, vmstat, wc, whoami); host commands must be read-only",
        f"{path}:12: env.prod host prod-2 log_commands[1] refused: `>` in `tail -F /var/log/app.log "
        "> /tmp/copy`: checks run read-only commands, joined only by `|`, `;`, `&&` or `||` (no "
        "redirection, background or subshell); host commands must be read-only",
    ]
    with pytest.raises(UserError, match=r":11: env.prod host prod-2 commands.cpu refused"):
        check_config_commands(config)


def test_lint_names_a_folder_with_command_checks(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from omniops_tui.cli import cli

    folder = tmp_path / "team-runbooks"
    folder.mkdir()
    (folder / "runbooks.md").write_text(BUNDLED_DOCUMENT.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "bindings.toml").write_text(
        'version = 1\n\n[checks.app]\nkind = "ssh_command"\ncommand = "pm2 status"\n', encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["lint", str(folder), "--level", "warning"])
    assert f"{folder / 'bindings.toml'}:3: warning: runbooks from another folder than the bundled one " in (
        result.output
    )
    assert "declare SSH command checks app;" in result.output
