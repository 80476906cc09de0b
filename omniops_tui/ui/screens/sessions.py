"""Recorded sessions, newest first: replay one (enter) or export its post-mortem (e)."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from omniops_tui.core.text import visible_line
from omniops_tui.sessions.catalog import format_duration, list_sessions
from omniops_tui.ui.context import SessionScreen
from omniops_tui.ui.literal import literal
from omniops_tui.ui.widgets.footer import KeyFooter
from omniops_tui.ui.widgets.status_bar import StatusBar


class SessionsScreen(SessionScreen):
    CSS_PATH = "sessions.tcss"
    BINDINGS = [
        Binding(
            "enter",
            "replay",
            "Replay",
            id="sessions.replay",
            tooltip="Replay the highlighted session; ctrl+r (or escape on its overview) comes back here",
        ),
        Binding(
            "e",
            "export",
            "Export post-mortem",
            id="sessions.export",
            tooltip="Write the highlighted session's post-mortem draft (Markdown) beside it",
        ),
        Binding("escape", "back", "Back", id="sessions.back"),
    ]

    def compose(self) -> ComposeResult:
        yield StatusBar(self.ctx, "Sessions")
        yield Static(id="sessions-where")
        yield DataTable(id="sessions-table", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        if self.ctx.engine is not None:
            self.ctx.engine.screen_opened("sessions")
        table = self.query_one(DataTable)
        for label, key, width in (
            ("Started (UTC)", "started", 17),
            ("Events", "events", 7),
            ("Length", "length", 8),
            ("Runbooks · notes", "runbooks", None),
        ):
            table.add_column(label, key=key, width=width)
        folder = self.sessions_dir()
        current = self.ctx.engine.session_path if self.ctx.engine is not None else None
        self.summaries = [s for s in list_sessions(folder) if not s.problem]
        for summary in self.summaries:
            started = summary.started_at.replace("T", " ")[:16]
            label = visible_line(", ".join(summary.runbooks)) or "-"
            if summary.notes:
                label += f" · {summary.notes} note{'s' if summary.notes > 1 else ''}"
            if current is not None and Path(summary.file) == current:
                label += " · (this session)"
            table.add_row(
                literal(started),
                str(summary.events),
                format_duration(summary.duration_s),
                literal(label),
                key=summary.file,
            )
        where = Text(f"{len(self.summaries)} session(s) in {folder}", style="dim")
        self.query_one("#sessions-where", Static).update(where)
        table.focus()
        self._load_replay()

    @work(thread=True, group="preload", exit_on_error=False)
    def _load_replay(self) -> None:
        """The replay's modules load while the engineer picks a session (~0.1 s of imports
        that `enter` would otherwise pay before the replay's first screen)."""
        import omniops_tui.sessions.replay  # noqa: F401

    def sessions_dir(self) -> Path:
        if self.ctx.engine is not None:
            return self.ctx.engine.session_path.parent
        from omniops_tui.config.locations import default_sessions_dir

        return default_sessions_dir()

    def _highlighted(self) -> Path | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return Path(key) if key else None

    def on_data_table_row_selected(self, message: DataTable.RowSelected) -> None:
        self.action_replay()

    def action_replay(self) -> None:
        path = self._highlighted()
        if path is not None:
            self.ctx.shell.start_replay(path)

    def action_export(self) -> None:
        path = self._highlighted()
        if path is not None:
            self.notify(f"Writing the post-mortem draft of {path.name}…", timeout=3, markup=False)
            self._export(path)

    @work(thread=True, group="export", exclusive=True, exit_on_error=False)
    def _export(self, path: Path) -> None:
        """Off the UI loop: a long session takes seconds to render."""
        from omniops_tui.sessions.drafts import write_postmortem_beside

        try:
            out = write_postmortem_beside(path)  # a new name when a draft exists: edits are kept
        except Exception as exc:  # a broken file must not take the app down
            self.app.call_from_thread(self.notify, f"Export failed: {exc}", severity="error", markup=False)
            return
        self.app.call_from_thread(self.notify, f"Post-mortem draft written to {out}", timeout=8, markup=False)

    def action_back(self) -> None:
        self.app.pop_screen()
