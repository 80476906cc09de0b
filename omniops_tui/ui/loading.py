"""Large runbooks: the TUI starts on their titles, with a sign of progress until it does.

Parsing a 50 MB file takes minutes, so a large file is not parsed before the TUI starts: the
session is built inside `deferring()` (runbooks/deferred.py), which loads it as its runbooks'
titles (a line scan) and leaves the parse to the App, whose home says how far it is
(ui/runbook_loading.py). The scan itself takes a few seconds on a busy machine, so when stderr
is a terminal the session is built in a thread while this prints `Loading runbooks: 41 % of
52.3 MB (2 s)` on one line; ctrl+c stops it. Small runbooks (the usual case) load as before,
with nothing printed. Errors surface unchanged, as the `UserError` the CLI turns into one line
and exit 2.
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from omniops_tui.options import Options

if TYPE_CHECKING:  # (a small start builds the engine after the first paint: ui/starting.py)
    from omniops_tui.live.session import LiveSession

# Below this, loading is quick: no progress line, nothing deferred (runbooks/deferred.py's
# DEFER_BYTES, checked equal by the tests: that module and the model it imports are not needed
# before the first frame of a small start).
LARGE_BYTES = 4_000_000
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
    out = out if out is not None else sys.stderr
    size = runbook_bytes(options.runbooks)
    if not force and size < LARGE_BYTES:
        return None
    from omniops_tui.runbooks.deferred import deferring
    from omniops_tui.ui.factory import build_session

    if not force and not out.isatty():
        with deferring():
            return build_session(options, resume=resume)
    state = _Loading()

    def progress(done: float, total: int) -> None:
        state.done, state.total = done, total

    def build() -> None:
        try:
            with deferring():  # in this thread: a context variable is not inherited
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
