"""The session so far: notes and the decisive events, newest last, with their times."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from omniops_tui.core.text import visible
from omniops_tui.sessions.describe import describe
from omniops_tui.ui.context import ScreenContext
from omniops_tui.ui.messages import SessionUpdated


class TimelineScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    TimelineScreen {
        align: center middle;
    }
    TimelineScreen > VerticalScroll {
        width: 95%;
        height: 90%;
        border: thick $accent;
        background: $surface;
        padding: 0 1;
    }
    """
    BINDINGS = [Binding("escape,t,q", "dismiss", "Close", id="timeline.close")]

    def __init__(self, ctx: ScreenContext) -> None:
        super().__init__()
        self.ctx = ctx

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(id="timeline-table")

    def on_mount(self) -> None:
        self._redraw()
        self.query_one(VerticalScroll).scroll_end(animate=False)

    def on_session_updated(self, message: SessionUpdated) -> None:
        self._redraw()

    def _redraw(self) -> None:
        table = Table(box=None, expand=True, show_header=False, padding=(0, 1))
        table.add_column("time", style="dim", no_wrap=True, width=8)
        table.add_column("what")
        entries = self.ctx.session.state.milestones
        if not entries:
            table.add_row(
                "",
                Text(
                    "Nothing yet. n adds a note; ticks, wizard answers and "
                    "check failures appear here as they happen.",
                    style="dim",
                ),
            )
        for event in entries:
            stamp = event.at[11:19] if event.at else f"+{event.t:.0f}s"
            table.add_row(stamp, Text(visible(describe(event))))
        recorder = self.ctx.engine.recorder if self.ctx.engine is not None else None
        if recorder is not None and recorder.recording_problem is not None:  # the hole, as it happens
            since = recorder.problem_since
            table.add_row(
                f"+{since:.0f}s" if since is not None else "",
                Text(
                    f"⚠ NOT RECORDING since then: {visible(recorder.recording_problem)}; events are held "
                    "and written with a gap note once writing works again",
                    style="bold red",
                ),
            )
        table.add_row("", Text("escape closes · n adds a note", style="dim"))
        self.query_one("#timeline-table", Static).update(table)

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
