"""What the App's own keys do: each one a short route to the engine or to a screen.

A mixin of the App (`self` is the App): the key table lives in ui/keys.py, the moves here, so the
App itself keeps to its lifecycle and to turning the engine's changes into messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events
from textual.app import App
from textual.widgets import Input

from omniops_tui.ui.context import ScreenContext
from omniops_tui.ui.idle_gc import IdleCollector
from omniops_tui.ui.keys import REPLAY_ACTIONS
from omniops_tui.ui.messages import ReplaySeek
from omniops_tui.ui.replay_mode import ReplayMode

if TYPE_CHECKING:  # the engine is imported after the first paint (ui/starting.py)
    from omniops_tui.core.events import Event
    from omniops_tui.live.session import LiveSession


class KeyActions(App[None]):
    """The App's key actions (mixed into `OmniOpsApp`, which provides what is declared here)."""

    ctx: ScreenContext
    live: LiveSession | None
    replay_mode: ReplayMode
    idle_collector: IdleCollector | None = None  # from the mount on (idle_gc.py)

    if TYPE_CHECKING:

        def show(self, name: str) -> None: ...

        def open_runbook(self, runbook_id: str, *, via: str, section_id: str = "") -> None: ...

        def post_update(self, events: Sequence[Event] | None) -> None: ...

    async def on_event(self, event: events.Event) -> None:
        """Every key, wherever it goes, tells the collector the keys have not paused (idle_gc.py)."""
        if isinstance(event, events.Key):
            if self.idle_collector is not None:
                self.idle_collector.key()
            if self.live is not None:
                self.live.checks.moved()  # and the checks' next sweep waits for a pause
        await super().on_event(event)

    def on_mount(self) -> None:
        """(Beside `OmniOpsApp.on_mount`: Textual calls each class's handler.) What start-up
        built is frozen out of the garbage collector's sight; full collections at pauses."""
        self.idle_collector = IdleCollector()
        self.idle_collector.start(self)

    def on_unmount(self) -> None:
        if self.idle_collector is not None:
            self.idle_collector.stop()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in REPLAY_ACTIONS:
            # Priority keys, but never while the engineer types (go-to-time, filters, notes).
            if not self.replay_mode.active or isinstance(self.focused, Input):
                return False
            return action != "leave_replay" or self.live is not None
        engine = self.ctx.engine
        if action in ("note", "sessions") and engine is None:
            return False
        if action == "scenario":
            return self.ctx.demo is not None and engine is not None
        if action == "diagnostics":
            return engine is not None and engine.writable
        if action == "open_rollback":
            return bool(self.ctx.session.state.criteria.firing)  # only while a criterion fires
        return True

    def action_help(self) -> None:
        self.show("help")

    def action_timeline(self) -> None:
        self.show("timeline")

    def action_logs(self) -> None:
        self.show("logs")

    def action_sessions(self) -> None:
        self.show("sessions")

    def action_metrics(self) -> None:
        self.show("metrics")

    def action_wizard(self) -> None:
        self.show("wizard")

    def action_open_rollback(self) -> None:
        self.open_runbook("emergency-rollback", via="banner")

    def action_note(self) -> None:
        from omniops_tui.ui.screens.note import NoteDialog

        engine = self.ctx.engine
        if engine is None or not engine.writable:
            return
        runbook_id, section_id = getattr(self.screen, "note_context", lambda: ("", ""))()

        def save(text: str | None) -> None:
            if text:
                engine.add_note(text, runbook_id, section_id)
                self.notify("Note added to the timeline", timeout=2)

        self.push_screen(NoteDialog(runbook_id), save)

    def action_diagnostics(self) -> None:
        engine = self.ctx.engine
        if engine is None or not engine.writable:
            return
        self.notify("Gathering diagnostics (logs, active queries, health, timeline)…", timeout=4)

        async def gather() -> None:
            message = await engine.gather_diagnostics()
            self.notify(message, timeout=10, markup=False)

        self.run_worker(
            gather(), name="diagnostics", group="diagnostics", exclusive=True, exit_on_error=False
        )

    def action_scenario(self) -> None:
        from omniops_tui.ui.screens.demo import ScenarioPicker

        demo, engine = self.ctx.demo, self.ctx.engine
        if demo is None or engine is None:
            return

        def switch(name: str | None) -> None:
            if name:
                engine.switch_scenario(name)
                self.post_update(None)
                self.notify(f"Sandbox scenario: {name}", timeout=4, markup=False)

        self.push_screen(ScenarioPicker(demo.scenario), switch)

    # Replay keys: the replay mode owns them.
    def action_replay_toggle(self) -> None:
        self.replay_mode.toggle()

    def action_replay_seek(self, seconds: float) -> None:
        self.replay_mode.seek_by(seconds)

    def action_replay_marker(self, forward: bool) -> None:
        self.replay_mode.marker(forward)

    def action_replay_speed(self, up: bool) -> None:
        self.replay_mode.faster(up)

    def action_replay_goto(self) -> None:
        self.replay_mode.goto()

    def on_replay_seek(self, message: ReplaySeek) -> None:
        self.replay_mode.seek_fraction(message.fraction)

    def action_leave_replay(self) -> None:
        self.leave_replay()

    def start_replay(self, path: Path) -> None:
        self.replay_mode.open(path)

    def leave_replay(self) -> None:
        self.replay_mode.leave()
