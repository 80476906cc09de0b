"""The one factory of the App: the CLI and the tests build exactly what users run.

Everything that can go wrong with the user's input (config, runbooks, secrets, a session file)
goes wrong here, as a `UserError`, before the terminal is taken over.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from omniops_tui.options import Options
from omniops_tui.ui.app import OmniOpsApp

if TYPE_CHECKING:  # the engine is imported when it is built, after the first paint
    from omniops_tui.live.session import LiveSession
    from omniops_tui.live.start import StartInputs
    from omniops_tui.runbooks.loader import Progress
    from omniops_tui.runbooks.model import RunbookSet
    from omniops_tui.sessions.recorder import Clock


def build_session(
    options: Options,
    *,
    resume: Path | None = None,
    session_id: str = "",
    clock: Clock | None = None,
    demo: Any = None,
    progress: Progress | None = None,
    start: StartInputs | None = None,
) -> LiveSession:
    """The engine for a live run: set-up loaded (from `start` when the first screen was drawn
    from it), recording opened (or resumed)."""
    from omniops_tui.live.session import LiveSession
    from omniops_tui.live.setup import load_setup, open_session

    setup = load_setup(options, progress=progress, start=start)
    recorder, state = open_session(setup, resume=resume, session_id=session_id, clock=clock)
    return LiveSession(setup, recorder, state, resumed=resume is not None, demo=demo)


def build_app(
    options: Options,
    *,
    resume: Path | None = None,
    session_id: str = "",
    clock: Clock | None = None,
    demo: Any = None,
    notices: list[str] | None = None,
    show_tour: bool = False,
    session: LiveSession | None = None,
    defer_engine: bool = False,
) -> OmniOpsApp:
    """The App; `session` when it was built already (the CLI loads large runbooks showing
    progress before the terminal is taken over). `defer_engine` (the CLI's plain start): only
    the runbooks and the config are read here, with their user errors; home is painted from
    them and the engine is built right after (ui/starting.py, issue 12)."""
    if defer_engine and session is None and resume is None:
        return _deferred_app(options, session_id=session_id, clock=clock, demo=demo, notices=notices)
    if session is None:
        session = build_session(options, resume=resume, session_id=session_id, clock=clock, demo=demo)
    return OmniOpsApp(
        session,
        notices=[*session.setup.notices, *(notices or [])],
        demo=demo,
        show_tour=show_tour,
    )


def build_replay_app(
    options: Options, path: Path, *, speed: float = 1.0, idle_limit: float | None = None, at: str = ""
) -> OmniOpsApp:
    """The same App and screens, driven by a recorded session instead of a live one."""
    from omniops_tui.sessions.replay import ReplaySession

    replay, notices = ReplaySession.open(
        path, runbooks_path=options.runbooks, speed=speed, idle_limit=idle_limit
    )
    return OmniOpsApp(None, replay=replay, notices=notices, replay_at=at)


def _deferred_app(
    options: Options, *, session_id: str, clock: Clock | None, demo: Any, notices: list[str] | None
) -> OmniOpsApp:
    from omniops_tui.core.errors import UserError
    from omniops_tui.live.start import load_start
    from omniops_tui.ui import home_index
    from omniops_tui.ui.starting import Starting, StartingView

    # Home's rows from the last start, when the runbooks are unchanged since: they are then
    # read after the first frame (they loaded without an error from these very bytes).
    index = home_index.read(options.runbooks)
    # The user's errors in the runbooks and the config, before the terminal is taken over;
    # each is read after the first frame instead when a cache vouches for it.
    start = load_start(options, runbooks_later=index is not None, config_later=True)

    def build() -> LiveSession:
        return build_session(options, session_id=session_id, clock=clock, demo=demo, start=start)

    def keep_index(drawn: home_index.HomeIndex) -> None:
        try:
            loaded = start.loaded
        except UserError:  # (said by the engine's set-up)
            return
        files = [source.path for source in loaded.files] + [skipped.path for skipped in loaded.skipped]
        home_index.write(options.runbooks, files, drawn)

    def runbooks() -> RunbookSet:
        """The runbooks, read at their first use when the index drew home. They loaded from
        these bytes last time; if they no longer do (changed this very moment), home shows
        none for a moment and the engine's set-up says why, as one line with exit 2."""
        try:
            return start.runbooks
        except UserError:
            from omniops_tui.runbooks.model import RunbookSet

            return RunbookSet([])

    view = StartingView(runbooks, start.environment_name, index=index, keep_index=keep_index)
    starting = Starting(view, build)
    return OmniOpsApp(None, notices=notices or [], demo=demo, starting=starting)
