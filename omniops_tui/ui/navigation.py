"""Opening screens for the session on show (the live one, or a replay in its own mode).

A mixin of the App: the only place that pushes and pops the main screens, so every path (a key,
the palette, the wizard's recommendation, the rollback banner, a replay following the engineer)
opens a runbook the same way: its start recorded once, its checks focused, back to the section
the engineer last read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import App

from omniops_tui.ui.context import SessionScreen

if TYPE_CHECKING:
    from omniops_tui.live.base import Service
    from omniops_tui.ui.context import ScreenContext

SCREENS_BY_NAME = ("home", "wizard", "metrics", "logs", "sessions", "timeline", "help")
# Kept once built (installed in the App), for the live session: opening one again resumes it.
# Composing the metrics screen (its tables, the host list) on every `m` cost the key ~100 ms of
# CPU, ~300 ms on a loaded machine; `prepare` builds it ahead while the first screen idles.
KEPT = frozenset({"metrics"})


class Navigator:
    """open_runbook and show(name) for the App (`self` is the App)."""

    ctx: ScreenContext

    def run_service(self, service: Service) -> None: ...

    def open_runbook(self, runbook_id: str, *, via: str, section_id: str = "") -> None:
        from omniops_tui.runbooks.text_pages import text_page  # (not before the first frame)
        from omniops_tui.ui.screens.runbook import RunbookScreen

        app = self._app
        ctx = self.ctx
        runbooks = ctx.session.basis.runbooks
        # A page of the text outside the runbooks (an appendix…) opens on the same screen.
        runbook = runbooks.get(runbook_id) or text_page(runbooks, runbook_id)
        if runbook is None:
            app.notify(f"No runbook '{runbook_id}' in the loaded runbooks", severity="error", markup=False)
            return
        if runbooks.loading is not None and runbooks.loading.is_stub(runbook):  # a large file, parsing
            from omniops_tui.ui.runbook_loading import wait_for

            wait_for(self._app, runbooks.loading, runbook)
            return
        if ctx.engine is not None and ctx.writable:
            ctx.engine.open_runbook(runbook.id, via=via)
        section_id = section_id or ctx.session.state.last_section.get(runbook.id, "")
        existing = next(
            (s for s in app.screen_stack if isinstance(s, RunbookScreen) and s.runbook.id == runbook.id), None
        )
        if existing is not None:
            while app.screen is not existing:
                app.pop_screen()
            if section_id:
                existing.show_section(section_id)
            return
        app.push_screen(RunbookScreen(ctx, runbook, section_id=section_id))

    def show(self, name: str) -> None:
        """Bring a main screen up (from anywhere): home, wizard, metrics, logs, sessions, …"""
        from omniops_tui.ui.screens.help import HelpScreen
        from omniops_tui.ui.screens.home import HomeScreen
        from omniops_tui.ui.screens.metrics import MetricsScreen
        from omniops_tui.ui.screens.sessions import SessionsScreen
        from omniops_tui.ui.screens.timeline import TimelineScreen
        from omniops_tui.ui.screens.wizard import WizardScreen

        app = self._app
        if name == "home":
            while len(app.screen_stack) > 1 and not isinstance(app.screen, HomeScreen):
                app.pop_screen()
            return
        if name == "help":
            if not isinstance(app.screen, HelpScreen):
                app.push_screen(HelpScreen(app.screen))
            return
        if name == "timeline":
            if not isinstance(app.screen, TimelineScreen):
                app.push_screen(TimelineScreen(self.ctx))
            return
        if name == "logs":
            from omniops_tui.ui.screens.logs import show_logs

            engine = self.ctx.engine
            service = engine.start_logs() if engine is not None else None
            if service is not None:
                self.run_service(service)
            show_logs(app, self.ctx)
            return
        kinds: dict[str, type[SessionScreen]] = {
            "wizard": WizardScreen,
            "metrics": MetricsScreen,
            "sessions": SessionsScreen,
        }
        kind = kinds[name]
        if isinstance(app.screen, kind):
            return
        existing = next((s for s in app.screen_stack if isinstance(s, kind)), None)
        if existing is not None:
            while app.screen is not existing:
                app.pop_screen()
            return
        app.push_screen(self._screen(name, kind))

    def _screen(self, name: str, kind: type[SessionScreen]) -> SessionScreen:
        """A new screen, or for a kept one of the live session the one built before."""
        if name not in KEPT or self.ctx.engine is None:  # a replay's screens come and go with it
            return kind(self.ctx)
        app, key = self._app, f"kept-{name}"
        if app.is_screen_installed(key):
            kept = app.get_screen(key)
            if isinstance(kept, kind) and kept.ctx is self.ctx:
                return kept
        screen = kind(self.ctx)
        app.install_screen(screen, key)
        return screen

    def prepare(self, name: str) -> None:
        """Build a kept screen now, off the screen stack (composed and mounted, not shown):
        its first opening then costs what a later one does."""
        if name not in KEPT or self.ctx.engine is None:
            return
        from omniops_tui.ui.screens.metrics import MetricsScreen

        app = self._app
        screen = self._screen(name, MetricsScreen)
        if not screen.is_running:
            app._load_screen_css(screen)  # Textual's own first step of a push (the styles are warm)
            app._get_screen(screen)  # registered: composed and mounted, as a push does first

    @property
    def _app(self) -> App[None]:
        assert isinstance(self, App)
        return self
