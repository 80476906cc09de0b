"""What a screen is built on: the session it shows, the engine it may ask, and the App's shell.

Screens never reach into the App for state: each is constructed with a `ScreenContext`. Its
`session` is the read side (the same `SessionView` for a live session and a replay), `engine`
the live engine (None in a replay: read-only), and `shell` the few navigation moves only the
App can make (open a runbook, show a screen, start or leave a replay).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from textual.screen import Screen

from omniops_tui.ui.messages import ChecksRunning, ReplayMoved, SessionUpdated

if TYPE_CHECKING:
    from omniops_tui.config.model import Config, Environment
    from omniops_tui.live.session import LiveSession
    from omniops_tui.sandbox.demo import DemoServices
    from omniops_tui.sessions.replay import ReplaySession
    from omniops_tui.sessions.view import SessionView


class Shell(Protocol):
    """The navigation only the App can do."""

    def open_runbook(self, runbook_id: str, *, via: str, section_id: str = "") -> None: ...

    def show(self, name: str) -> None:
        """home, wizard, metrics, logs, sessions, timeline, help."""
        ...

    def start_replay(self, path: Path) -> None: ...

    def leave_replay(self) -> None: ...


@dataclass
class ScreenContext:
    session: SessionView
    shell: Shell
    engine: LiveSession | None = None
    replay: ReplaySession | None = None
    demo: DemoServices | None = None
    config: Config | None = None
    environment: Environment | None = None

    @property
    def writable(self) -> bool:
        return self.engine is not None and self.engine.writable


SESSION_AWARE = "session-aware"
"""The CSS class of widgets that redraw from the session (found by `SessionScreen.session_widgets`)."""


class SessionWidget:
    """A widget that redraws from the session when its screen hears `SessionUpdated` (give it
    the `SESSION_AWARE` class); `replay_moved` redraws a replay's timeline bar."""

    def session_changed(self, message: SessionUpdated) -> None:
        """Redraw what `message.kinds` touched (override)."""

    def replay_moved(self) -> None:
        """The replay moved (override)."""


class SessionScreen(Screen[None]):
    """A screen that shows a session: redraws on `SessionUpdated`, and fully when it comes back."""

    def __init__(self, ctx: ScreenContext, *, name: str | None = None) -> None:
        super().__init__(name=name)
        self.ctx = ctx

    @property
    def session(self) -> SessionView:
        return self.ctx.session

    def writable_engine(self) -> LiveSession | None:
        """The engine when this session can be changed; else says why and returns None."""
        if self.ctx.engine is not None and self.ctx.writable:
            return self.ctx.engine
        self.notify("This session is read-only (replay)", severity="warning", markup=False)
        return None

    def on_session_updated(self, message: SessionUpdated) -> None:
        for widget in self.session_widgets():
            widget.session_changed(message)
        self.session_changed(message)

    def on_replay_moved(self, message: ReplayMoved) -> None:
        for widget in self.session_widgets():
            widget.replay_moved()

    def session_widgets(self) -> list[SessionWidget]:
        """The widgets that redraw from the session, found without walking into a container
        marked `SESSION_BLIND` (a runbook's rows: hundreds of widgets, none of them listening;
        a CSS query walked them all on every event, a tick's largest cost)."""
        found: list[SessionWidget] = []
        stack = list(reversed(self.children))
        while stack:
            node = stack.pop()
            if isinstance(node, SessionWidget) and node.has_class(SESSION_AWARE):
                found.append(node)
            if not getattr(node, "SESSION_BLIND", False):
                stack.extend(reversed(node.children))
        return found

    def on_checks_running(self, message: ChecksRunning) -> None:
        self.checks_running(message.items)

    def session_changed(self, message: SessionUpdated) -> None:
        """Redraw what `message.kinds` touched (override)."""

    def checks_running(self, items: frozenset[str]) -> None:
        """Spinners on the items being checked (override)."""

    def note_context(self) -> tuple[str, str]:
        """(runbook id, section id) a note added here is about."""
        return "", ""
