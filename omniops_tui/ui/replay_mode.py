"""Replay as a mode of the App: the recorded events drive the same screens, read-only.

`ReplayMode` owns the `ReplaySession` (pure, sessions/replay.py) and a 20 Hz timer. Started
from the sessions screen, the replay gets its own Textual mode (its own screen stack) while the
live session keeps running and recording in the other; leaving it (ctrl+r) switches back. For
`omniops-tui sessions replay FILE` the replay is the App's only session. When a recorded
`screen_opened` comes by, the replay follows the engineer to that screen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer

from omniops_tui.core.errors import UserError
from omniops_tui.ui.context import ScreenContext, Shell
from omniops_tui.ui.messages import ReplayMoved

if TYPE_CHECKING:  # (the event vocabulary is the engine's: not on the path to the first paint)
    from omniops_tui.core.events import Event, ScreenOpened
    from omniops_tui.sessions.replay import ReplaySession  # loaded when a replay opens


class ReplayHost(Shell, Protocol):
    """What the replay needs of the App: its context, updates for its screens, navigation, and
    Textual's modes and timers."""

    ctx: ScreenContext

    def post_update(self, events: Sequence[Event] | None) -> None: ...

    def add_mode(self, mode: str, base_screen: Callable[[], Screen[Any]]) -> None: ...

    def switch_mode(self, mode: str) -> Any: ...

    def remove_mode(self, mode: str) -> Any: ...

    def set_interval(
        self, interval: float, callback: Callable[[], Any], *, name: str | None = None
    ) -> Timer: ...

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None: ...

    def push_screen(self, screen: Screen[Any], callback: Any = None) -> Any: ...

    def pop_screen(self) -> Any: ...

    def exit(self) -> None: ...

    @property
    def screen(self) -> Screen[Any]: ...

    @property
    def screen_stack(self) -> list[Screen[Any]]: ...


TICK_S = 0.05
MODE = "replay"


class ReplayMode:
    def __init__(self, app: ReplayHost) -> None:
        self.app = app
        self.replay: ReplaySession | None = None
        self.ctx: ScreenContext | None = None
        self._live_ctx: ScreenContext | None = None
        self._timer: Timer | None = None
        self._base = False
        self._last_screen: tuple[str, str, str] | None = None

    @property
    def active(self) -> bool:
        return self.replay is not None

    # ------------------------------------------------------------------ entering and leaving
    def open(self, path: Path) -> None:
        """From the sessions screen: replay `path` in its own mode; the live session goes on."""
        if self.active:
            self.leave()
        try:
            from omniops_tui.sessions.replay import ReplaySession

            replay, notices = ReplaySession.open(path)
        except UserError as exc:
            self.app.notify(exc.message, severity="error", markup=False)
            return
        for notice in notices:
            self.app.notify(notice, severity="warning", timeout=8, markup=False)
        self.attach(replay)

    def attach(self, replay: ReplaySession, *, at: str = "", base: bool = False) -> None:
        from omniops_tui.ui.screens.home import HomeScreen

        app = self.app
        self.replay, self._base = replay, base
        if base:
            app.ctx.replay = replay
            self.ctx = app.ctx
        else:
            self._live_ctx = app.ctx
            self.ctx = app.ctx = ScreenContext(session=replay, shell=app, replay=replay)
            ctx = self.ctx
            app.add_mode(MODE, lambda: HomeScreen(ctx))
            app.switch_mode(MODE)

        def changed(events: Sequence[Event] | None) -> None:
            if self.replay is replay:
                app.post_update(events)

        def moved(_: object) -> None:
            # No screen: the app is closing while the timer still ticks (a quit mid-replay).
            if self.replay is replay and app.screen_stack:
                app.screen.post_message(ReplayMoved())

        replay.listen(changed)
        replay.on_moved(moved)
        self._timer = app.set_interval(TICK_S, self.tick, name="replay")
        replay.start(play=not at)
        if at:
            problem = replay.seek_to(at)
            if problem:
                app.notify(problem, severity="error", markup=False)
        app.post_update(None)

    def leave(self) -> None:
        """Back to the live session (a replay-only App quits instead)."""
        app = self.app
        if not self.active:
            return
        if self._base:
            app.exit()
            return
        self.stop()
        if self.replay is not None:
            self.replay.close()
        self.replay = None
        assert self._live_ctx is not None
        app.ctx = self._live_ctx
        app.switch_mode("live")
        app.remove_mode(MODE)
        app.post_update(None)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    # ------------------------------------------------------------------ playing
    def tick(self) -> None:
        if self.replay is None or not self.app.screen_stack:
            return  # nothing to play into: the app is closing (its timers tick to the end)
        try:
            opened = self.replay.tick()
        except UserError as exc:  # the file changed under the replay, or a line no longer decodes
            self.stop()
            self.app.notify(exc.message, severity="error", timeout=15, markup=False)
            return
        while self.replay.announcements:  # a marker reached after waiting, a late notice
            self.app.notify(self.replay.announcements.pop(0), timeout=6, markup=False)
        if self.replay.jumped:  # a seek that waited for the index happened just now
            self.replay.jumped = False
            self._after_jump()
        elif opened:
            self.follow(opened[-1])

    def follow(self, opened: ScreenOpened | None) -> None:
        """Show the screen the engineer had open (read-only); no-op when already there."""
        if opened is None:
            return
        where = (opened.screen, opened.runbook_id, opened.section_id)
        if where == self._last_screen:
            return
        self._last_screen = where
        app = self.app
        while len(app.screen_stack) > 1 and app.screen.is_modal:
            app.pop_screen()
        if opened.screen == "runbook" and opened.runbook_id:
            app.open_runbook(opened.runbook_id, via="replay", section_id=opened.section_id)
        elif opened.screen in ("home", "wizard", "metrics", "logs"):
            app.show(opened.screen)

    def _after_jump(self) -> None:
        if self.replay is not None:
            self.follow(self.replay.screen)

    def toggle(self) -> None:
        if self.replay is not None:
            self.replay.toggle()

    def _guarded(self, jump: Callable[[], Any]) -> Any:
        """A seek reads the file: one that changed meanwhile is a notice, not a traceback."""
        try:
            return jump()
        except UserError as exc:
            self.app.notify(exc.message, severity="error", timeout=15, markup=False)
            return None

    def seek_by(self, seconds: float) -> None:
        replay = self.replay
        if replay is not None:
            self._guarded(lambda: replay.seek_by(seconds))
            self._after_jump()

    def seek_fraction(self, fraction: float) -> None:
        replay = self.replay
        if replay is not None:
            self._guarded(lambda: replay.seek_fraction(fraction))
            self._after_jump()

    def marker(self, forward: bool) -> None:
        if self.replay is None:
            return
        replay = self.replay
        label = self._guarded(lambda: replay.marker(forward))
        if label is None:
            return  # the markers are still being found: the jump is announced when it happens
        if label:
            self.app.notify(label, title="Marker", timeout=4, markup=False)
            self._after_jump()
        else:
            self.app.notify("No more markers that way", timeout=2)

    def faster(self, up: bool) -> None:
        if self.replay is not None:
            self.replay.faster(up)

    def goto(self) -> None:
        from omniops_tui.ui.screens.note import TextPrompt

        replay = self.replay
        if replay is None:
            return

        def go(text: str | None) -> None:
            if text and self.replay is replay:
                problem = self._guarded(lambda: replay.seek_to(text))
                if problem:
                    self.app.notify(problem, severity="error", markup=False)
                self._after_jump()

        self.app.push_screen(
            TextPrompt(
                "Go to time", "03:12:05 (UTC wall clock), +12:30 or +90s (since the start)", "03:12:05"
            ),
            go,
        )
