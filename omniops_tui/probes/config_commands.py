"""Commands that do not come from the code, checked at start-up: the config's and a folder's.

A host may replace a check's command (`commands = { cpu = "mpstat 1 1" }`) and name commands to
stream in the log panes (`log_commands`). Both run on production, so both must be read-only:
`check` and the TUI refuse a config whose commands are not, with one line naming the file,
the line and why (exit 2), before anything connects. (The checks refuse them again when they
run, so nothing depends on this being called.)

A runbook folder from another repository may declare command checks of its own in its
bindings.toml: they are read-only too (refused at load otherwise), and the folder is named in a
warning at start-up and in `lint` (`command_check_warnings`, `command_checks_declared`).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from omniops_tui.config.model import Config
from omniops_tui.core.errors import UserError
from omniops_tui.probes.bindings import _Lines, bindings_path
from omniops_tui.probes.readonly import refusal


def config_command_problems(config: Config) -> list[str]:
    """One line per host command of the config that is not read-only, with file:line."""
    lines = _text_lines(config)
    problems: list[str] = []
    for env_name, environment in config.env.items():
        for host in environment.hosts:
            named = [(f"commands.{key}", value) for key, value in host.commands.items()]
            named += [(f"log_commands[{index}]", value) for index, value in enumerate(host.log_commands)]
            for key, command in named:
                problem = refusal(command)
                if problem:
                    where = _where(config, lines, command)
                    problems.append(
                        f"{where}: env.{env_name} host {host.name} {key} refused: {problem}; "
                        "host commands must be read-only"
                    )
    return problems


def check_config_commands(config: Config) -> None:
    """Raise the first problem of `config_command_problems` as a `UserError` (exit 2)."""
    problems = config_command_problems(config)
    if problems:
        raise UserError(problems[0])


def _text_lines(config: Config) -> list[str]:
    if config.path is None:
        return []
    try:
        return config.path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []


def _where(config: Config, lines: list[str], command: str) -> str:
    """`file:line` of the first line holding the command's text (the file alone if not found)."""
    where = str(config.path) if config.path is not None else "<config>"
    number = next((n for n, line in enumerate(lines, 1) if command in line), None)
    return f"{where}:{number}" if number else where


# ------------------------------------------------------------------------------ runbook folders
def command_check_warnings(runbooks: Path | None) -> list[str]:
    """One line when a runbook folder that is not the bundled one declares command checks.

    Those checks are read-only (the allow-list holds whatever the folder says), but they run
    against the engineer's production on every sweep, so a folder from another repository is
    named at start-up (`check` prints it to stderr, the TUI shows it) and in `lint`.
    """
    return [f"{path}: {message}" for path, _line, message in command_checks_declared(runbooks)]


def command_checks_declared(runbooks: Path | None) -> list[tuple[Path, int, str]]:
    """(bindings file, line of the first such check, message) for `command_check_warnings` and
    lint. Problems reading the file are left to `load_bindings`, which reports them properly."""
    from omniops_tui.runbooks.loader import BUNDLED_DIR

    path = bindings_path(runbooks)
    if runbooks is None or path.parent.resolve() == BUNDLED_DIR.resolve():
        return []
    try:
        text = path.read_text(encoding="utf-8")
        checks = tomllib.loads(text).get("checks", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    if not isinstance(checks, dict):
        return []
    tables = {key: raw for key, raw in checks.items() if isinstance(raw, dict)}
    commands = [key for key, raw in tables.items() if raw.get("kind") == "ssh_command"]
    posts = [
        key
        for key, raw in tables.items()
        if raw.get("kind") == "http" and str(raw.get("method", "GET")).upper() == "POST"
    ]
    declared = [f"SSH command checks {', '.join(commands)}"] if commands else []
    declared += [f"POST smoke tests {', '.join(posts)}"] if posts else []
    if not declared:
        return []
    line = _Lines(text, str(path)).header((commands or posts)[0]) or 1
    return [
        (
            path,
            line,
            f"runbooks from another folder than the bundled one declare {'; '.join(declared)}; "
            "they run against your environment on every sweep: review them (read-only is enforced)",
        )
    ]
