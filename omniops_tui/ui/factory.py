"""The one factory of the App: the CLI and the tests build exactly what users run.

Everything that can go wrong with the user's input (config, runbooks, secrets, a session file)
goes wrong here, as a `UserError`, before the terminal is taken over.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from omniops_tui.live.session import LiveSession
from omniops_tui.live.setup import load_setup, open_session
from omniops_tui.options import Options
from omniops_tui.runbooks.loader import Progress
from omniops_tui.sessions.recorder import Clock
from omniops_tui.ui.app import OmniOpsApp


def build_session(
    options: Options,
    *,
    resume: Path | None = None,
    session_id: str = "",
    clock: Clock | None = None,
    demo: Any = None,
    progress: Progress | None = None,
) -> LiveSession:
    """The engine for a live run: set-up loaded, recording opened (or resumed)."""
    setup = load_setup(options, progress=progress)
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
) -> OmniOpsApp:
    """The App; `session` when it was built already (the CLI loads large runbooks showing
    progress before the terminal is taken over)."""
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
