"""`omniops-tui sessions list|replay|export|push|pull`: the recorded sessions' command group.

Kept out of cli.py (which adds the group) so that the top-level commands and the sessions
commands are read and changed apart. Heavy imports (the reader, the exporter, boto3 through
sessions/share.py, the replay App) stay inside the bodies, so the command line starts quickly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from omniops_tui.core.errors import UserError
from omniops_tui.core.files import check_output, write_output
from omniops_tui.core.text import json_for_terminal, visible_line
from omniops_tui.options import Options

PathArg = click.Path(path_type=Path)


def redactor_for(options: Any, environment_name: str = "") -> Any:
    """The recorder's redaction for exports: the config's secrets, the environment's DSNs,
    and the secret-named variables of this process."""
    from omniops_tui.sessions.redact import build_redactor

    config = options.load_config()
    name = options.env or (environment_name if environment_name in config.env else None)
    environment = config.environment(name) if config.env else None
    return build_redactor(config, environment)


def resolve_session_path(options: Any, file: Path) -> Path:
    """FILE as given, or a file of that name in the sessions folder."""
    if file.exists() or file.is_absolute() or len(file.parts) > 1:
        return file
    candidate = options.resolve_sessions_dir() / file
    return candidate if candidate.exists() else file


def export(options: Any, file: Path, fmt: str, out: Path | None, force: bool = False) -> None:
    """`sessions export`: to stdout, or to `out` (0600; never the session itself, never
    through a symlink, an existing file only with `force`)."""
    from omniops_tui.sessions.export import render
    from omniops_tui.sessions.reader import read_session
    from omniops_tui.sessions.sources import runbooks_for

    source = resolve_session_path(options, file)
    if out is not None:
        check_output(out, force=force, protect=(source,))  # refuse before the work, not after
    session = read_session(source)
    for notice in session.notices:
        click.echo(f"omniops-tui: {visible_line(notice)}", err=True)
    text = render(
        session,
        fmt,
        runbooks=runbooks_for(session.header.runbook_source, options.runbooks),
        redactor=redactor_for(options, session.header.environment),
    )
    if out is None:
        click.echo(text, nl=False)
        return
    write_output(out, text, force=force, protect=(source,))
    click.echo(f"wrote {visible_line(str(out))}", err=True)


def push(options: Any, file: Path, url: str, endpoint_url: str | None, profile: str | None) -> None:
    from omniops_tui.sessions.share import push_session

    target = push_session(
        resolve_session_path(options, file), url, endpoint_url=endpoint_url, profile=profile
    )
    click.echo(f"pushed {visible_line(file.name)} to {visible_line(target.url)}")


def pull(
    options: Any, url: str, dest: Path | None, list_only: bool, endpoint_url: str | None, profile: str | None
) -> None:
    from omniops_tui.sessions.share import list_remote, pull_session

    if list_only:
        if dest is not None:
            raise click.UsageError("--list takes no DEST")
        remote = list_remote(url, endpoint_url=endpoint_url, profile=profile)
        if not remote:
            click.echo(f"no sessions under {url}")
        for item in remote:  # names from the bucket are outside text
            name, key = visible_line(item.name), visible_line(item.key)
            click.echo(f"{name:<40} {item.last_modified:<24} {item.size:>10}  {key}")
        return
    if dest is None:
        dest = options.resolve_sessions_dir()
        dest.mkdir(parents=True, exist_ok=True)
    path = pull_session(url, dest, endpoint_url=endpoint_url, profile=profile)
    click.echo(f"pulled {visible_line(url)} to {visible_line(str(path))}")


def run_replay(
    options: Options, path: Path, *, speed: str = "1x", idle_limit: float | None = None, at: str = ""
) -> None:
    from omniops_tui.sessions.player import parse_speed
    from omniops_tui.ui.crash_guard import CrashGuard
    from omniops_tui.ui.factory import build_replay_app

    try:
        speed_value = parse_speed(speed)
    except ValueError as exc:
        raise UserError(f"--speed {speed}: {exc}") from exc
    app = build_replay_app(options, path, speed=speed_value, idle_limit=idle_limit, at=at)
    guard = CrashGuard.install(app)
    app.run()
    guard.raise_if_crashed()


@click.group("sessions")
def sessions_group() -> None:
    """Recorded sessions: list them (replay, export and sharing build on these files)."""


@sessions_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_obj
def sessions_list(options: Options, as_json: bool) -> None:
    """List recorded sessions, newest first."""
    from omniops_tui.sessions.catalog import format_duration, list_sessions

    sessions_dir = options.resolve_sessions_dir()
    summaries = list_sessions(sessions_dir)
    if as_json:
        click.echo(
            json_for_terminal(json.dumps([s.to_dict() for s in summaries], indent=2, ensure_ascii=False))
        )
        return
    if not summaries:
        click.echo(f"no sessions in {visible_line(str(sessions_dir))}")
        return
    # Headers and file names come from other people's files: one visible line per session.
    click.echo(f"{'FILE':<34} {'STARTED (UTC)':<20} {'EVENTS':>6} {'DURATION':>8}  RUNBOOKS")
    for s in summaries:
        name = visible_line(Path(s.file).name)
        if s.problem:
            click.echo(f"{name:<34} {visible_line(s.problem)}")
            continue
        started = visible_line(s.started_at.replace("T", " ")[:19])
        runbooks = visible_line(", ".join(s.runbooks)) or "-"
        click.echo(f"{name:<34} {started:<20} {s.events:>6} {format_duration(s.duration_s):>8}  {runbooks}")


@sessions_group.command("replay")
@click.argument("file", type=PathArg)
@click.option("--speed", default="1x", show_default=True, help="1x, 4x, 16x, 60x or max.")
@click.option(
    "--idle-limit",
    type=click.FloatRange(min=0.1),
    default=None,
    help="Compress silences longer than this many seconds (like asciinema).",
)
@click.option("--at", default="", help="Start paused at a time: 03:12:05 (UTC), +12:30 or +90s.")
@click.pass_obj
def sessions_replay(options: Options, file: Path, speed: str, idle_limit: float | None, at: str) -> None:
    """Replay a recorded session in the same screens, read-only, with a timeline bar.

    space play/pause · , . ±10 s · < > ±1 min · { } markers · + - speed · g go to time.
    """
    run_replay(options, file, speed=speed, idle_limit=idle_limit, at=at)


@sessions_group.command("export")
@click.argument("file", type=PathArg)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "json", "deploy-log"]),
    default="md",
    show_default=True,
    help="md: post-mortem draft; json: for tools; deploy-log: deployment-log.txt entry.",
)
@click.option(
    "-o",
    "--output",
    "out",
    type=PathArg,
    default=None,
    help="Write here (a new file, 0600) instead of stdout.",
)
@click.option("--force", is_flag=True, help="Replace an existing -o file (never the session itself).")
@click.pass_obj
def sessions_export(options: Options, file: Path, fmt: str, out: Path | None, force: bool) -> None:
    """Export a session as a post-mortem draft, JSON, or a deployment-log entry (secrets redacted)."""
    export(options, file, fmt, out, force)


@sessions_group.command("push")
@click.argument("file", type=PathArg)
@click.argument("url")
@click.option("--endpoint-url", default=None, help="A non-AWS S3 endpoint (MinIO, moto…).")
@click.option("--profile", default=None, help="AWS profile (default: the usual AWS credential chain).")
@click.pass_obj
def sessions_push(
    options: Options, file: Path, url: str, endpoint_url: str | None, profile: str | None
) -> None:
    """Upload a session file to s3://bucket/prefix so the team keeps it."""
    push(options, file, url, endpoint_url, profile)


@sessions_group.command("pull")
@click.argument("url")
@click.argument("dest", type=PathArg, required=False)
@click.option("--list", "list_only", is_flag=True, help="List the sessions under s3://bucket/prefix.")
@click.option("--endpoint-url", default=None, help="A non-AWS S3 endpoint (MinIO, moto…).")
@click.option("--profile", default=None, help="AWS profile (default: the usual AWS credential chain).")
@click.pass_obj
def sessions_pull(
    options: Options,
    url: str,
    dest: Path | None,
    list_only: bool,
    endpoint_url: str | None,
    profile: str | None,
) -> None:
    """Download s3://bucket/prefix/NAME.jsonl into DEST (default: the sessions folder)."""
    pull(options, url, dest, list_only, endpoint_url, profile)
