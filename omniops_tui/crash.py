"""Crash reports: a bug becomes a private file and one line on the terminal, nothing more.

An unexpected exception can carry secrets (a DSN in a driver's message, a token in a URL) and
its traceback's frames hold more. So the report is written with `mkstemp` (a fresh name, 0600,
never an existing file or a symlink someone planted) in the state folder (0700), the text is
redacted with the process environment's secrets and the patterns, control characters are made
visible, and no local variable is ever printed: only the exception chain and the frames'
file/line/function. The terminal gets one line saying where the report is.
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path

from omniops_tui import __version__
from omniops_tui.config.locations import state_dir
from omniops_tui.core.text import visible

CRASH_FOLDER = "crash-reports"


def crash_dir() -> Path:
    """`$XDG_STATE_HOME/omniops-tui/crash-reports`, created 0700."""
    folder = state_dir() / CRASH_FOLDER
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def crash_report_text(error: BaseException) -> str:
    """What a report holds: versions, the command line and the traceback, redacted."""
    from omniops_tui.sessions.redact import default_redactor

    lines = [
        f"omniops-tui {__version__} crash report, {datetime.now(UTC).isoformat(timespec='seconds')}",
        f"python {platform.python_version()} on {platform.platform()}",
        "command: " + " ".join(sys.argv),
        "",
        *traceback.format_exception(error),
    ]
    return visible(default_redactor().text("\n".join(line.rstrip("\n") for line in lines) + "\n"))


def write_crash_report(error: BaseException, folder: Path | None = None) -> Path:
    """Write the report for `error` to a new private file and return its path.

    Falls back to the system temporary folder (still `mkstemp`, still 0600) when the state
    folder cannot be written, so a crash on a full or read-only home still says something.
    """
    text = crash_report_text(error)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for candidate in (folder, None, Path(tempfile.gettempdir())):
        try:
            where = candidate if candidate is not None else crash_dir()
            handle, name = tempfile.mkstemp(prefix=f"crash-{stamp}-", suffix=".txt", dir=where)
        except OSError:
            continue
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        return Path(name)
    raise OSError("no folder to write a crash report in")


def crash_line(path: Path | None) -> str:
    """The one line the terminal gets."""
    where = f"details written to {path}" if path is not None else "no crash report could be written"
    return f"omniops-tui: internal error; {where}. Your session recording is intact."
