"""Large runbooks load with a sign of progress before the TUI takes the terminal.

Parsing a 50 MB file takes long enough that a blank terminal looks like a hang. When the
runbooks given are large and stderr is a terminal, the session is built in a thread while this
prints `Loading runbooks: 41 % of 52.3 MB (12 s)` on one line; ctrl+c stops it. Small runbooks
(the usual case) load as before, with nothing printed. Errors surface unchanged, as the
`UserError` the CLI turns into one line and exit 2.
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from omniops_tui.live.session import LiveSession
from omniops_tui.options import Options

LARGE_BYTES = 4_000_000  # below this, loading is quick: no progress line
TICK_S = 0.25


def runbook_bytes(path: Path | None) -> int:
    """The size of the Markdown under `path` (0 for the bundled document or anything odd)."""
    if path is None:
        return 0
    try:
        if path.is_file():
            return path.stat().st_size
        return sum(p.stat().st_size for p in path.rglob("*") if p.suffix.lower() in (".md", ".markdown"))
    except OSError:
        return 0


def load_with_progress(
    options: Options, resume: Path | None, out: TextIO | None = None, force: bool = False
) -> LiveSession | None:
    """The session built with a progress line on `out` (stderr) when the runbooks are large;
    None when they are not (the factory builds it as usual)."""
    from omniops_tui.ui.factory import build_session

    out = out if out is not None else sys.stderr
    size = runbook_bytes(options.runbooks)
    if not force and (size < LARGE_BYTES or not out.isatty()):
        return None
    state = _Loading()

    def progress(done: float, total: int) -> None:
        state.done, state.total = done, total

    def build() -> None:
        try:
            state.session = build_session(options, resume=resume, progress=progress)
        except BaseException as exc:  # handed to the main thread, raised there
            state.error = exc

    worker = threading.Thread(target=build, name="load-runbooks", daemon=True)
    start = time.monotonic()
    worker.start()
    while True:  # the line shows at once, then every tick until the load is done
        share = state.done / max(1, state.total)
        seconds = int(time.monotonic() - start)
        out.write(f"\rLoading runbooks: {share:4.0%} of {size / 1e6:.1f} MB ({seconds} s)  ")
        out.flush()
        worker.join(TICK_S)
        if not worker.is_alive():
            break
    out.write("\r\x1b[K")
    out.flush()
    if state.error is not None:
        raise state.error
    return state.session


@dataclass
class _Loading:
    """What the loading thread reports to the main one (plain assignments: no lock needed)."""

    done: float = 0.0
    total: int = 1
    session: LiveSession | None = None
    error: BaseException | None = None
