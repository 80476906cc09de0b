"""Home: the runbook overview (what the document's overview table says), and where to start."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Static

from omniops_tui.core.text import visible_line
from omniops_tui.runbooks.model import Runbook, RunbookSet
from omniops_tui.ui.context import SessionScreen
from omniops_tui.ui.literal import literal, literal_block
from omniops_tui.ui.messages import SessionUpdated
from omniops_tui.ui.widgets.risk import progress_text, risk_text
from omniops_tui.ui.widgets.status_bar import StatusBar


class HomeScreen(SessionScreen):
    CSS_PATH = "home.tcss"
    BINDINGS = [
        Binding("enter", "open", "Open", id="home.open", show=True),
        Binding("escape", "leave_replay", "Back to my session", id="home.leave_replay", show=False),
    ]
    EXTRA_KEYS = [("1…9", "Open runbook N of the overview")]

    @property
    def runbooks(self) -> RunbookSet:
        return self.session.basis.runbooks

    def compose(self) -> ComposeResult:
        yield StatusBar(self.ctx)
        yield DataTable(id="overview", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="details"):
            yield Static(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, key, width in (
            ("Runbook", "runbook", 18),
            ("Duration", "duration", 10),
            ("Risk", "risk", 8),
            ("Rollback", "rollback", 8),
            ("Done", "done", 5),
            ("When to use", "when", self._when_width()),
        ):
            table.add_column(label, key=key, width=width)
        for runbook in self.runbooks.runbooks:
            table.add_row(
                literal(runbook.overview.get("name") or runbook.title),
                literal(runbook.duration),
                risk_text(runbook.risk.split(" (")[0], runbook.risk_level),
                literal(runbook.rollback_difficulty.split(" (")[0]),
                self._progress(runbook),
                literal(runbook.when_to_use_summary),
                key=runbook.id,
                height=None,
            )
        table.focus()
        self._show_details(self.runbooks.runbooks[0] if self.runbooks.runbooks else None)

    def _when_width(self) -> int:
        """What is left of the terminal for "When to use" (it wraps rather than being cut)."""
        fixed = 18 + 10 + 8 + 8 + 5 + 2 * 6 + 1
        return max(14, self.app.size.width - fixed)

    def on_resize(self) -> None:
        table = self.query_one(DataTable)
        column = table.columns.get("when")  # type: ignore[call-overload]
        if column is not None and column.width != self._when_width():
            column.width = self._when_width()
            table.refresh(layout=True)

    def on_screen_resume(self) -> None:
        if self.ctx.engine is not None:
            self.ctx.engine.screen_opened("home")
            self.ctx.engine.leave_runbook()
        self._refresh_progress()

    def _progress(self, runbook: Runbook) -> Text:
        ids = [item.id for item in runbook.checklist_items()]
        return progress_text(*self.session.state.progress(ids))

    def session_changed(self, message: SessionUpdated) -> None:
        if message.touches("item_checked", "item_unchecked", "check_result"):
            self._refresh_progress()

    def _refresh_progress(self) -> None:
        table = self.query_one(DataTable)
        with self.app.batch_update():
            for runbook in self.runbooks.runbooks:
                table.update_cell(runbook.id, "done", self._progress(runbook))

    def on_data_table_row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        key = message.row_key.value if message.row_key else None
        self._show_details(self.runbooks.get(key) if key else None)

    def on_data_table_row_selected(self, message: DataTable.RowSelected) -> None:
        if message.row_key.value:
            self.ctx.shell.open_runbook(message.row_key.value, via="home")

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            if key:
                self.ctx.shell.open_runbook(key, via="home")

    def on_key(self, event: events.Key) -> None:
        """Digits open the Nth runbook: the fastest path when you already know which."""
        if event.character and event.character.isdigit() and event.character != "0":
            runbooks = self.runbooks.runbooks
            number = int(event.character)
            if number <= len(runbooks):
                event.stop()
                self.ctx.shell.open_runbook(runbooks[number - 1].id, via="home")

    def _show_details(self, runbook: Runbook | None) -> None:
        detail = self.query_one("#detail", Static)
        if runbook is None:
            detail.update("")
            return
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        demo = self.ctx.demo
        if demo is not None:
            status = demo.status
            for ok, line in (
                (True, "Sandbox: HTTP app and SSH hosts on loopback · S switches scenario"),
                (status.database_ok, status.database),
                (status.redis_ok, status.redis),
                (status.s3_ok, status.s3),
                (status.prometheus_ok, status.prometheus),
            ):
                if not line:  # the demo was started without Prometheus on purpose
                    continue
                grid.add_row(
                    "Demo" if line.startswith("Sandbox") else "",
                    Text(line, style="green" if ok else "yellow"),
                )
        meta = runbook.metadata
        grid.add_row("Runbook", literal(f"{runbook.number}. {runbook.title}", style="bold"))
        grid.add_row(
            "When to use", literal_block("\n".join(f"• {visible_line(w)}" for w in runbook.when_to_use))
        )
        if meta is not None:
            grid.add_row("Risk", risk_text(meta.risk, runbook.risk_level))
            grid.add_row("Rollback", literal(meta.rollback_difficulty))
            grid.add_row("Best time", literal(meta.best_time))
            grid.add_row("Team", literal(meta.minimum_team))
        done, total = self.session.state.progress([i.id for i in runbook.checklist_items()])
        grid.add_row("Checklists", f"{done}/{total} items done" if total else "no checklist items")
        grid.add_row("", Text("enter open · w which runbook? · ctrl+p jump anywhere · ? keys", style="dim"))
        detail.update(grid)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "leave_replay":
            return self.ctx.replay is not None
        return True

    def action_leave_replay(self) -> None:
        self.ctx.shell.leave_replay()
