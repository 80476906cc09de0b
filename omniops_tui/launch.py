"""How the process starts and ends: the TUI's start, and the one way a command fails.

The usual start is `omniops-tui` with no arguments, and it is timed against a bare Textual app
(issue 12): click and the modules of every subcommand (~10 ms of imports and a command tree)
are no part of what it needs. So the entry point (`__main__.py`) opens the TUI through
`plain_start` when there are no arguments, with the options a plain start has in `cli.py`
(their defaults and their environment variables); any argument at all (`--help`, a
subcommand, an option) goes to the click CLI, unchanged. Both end the same way
(`run_process`): a `UserError` is one line and its exit code, a bug a private crash report and
one line (`run_guarded`), and a finished process skips the interpreter's finalization.

This module imports no click and no Textual: keep it that way, it is on the path to the first paint.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path

from omniops_tui.config.locations import CONFIG_ENV, SESSIONS_ENV
from omniops_tui.core.errors import UserError
from omniops_tui.core.text import visible_line
from omniops_tui.options import Options


def run_process(command: Callable[[], None]) -> None:
    """`command` as the whole process: guarded (`run_guarded`), then the process ends.

    It ends without the interpreter's finalization once the command is done: freeing every
    module and object cost 1-2 s after `ctrl+q` and a fifth of a one-shot `check` on a loaded
    machine (issue 12); atexit handlers still run (`leave_without_finalizing`).
    """
    try:
        run_guarded(command)
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            _leave(exc.code or 0)
        raise
    _leave(0)


def plain_start() -> None:
    """What `cli` does for `omniops-tui` without arguments: every option at its default, but
    for those an environment variable sets (click ignores an empty one, and so does this)."""
    run_tui(Options(sessions_dir=_env_path(SESSIONS_ENV), config=_env_path(CONFIG_ENV)))


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None


def run_tui(options: Options, *, resume: Path | None = None) -> None:
    """The TUI, from the start to the terminal handed back; raises what the CLI turns into
    one line (a `UserError`) or a crash report."""
    # No cyclic collection before the first frame: start-up makes objects by the hundred
    # thousand and frees next to none, so the collector's passes over them (~15-20 ms, a tenth
    # of a warm start) would find nothing. The App turns it back on once home is on the screen
    # (`OmniOpsApp.on_mount`), and freezes what start-up built out of its sight (ui/idle_gc.py).
    gc.disable()
    try:
        _run_tui(options, resume)
    finally:
        gc.enable()


def _run_tui(options: Options, resume: Path | None) -> None:
    from omniops_tui.ui.crash_guard import CrashGuard
    from omniops_tui.ui.factory import build_app
    from omniops_tui.ui.loading import load_with_progress

    session = load_with_progress(options, resume)  # large runbooks: progress on stderr meanwhile
    if session is None:  # home first, the engine right after it is painted (issue 12)
        app = build_app(options, resume=resume, defer_engine=True)
    else:
        app = build_app(options, session=session)
    guard = CrashGuard.install(app)
    try:
        app.run()
    finally:
        app.end_session("crash" if guard.error is not None else "exit")
    guard.raise_if_crashed()  # run_guarded writes the crash report
    if app.start_error is not None:  # found by the set-up after the first paint: one line, exit 2
        raise app.start_error
    if app.return_code:
        sys.exit(app.return_code)


def run_guarded(command: Callable[[], None]) -> None:
    """`command`, with user errors turned into one line and bugs into a crash file: one line
    whatever it quotes (a file name, a server's message): no raw control text, no traceback."""
    try:
        command()
    except UserError as exc:
        _say(f"omniops-tui: error: {visible_line(exc.message)}")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        from omniops_tui.crash import crash_line, write_crash_report

        try:
            report: Path | None = write_crash_report(exc)
        except Exception:
            report = None
        _say(crash_line(report))
        sys.exit(70)


def _say(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def _leave(code: int) -> None:
    from omniops_tui.live.hangup import leave_without_finalizing

    leave_without_finalizing(code)
