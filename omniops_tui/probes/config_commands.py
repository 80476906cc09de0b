"""The config's own SSH commands go through the read-only allow-list too, checked at start-up.

A host may replace a check's command (`commands = { cpu = "mpstat 1 1" }`) and name commands to
stream in the log panes (`log_commands`). Both run on production, so both must be read-only:
`check` and the TUI refuse a config whose commands are not, with one line naming the file,
the line and why (exit 2), before anything connects. (The checks refuse them again when they
run, so nothing depends on this being called.)
"""

from __future__ import annotations

from omniops_tui.config.model import Config
from omniops_tui.core.errors import UserError
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
