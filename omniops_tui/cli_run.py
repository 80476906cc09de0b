"""`omniops-tui commands` and `omniops-tui run`: command blocks printed as copied, or run.

`commands` prints every command block of a runbook exactly as `c` copies it (placeholders
substituted for the environment), separated by `#` comment lines so the output can be piped
to a shell or a file; `--json` gives the original, the substituted text, the spans and the
safety class of each. `run` is live/headless_run.py behind the command line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from omniops_tui.core.errors import UserError
from omniops_tui.core.text import json_for_terminal, visible


def command_entries(
    runbook: Any, section_id: str | None, config: Any, environment: Any, runbooks_path: Path | None
) -> list[dict[str, Any]]:
    """Every command block (of one section, when given) as `c` would copy it, with its class."""
    from omniops_tui.runbooks.placeholders import Parts, load_catalogue, substitute
    from omniops_tui.runbooks.safety import classify_block

    parts = Parts.of(config, environment)
    catalogue = load_catalogue(runbooks_path)
    entries: list[dict[str, Any]] = []
    for block in runbook.command_blocks():
        if (
            section_id
            and not block.id.startswith(section_id + "/")
            and not _in_section(runbook, section_id, block)
        ):
            continue
        result = substitute(block.code, parts, catalogue=catalogue)
        classification = classify_block(block)
        entries.append(
            {
                "id": block.id,
                "line": block.line,
                "language": block.language,
                "safety": classification.safety,
                "reason": classification.reason,
                "refusal": classification.refusal,
                "unresolved": result.required,
                **result.to_dict(),
            }
        )
    return entries


def _in_section(runbook: Any, section_id: str, block: Any) -> bool:
    from omniops_tui.runbooks.model import CommandBlock, iter_blocks

    section = runbook.section(section_id)
    return section is not None and any(b is block for b in iter_blocks(section.blocks, CommandBlock))


def print_commands(
    options: Any, runbook_key: str, section: str | None, env_name: str | None, as_json: bool
) -> None:
    from omniops_tui.live.report import find_runbook, resolve_section
    from omniops_tui.runbooks import load_runbooks

    runbook_set = load_runbooks(options.runbooks)
    config = options.load_config()
    environment = config.environment(env_name)
    runbook = find_runbook(runbook_set, runbook_key)
    section_id = resolve_section(runbook, section)
    entries = command_entries(runbook, section_id, config, environment, options.runbooks)
    if as_json:
        click.echo(json_for_terminal(json.dumps(entries, indent=2, ensure_ascii=False)))
        return
    for entry in entries:
        note = f" · needs {', '.join(entry['unresolved'])}" if entry["unresolved"] else ""
        click.echo(f"# ── {entry['id']} ({entry['language'] or 'text'}, {entry['safety']}){note}")
        click.echo(visible(entry["text"]))  # a runbook from elsewhere is outside text
        click.echo("")


def parse_assignments(values: tuple[str, ...]) -> dict[str, str]:
    """`--set TOKEN=VALUE` (repeatable) → {TOKEN: VALUE}; a malformed one is a usage error."""
    typed: dict[str, str] = {}
    for value in values:
        token, sep, text = value.partition("=")
        if not sep or not token:
            raise UserError(f"--set {value}: write it as TOKEN=VALUE, e.g. --set YOUR_TOKEN=$PD_TOKEN")
        typed[token] = text
    return typed


def run_command(
    options: Any,
    runbook: str,
    step: str,
    env_name: str | None,
    target: str | None,
    yes: bool,
    confirm_name: str | None,
    assignments: tuple[str, ...],
) -> None:
    from omniops_tui.live.headless_run import run_step
    from omniops_tui.runbooks import load_runbooks

    config = options.load_config()
    code = run_step(
        load_runbooks(options.runbooks),
        options.runbooks,
        config,
        runbook_key=runbook,
        step_key=step,
        env_name=env_name or options.env,
        target_spec=target,
        yes=yes,
        confirm_name=confirm_name,
        typed=parse_assignments(assignments),
        read_only=options.read_only,
        sessions_dir=options.resolve_sessions_dir(config),
    )
    if code:
        sys.exit(code)
