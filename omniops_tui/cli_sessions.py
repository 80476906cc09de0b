"""The bodies of `omniops-tui sessions export|push|pull`, kept out of cli.py.

cli.py only declares the options and calls these (imported lazily), so the command line stays
quick to start and other commands' authors do not edit the same lines.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from omniops_tui.core.files import check_output, write_output
from omniops_tui.core.text import visible_line


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
