"""The App finishes loading a large runbook file: parsed on a thread, shown when ready.

The session starts on a placeholder runbook named after the file (runbooks/deferred.py), so
home appears at once; a line scan then gives its runbooks by title, and the full parse runs on
a daemon thread of its own, not a Textual worker: a thread worker runs in the event loop's
executor, which the interpreter joins at exit, so quitting during a minutes-long parse would
hang; this one is cancelled at its next chunk and never waited for. The parsed model is put in
place on the App's thread, every screen is told (`SessionUpdated({"runbooks"})`), and a
runbook asked for meanwhile opens.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from textual.app import App

from omniops_tui.runbooks.cache import ParsedFile
from omniops_tui.runbooks.deferred import apply_parsed, apply_titles, parse_pending, scan_pending
from omniops_tui.runbooks.model import Loading, Runbook, RunbookSet
from omniops_tui.ui.context import ScreenContext
from omniops_tui.ui.messages import SessionUpdated

RUNBOOKS_LOADED = "runbooks"  # the SessionUpdated kind: the runbook set changed


def start_loading(app: App[Any], ctx: ScreenContext) -> None:
    """Parse what the session's runbooks still lack (nothing to do for most sessions)."""
    runbooks = ctx.session.basis.runbooks
    loading = runbooks.loading
    if loading is None or loading.finished:
        return

    def parse() -> None:
        titles = scan_pending(loading)
        if loading.cancelled:
            return
        with contextlib.suppress(RuntimeError):  # the App is gone
            app.call_from_thread(_titles, app, ctx, loading, titles)
        results = parse_pending(loading)
        if loading.cancelled:
            return
        with contextlib.suppress(RuntimeError):
            app.call_from_thread(_finish, app, ctx, loading, results)

    threading.Thread(target=parse, name="parse-runbooks", daemon=True).start()


def stop_loading(ctx: ScreenContext) -> None:
    """The App is leaving: the parse stops at its next chunk."""
    loading = ctx.session.basis.runbooks.loading
    if loading is not None:
        loading.cancelled = True


def wait_for(app: App[Any], loading: Loading, runbook: Runbook) -> None:
    """A runbook that is only a title yet: say so, and open it once it is parsed."""
    if loading.finished:  # its file could not be parsed: the error was shown, say it again
        app.notify(f"{runbook.title} could not be loaded: {loading.error}", severity="error", markup=False)
        return
    loading.wanted = runbook.id
    app.notify(
        f"{runbook.title} is still loading ({loading.fraction:.0%}); it opens when it is parsed",
        timeout=6,
        markup=False,
    )


def _titles(app: App[Any], ctx: ScreenContext, loading: Loading, titles: list[RunbookSet | None]) -> None:
    apply_titles(loading, ctx.session.basis.runbooks, titles)
    for screen in app.screen_stack:
        screen.post_message(SessionUpdated({RUNBOOKS_LOADED}))


def _finish(app: App[Any], ctx: ScreenContext, loading: Loading, results: list[ParsedFile | None]) -> None:
    runbooks: RunbookSet = ctx.session.basis.runbooks
    added = apply_parsed(loading, runbooks, results)
    live = ctx.engine
    if live is not None and not live.resumed:  # `- [x]` in the file starts ticked, as at start
        for item in (item for runbook in added for item in runbook.checklist_items()):
            if item.initially_checked:
                live.set_item(item, True, reason="ticked in the runbook file")
    if loading.error:
        app.notify(f"Some runbooks could not be loaded: {loading.error}", severity="error", markup=False)
    for screen in app.screen_stack:
        screen.post_message(SessionUpdated({RUNBOOKS_LOADED}))
    if loading.wanted and runbooks.get(loading.wanted) is not None:
        wanted, loading.wanted = loading.wanted, ""
        ctx.shell.open_runbook(wanted, via="home")
