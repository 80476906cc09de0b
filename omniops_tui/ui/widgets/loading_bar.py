"""One line on home while a large runbook file is parsed: how far it is, and what that means.

Home shows a large file's runbooks by title at once (runbooks/skeleton.py); this line says the
rest is loading (`Loading runbooks: 12.3 of 50.0 MB (24 %)`), so a title that does not open
yet is no surprise. It reads the numbers the parsing thread writes, twice a second, and hides
itself as soon as its screen hears that the parse is done. (Not `self.loading`: that is
Textual's own spinner switch.)
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from omniops_tui.runbooks.model import Loading
from omniops_tui.ui.context import SESSION_AWARE, SessionWidget
from omniops_tui.ui.messages import SessionUpdated

TICK_S = 0.5


class LoadingBar(Static, SessionWidget):
    DEFAULT_CSS = """
    LoadingBar {
        height: 1;
        background: $warning-darken-3;
        color: $text;
        padding: 0 1;
    }
    """

    def __init__(self, loading: Loading) -> None:
        super().__init__(id="loading-bar", classes=SESSION_AWARE)
        self._loading = loading

    def session_changed(self, message: SessionUpdated) -> None:
        if message.touches("runbooks"):  # titles or the model arrived: say so now, not next tick
            self.tick()

    def on_mount(self) -> None:
        self.tick()
        self.set_interval(TICK_S, self.tick)

    def tick(self) -> None:
        loading = self._loading
        if loading.finished:
            self.display = False
            return
        mb = 1_000_000
        if not loading.titled:
            text = f"Loading runbooks: reading the titles in {loading.total_bytes / mb:.1f} MB…"
            self.update(Text(text, no_wrap=True, overflow="ellipsis"))
            return
        text = (
            f"Loading runbooks: {loading.done_bytes / mb:.1f} of {loading.total_bytes / mb:.1f} MB "
            f"({loading.fraction:.0%}) · a runbook opens once it is parsed"
        )
        self.update(Text(text, no_wrap=True, overflow="ellipsis"))
