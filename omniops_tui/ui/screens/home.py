"""Home: the runbook overview (what the document's overview table says), and where to start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from omniops_tui.core.text import visible_line
from omniops_tui.ui import home_index
from omniops_tui.ui.context import SessionScreen
from omniops_tui.ui.literal import literal
from omniops_tui.ui.messages import SessionUpdated
from omniops_tui.ui.screens.home_rows import Column, overview_columns, overview_entry, overview_rows
from omniops_tui.ui.widgets.footer import KeyFooter
from omniops_tui.ui.widgets.risk import progress_text, risk_text
from omniops_tui.ui.widgets.status_bar import StatusBar

if TYPE_CHECKING:  # (read after the first frame when home is drawn from its index)
    from omniops_tui.runbooks.model import Runbook, RunbookSet
    from omniops_tui.ui.home_index import Entry, HomeIndex, RowValues

ROWS_AT_ONCE = 150  # overview rows added per frame
TEXT_PAGE = "text:"  # runbooks/text_pages.py's PREFIX (checked equal by the tests)


class OverviewTable(DataTable):
    """The runbook table: `home` / `end` go to the first / last row, as in every list here
    (DataTable's own scroll sideways, which a table cut to the terminal's width never needs)."""

    BINDINGS = [
        Binding("home", "scroll_top", "First", show=False),
        Binding("end", "scroll_bottom", "Last", show=False),
    ]


class HomeScreen(SessionScreen):
    # (its styles, home.tcss, are the App's CSS_PATH: loaded before the first frame, not after)
    BINDINGS = [
        Binding("enter", "open", "Open", id="home.open", show=True),
        Binding("escape", "leave_replay", "Back to my session", id="home.leave_replay", show=False),
    ]
    EXTRA_KEYS = [("1…9", "Open runbook N of the overview")]
    # Keys that open a runbook: what is typed after them is held for it (ui/type_ahead.py).
    OPENS_ON_KEYS = frozenset({"enter", *"123456789"})

    @property
    def runbooks(self) -> RunbookSet:
        return self.session.basis.runbooks

    _detail: Static | None = None  # the details pane's content, once mounted

    def compose(self) -> ComposeResult:
        yield StatusBar(self.ctx)
        # (drawn from its index, home's runbooks are small and not read yet: nothing loading)
        loading = self.runbooks.loading if self._index() is None else None
        if loading is not None and not loading.finished:  # a large file: titles now, the rest soon
            from omniops_tui.ui.widgets.loading_bar import LoadingBar

            yield LoadingBar(loading)
        yield OverviewTable(id="overview", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()  # (the details pane goes between them a frame later: _show_first_details)

    def on_mount(self) -> None:
        self._fill_table()

    def _fill_table(self) -> None:
        table = self.query_one(DataTable)
        table.clear(columns=True)
        self._row_runbooks: dict[str, Runbook] = {}  # (drawn from the model: each row's runbook)
        index = self._index()
        if index is None:
            index = self._index_of_model()
        self._columns = [Column(*column) for column in index.columns]
        for column in self._columns:
            width = self._when_width() if column.key == "when" else column.width
            table.add_column(Text(column.label), key=column.key, width=width)  # no markup to parse
        self._filling = getattr(self, "_filling", 0) + 1
        self._add_rows(index.entries, 0, self._filling)
        table.focus()
        if index.first in table.rows:
            table.move_cursor(row=table.get_row_index(index.first))
        # The table first, the details a frame later: the details' pane and grid are a fifth of
        # drawing home, and the first frame is what start-up is timed by (issue 12).
        self.call_after_refresh(self._show_first_details)

    def _index(self) -> HomeIndex | None:
        """The index home is drawn from while the runbooks are not read yet (a fresh start
        whose runbooks are unchanged since the last one: ui/home_index.py); else None."""
        index = getattr(self.session, "index", None)
        if index is None or getattr(self.session.basis, "runbooks_loaded", True):
            return None
        return index

    def _index_of_model(self) -> HomeIndex:
        """What home shows of the runbooks, from the model; kept for the next start's first
        frame when this is a fresh start (a frame later, off the first one)."""
        runbook_set = self.runbooks
        columns = overview_columns(runbook_set.runbooks)
        rows = overview_rows(runbook_set)
        self._row_runbooks = {row.key: row.runbook for row in rows if row.runbook is not None}
        entries = [overview_entry(row) for row in rows]
        first = runbook_set.runbooks[0].id if runbook_set.runbooks else ""
        index = home_index.HomeIndex([(c.label, c.key, c.width) for c in columns], entries, first)
        keep = getattr(self.session, "keep_index", None)
        if keep is not None and runbook_set.loading is None:
            self.call_after_refresh(keep, index)
        return index

    def _add_rows(self, entries: list[Entry], start: int, filling: int) -> None:
        """Rows `start`… of the overview, a batch per frame: a 50 MB file has thousands of
        runbooks, and measuring them all at once froze the screen for seconds."""
        if filling != self._filling:  # a newer fill (the runbooks changed) replaced the table
            return
        table = self.query_one(DataTable)
        for key, label, values in entries[start : start + ROWS_AT_ONCE]:
            cells: list[Text | str]
            if values is None:
                cells = [Text(visible_line(label), style="bold dim", no_wrap=True, overflow="ellipsis")]
            else:
                cells = [self._cell(column.key, key, label, values) for column in self._columns]
            table.add_row(*cells, *[""] * (len(self._columns) - len(cells)), key=key)
        if start + ROWS_AT_ONCE < len(entries):
            self.call_after_refresh(self._add_rows, entries, start + ROWS_AT_ONCE, filling)

    def _cell(self, column: str, key: str, label: str, values: RowValues) -> Text | str:
        """One cell, cut to one line: the details below show everything in full."""
        duration, risk, level, rollback, when, items = values
        if column == "done":  # (from the index: nothing is done before the session starts)
            runbook = self._row_runbooks.get(key)
            return self._progress(runbook) if runbook is not None else progress_text(0, items)
        if column == "risk":
            return risk_text(risk, level)
        value = {"runbook": label, "duration": duration, "rollback": rollback, "when": when}[column]
        return Text(visible_line(value), no_wrap=True, overflow="ellipsis")

    def _when_width(self) -> int:
        """What is left of the terminal for "When to use"."""
        columns = getattr(self, "_columns", [])
        fixed = sum(c.width + 2 for c in columns if c.key != "when") + 3
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
        if "session_started" in message.kinds and self.is_current:
            self.on_screen_resume()  # the engine came in after home was painted: home is open
        if message.touches("runbooks"):  # a large file finished parsing: its runbooks in full
            self._fill_table()
        elif message.touches("item_checked", "item_unchecked", "check_result"):
            self._refresh_progress()

    def _refresh_progress(self) -> None:
        table = self.query_one(DataTable)
        if "done" not in table.columns or self._index() is not None:
            return  # no runbook here has checklist items, or none is started yet
        with self.app.batch_update():
            for runbook in self.runbooks.runbooks:
                if runbook.id in table.rows:  # (a long overview may still be filling)
                    table.update_cell(runbook.id, "done", self._progress(runbook))

    def _find(self, key: str | None) -> Runbook | None:
        """The runbook, or the page of text outside the runbooks, a row shows (None: a group)."""
        if not key:
            return None
        if not key.startswith(TEXT_PAGE):
            return self.runbooks.get(key)
        from omniops_tui.runbooks.text_pages import text_page

        return text_page(self.runbooks, key)

    def _show_first_details(self) -> None:
        """The details pane under the table (mounted once, a frame after the table), showing
        the row the cursor is on."""
        tables = self.query(OverviewTable)
        if not self.is_attached or not tables:  # left already (a quick quit, a replay's switch)
            return
        table = tables.first()
        if self._detail is None:
            self._detail = Static(id="detail")
            self.mount(VerticalScroll(self._detail, id="details"), after=table)
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value if table.row_count else None
        self._show_details(self._find(key))

    def on_data_table_row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        self._show_details(self._find(message.row_key.value if message.row_key else None))

    def on_data_table_row_selected(self, message: DataTable.RowSelected) -> None:
        self._open(message.row_key.value)

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            self._open(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def _open(self, key: str | None) -> None:
        found = self._find(key)
        if found is not None:
            self.ctx.shell.open_runbook(found.id, via="home")

    def on_key(self, event: events.Key) -> None:
        """Digits open the Nth runbook: the fastest path when you already know which."""
        if event.character and event.character.isdigit() and event.character != "0":
            runbooks = self.runbooks.runbooks
            number = int(event.character)
            if number <= len(runbooks):
                event.stop()
                self.ctx.shell.open_runbook(runbooks[number - 1].id, via="home")

    def _show_details(self, runbook: Runbook | None) -> None:
        detail = self._detail
        if detail is None:  # (a row highlighted before the pane is there: it shows the cursor's)
            return
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
        number = f"{runbook.number}. " if runbook.number else ""
        page = runbook.id.startswith(TEXT_PAGE)
        title = Text(f"{number}{visible_line(runbook.title)}", style="bold")
        grid.add_row("Text" if page else "Runbook", title)
        if page:
            grid.add_row("Sections", Text("\n".join(f"• {visible_line(s.title)}" for s in runbook.sections)))
        elif runbook.when_to_use:
            grid.add_row("When to use", Text("\n".join(f"• {visible_line(w)}" for w in runbook.when_to_use)))
        if runbook.source and len(self.runbooks.sources) > 1:
            grid.add_row("File", Text(runbook.source, style="dim"))
        if meta is not None:
            for label, value in (
                ("Risk", risk_text(meta.risk, runbook.risk_level) if meta.risk else ""),
                ("Rollback", meta.rollback_difficulty),
                ("Best time", meta.best_time),
                ("Team", meta.minimum_team or meta.owner),
            ):
                if value:  # a team's runbook fills few of these: no empty rows
                    grid.add_row(label, literal(value) if isinstance(value, str) else value)
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
