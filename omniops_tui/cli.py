"""The command line: `omniops-tui` opens the TUI; subcommands do the headless work.

Heavy modules (Textual, the checks' clients) are imported inside the commands that need them,
so `omniops-tui --help` and `lint` start instantly. Every `UserError` becomes one line on
stderr and its exit code (2 for usage/config errors); an unexpected exception (also one
inside the TUI) writes a private, redacted crash report (crash.py) and prints one line saying
where, never a traceback or a local variable. Text that came from outside (session headers,
runbook files, S3 listings, error messages quoting them) is printed through `visible()`.
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

import click

from omniops_tui import __version__
from omniops_tui.cli_demo import demo_command, sandbox_command
from omniops_tui.cli_sessions import sessions_group
from omniops_tui.config.locations import CONFIG_ENV, SESSIONS_ENV
from omniops_tui.core.errors import UserError
from omniops_tui.core.text import json_for_terminal, visible, visible_line
from omniops_tui.launch import run_guarded, run_process, run_tui
from omniops_tui.options import Options

PathArg = click.Path(path_type=Path)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="omniops-tui")
@click.option(
    "--runbooks",
    "runbooks",
    type=PathArg,
    default=None,
    help="A runbook .md file or a folder of them, replacing the bundled runbooks.",
)
@click.option(
    "--sessions-dir",
    type=PathArg,
    default=None,
    envvar=SESSIONS_ENV,
    help="Where session recordings go (default: the user state dir).",
)
@click.option(
    "--config",
    "config",
    type=PathArg,
    default=None,
    envvar=CONFIG_ENV,
    help="Config file (default: the user config dir's omniops-tui/config.toml).",
)
@click.option("--env", "env", default=None, help="Environment from the config (default: its default_env).")
@click.option("--read-only", is_flag=True, help="Never run anything, not even on request.")
@click.option(
    "--resume", type=PathArg, default=None, help="Reopen a recorded session and keep appending to it."
)
@click.pass_context
def cli(
    ctx: click.Context,
    runbooks: Path | None,
    sessions_dir: Path | None,
    config: Path | None,
    env: str | None,
    read_only: bool,
    resume: Path | None,
) -> None:
    """omniops-tui: your deployment runbooks as live, recorded, keyboard-first screens.

    Run without a command to open the TUI.
    """
    ctx.obj = Options(runbooks, sessions_dir, config, env, read_only)
    if ctx.invoked_subcommand is None:
        run_tui(ctx.obj, resume=resume)
    elif resume is not None:
        raise click.UsageError("--resume opens the TUI; use it without a subcommand")


@cli.command("runbooks")
@click.option("--json", "as_json", is_flag=True, help="Print the whole parsed model as JSON.")
@click.pass_obj
def runbooks_command(options: Options, as_json: bool) -> None:
    """Print the runbook overview (or, with --json, every runbook in full).

    The summary (N runbooks from M files, K skipped and why) and any warnings go to stderr.
    """
    from omniops_tui.runbooks.loader import load_runbook_files

    loaded = load_runbook_files(options.runbooks)
    for warning in [*loaded.skipped, *loaded.warnings]:
        click.echo(f"omniops-tui: warning: {visible_line(str(warning))}", err=True)
    click.echo(loaded.summary, err=True)
    if as_json:
        text = json.dumps(loaded.runbook_set.to_dict(), indent=2, ensure_ascii=False, default=str)
        click.echo(json_for_terminal(text))
        return
    from omniops_tui.runbooks.overview import overview_table

    click.echo(visible(overview_table(loaded.runbook_set, width=_terminal_width())))


@cli.command("lint")
@click.argument("files", nargs=-1, required=True, type=PathArg)
@click.option(
    "--level",
    type=click.Choice(["error", "warning", "info"]),
    default="info",
    show_default=True,
    help="Show problems of this level and worse.",
)
def lint_command(files: tuple[Path, ...], level: str) -> None:
    """Check runbook Markdown files or folders: lost text, stray fences, duplicate ids, boxes
    that cannot be ticked, placeholders (errors, warnings, info).

    Prints each file's problems as it goes. Exit 1 when there are errors, 0 otherwise.
    """
    from omniops_tui.probes.config_commands import command_checks_declared
    from omniops_tui.runbooks.lint import LEVELS, Problem, iter_lint
    from omniops_tui.runbooks.loader import logic_dir

    counts = dict.fromkeys(LEVELS, 0)
    shown = LEVELS[: LEVELS.index(level) + 1]
    folders = sorted({logic_dir(path) for path in files if path.exists()})
    declared = [
        Problem(str(where), line, message, "warning")
        for folder in folders
        for where, line, message in command_checks_declared(folder)
    ]
    for problem in itertools.chain(iter_lint(list(files)), declared):  # printed as found
        counts[problem.level] += 1
        if problem.level in shown:
            click.echo(visible_line(str(problem)))
    summary = ", ".join(f"{counts[name]} {name}{'s' * (counts[name] != 1)}" for name in LEVELS)
    click.echo(f"{summary} in {len(files)} path(s)", err=True)
    if counts["error"]:
        sys.exit(1)


@cli.command("check")
@click.argument("runbook")
@click.option("--env", "env_name", default=None, help="Environment from the config (overrides --env).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--section", default=None, help="Only the checks of one section, e.g. verification-checklist.")
@click.pass_obj
def check_command(
    options: Options, runbook: str, env_name: str | None, as_json: bool, section: str | None
) -> None:
    """Run a runbook's bound live checks once and print the results.

    Exit 0 when nothing failed, 1 when a check failed or errored, 2 for a usage or config error.
    """
    from omniops_tui.live.report import render, run_checks
    from omniops_tui.probes.config_commands import command_check_warnings
    from omniops_tui.runbooks import load_runbooks

    for warning in command_check_warnings(options.runbooks):
        click.echo(f"omniops-tui: warning: {warning}", err=True)
    run = run_checks(
        options.load_config(),
        load_runbooks(options.runbooks),
        options.runbooks,
        runbook,
        env_name=env_name or options.env,
        section=section,
        read_only=options.read_only,
    )
    click.echo(render(run, as_json=as_json, width=_terminal_width()))
    if run.exit_code:
        sys.exit(run.exit_code)


@cli.command("commands")
@click.argument("runbook")
@click.option("--section", default=None, help="Only the blocks of one section, e.g. rollback-procedure.")
@click.option("--env", "env_name", default=None, help="Environment whose values fill the placeholders.")
@click.option(
    "--json", "as_json", is_flag=True, help="Original, substituted text, spans and class of each block."
)
@click.pass_obj
def commands_command(
    options: Options, runbook: str, section: str | None, env_name: str | None, as_json: bool
) -> None:
    """Print every command block exactly as `c` copies it (placeholders substituted)."""
    from omniops_tui.cli_run import print_commands

    print_commands(options, runbook, section, env_name or options.env, as_json)


@cli.command("run")
@click.argument("runbook")
@click.argument("step")
@click.option("--env", "env_name", default=None, help="Environment from the config (overrides --env).")
@click.option(
    "--target", default=None, help="local, a host name, all, or host1,host2 (default: the block's)."
)
@click.option("--yes", is_flag=True, help="Confirm blocks that change something (non-interactive).")
@click.option("--confirm", "confirm_name", default=None, help="Destructive blocks: the environment's name.")
@click.option("--set", "assignments", multiple=True, help="A placeholder's value: TOKEN=VALUE (repeatable).")
@click.pass_obj
def run_command(
    options: Options,
    runbook: str,
    step: str,
    env_name: str | None,
    target: str | None,
    yes: bool,
    confirm_name: str | None,
    assignments: tuple[str, ...],
) -> None:
    """Run one step's command blocks with the UI's safety rules; output to stdout, the record to a session.

    Read-only blocks run as asked; blocks that change something need --yes; destructive ones
    --yes --confirm ENV_NAME. Exit code: the command's (2 when refused before anything ran).
    """
    from omniops_tui.cli_run import run_command as run

    run(options, runbook, step, env_name, target, yes, confirm_name, assignments)


@cli.command("init")
@click.option("--force", is_flag=True, help="Replace an existing config file.")
@click.option(
    "--path",
    "path",
    type=PathArg,
    default=None,
    help="Where to write it (default: --config, else the user config dir).",
)
@click.pass_obj
def init_command(options: Options, force: bool, path: Path | None) -> None:
    """Write a commented starter config (never overwrites one without --force)."""
    from omniops_tui.config.locations import default_config_path
    from omniops_tui.config.starter import write_starter_config

    written = write_starter_config(path or options.config or default_config_path(), force=force)
    click.echo(f"wrote {written}; edit it, then try `omniops-tui config` and `omniops-tui check …`")


@cli.command("config")
@click.pass_obj
def config_command(options: Options) -> None:
    """Print the effective config with secrets masked."""
    from omniops_tui.config.model import masked_config_text
    from omniops_tui.sessions.redact import patterns_only

    # Masked by structure (secret variables by name, literals as ***), then by pattern: a
    # `PGPASSWORD=…` inside a host command or a placeholder is a secret too.
    text = masked_config_text(options.load_config(), options.env)
    click.echo(visible(patterns_only().text(text)), nl=False)


# Command groups that live in their own modules (one purpose each).
cli.add_command(sessions_group)
cli.add_command(sandbox_command)
cli.add_command(demo_command)


def _terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((100, 24)).columns


def main(argv: list[str] | None = None) -> None:
    """The CLI on `argv` (None: the process's own arguments, and the process ends with it:
    launch.py), user errors as one line and bugs as a crash file (`run_guarded`)."""
    if argv is None:
        run_process(lambda: _main(None))
    else:
        run_guarded(lambda: _main(argv))


def _main(argv: list[str] | None) -> None:
    try:
        cli.main(args=argv, prog_name="omniops-tui", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.UsageError as exc:  # one line, as every other error: what is wrong, where to look
        where = exc.ctx.command_path if exc.ctx is not None else "omniops-tui"
        raise UserError(f"{exc.format_message()} (see '{where} --help')", exit_code=exc.exit_code) from None
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
