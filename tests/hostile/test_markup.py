"""Untrusted text is never markup (issue 10 §2), in the real App against the `hostile` sandbox:
a note, check evidence, log lines and a team's runbook text holding `[/x]`, `[bold red]`,
`[@click=app.quit]` and `[link=file:///etc/passwd]` are shown literally. The original crash
(a note `500s on [/api/health] after deploy`, then `t`: MarkupError, exit 1) is among them."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import DataTable

from omniops_tui.options import Options
from omniops_tui.sandbox import Sandbox
from omniops_tui.sandbox.hostile import MARKUP
from omniops_tui.ui.app import OmniOpsApp
from omniops_tui.ui.factory import build_app
from omniops_tui.ui.screens.logs import LogsScreen
from omniops_tui.ui.screens.runbook import RunbookScreen
from omniops_tui.ui.screens.sessions import SessionsScreen
from omniops_tui.ui.screens.timeline import TimelineScreen
from omniops_tui.ui.widgets.log_pane import LogView
from omniops_tui.ui.widgets.runbook_rows import ChecklistItemRow
from tests.ui.conftest import wait_for, widget_text

NOTE = "500s on [/api/health] after deploy [bold red]x [@click=app.quit]y [link=file:///etc/passwd]z"
TEAM_RUNBOOK = """\
# Team runbooks

## 1. Markup [bold red]drill[/x]

### Metadata
- **Estimated Duration**: [/x] 1 hour
- **Risk Level**: [bold red]Low
- **Rollback Difficulty**: Easy [/]
- **Best Time**: [@click=app.quit]now
- **Minimum Team Size**: [link=file:///etc/passwd]1

### Checklist

- [ ] Press [@click=app.quit]here[/] then open [link=file:///etc/passwd]this[/link]
"""


def _evidence(app: OmniOpsApp) -> str:
    """A failed check's summary (a timeline milestone) carrying the hostile health body's
    markup, once one has arrived."""
    summaries = (getattr(event, "summary", "") for event in app.ctx.session.state.milestones)
    return next((summary for summary in summaries if "[/db/primary]" in summary), "")


async def test_notes_evidence_and_log_lines_are_shown_literally(
    hostile_sandbox: tuple[Sandbox, Path], tmp_path: Path
) -> None:
    _sandbox, config = hostile_sandbox
    app = build_app(Options(config=config, sessions_dir=tmp_path / "sessions", read_only=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1")  # Standard Release: its checks run, the hostile answers arrive
        await wait_for(pilot, lambda: bool(_evidence(app)), timeout=60)
        await pilot.press("n", *NOTE, "enter")
        await wait_for(pilot, lambda: [note.text for note in app.ctx.session.state.notes] == [NOTE])
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen))
        await pilot.pause()
        shown = widget_text(app.screen.query_one("#timeline-table"), width=400)
        assert NOTE in shown and "[/db/primary]" in shown and app.is_running
        await pilot.press("escape", "escape", "l")
        await wait_for(pilot, lambda: isinstance(app.screen, LogsScreen))
        log_view = app.screen.query_one(LogView)
        await wait_for(pilot, lambda: any(MARKUP[2] in line for line in log_view.lines), timeout=60)
        line = next(line for line in log_view.lines if MARKUP[2] in line)
        assert all(markup in line for markup in MARKUP[:4]), line  # the text itself, nothing taken
        rendered = log_view.render_line(0)  # drawing a line of it does not interpret it either
        assert rendered.cell_length > 0
        assert app.is_running
        await pilot.press("ctrl+q")


def _teammates_session(sessions: Path) -> None:
    """A session file from elsewhere whose runbook id is markup (the sessions screen lists it)."""
    sessions.mkdir()
    header = {"format": "omniops-tui-session", "version": 1, "session_id": "theirs", "runbook_source": []}
    event = {"seq": 1, "t": 1.0, "at": "", "type": "runbook_started", "runbook_id": "rb[/x][@click=app.quit]"}
    (sessions / "theirs.jsonl").write_text(json.dumps(header) + "\n" + json.dumps(event) + "\n")


async def test_a_team_runbooks_text_and_a_teammates_session_are_shown_literally(tmp_path: Path) -> None:
    folder = tmp_path / "team"
    folder.mkdir()
    (folder / "runbooks.md").write_text(TEAM_RUNBOOK, encoding="utf-8")
    _teammates_session(tmp_path / "sessions")
    app = build_app(Options(runbooks=folder, sessions_dir=tmp_path / "sessions", read_only=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()  # the overview and its details panel are drawn
        shown = widget_text(app.screen.query_one("#detail"), width=400)
        assert "[@click=app.quit]now" in shown and "[link=file:///etc/passwd]1" in shown
        await pilot.press("1")
        await wait_for(pilot, lambda: isinstance(app.screen, RunbookScreen))
        await pilot.press("2", "right")  # the Checklist section
        await pilot.pause()
        assert isinstance(app.screen, RunbookScreen)
        (row,) = app.screen.current_view().query(ChecklistItemRow)
        text = widget_text(row.query_one(".item-text"), width=400)
        assert "[@click=app.quit]here[/]" in text and "[link=file:///etc/passwd]this[/link]" in text
        assert "Markup [bold red]drill[/x]" in widget_text(app.screen.query_one("#status-line"), width=400)
        await pilot.press("enter", "space")  # activating the row never runs a click action
        await pilot.pause()
        assert app.is_running
        await pilot.press("escape", "escape", "s")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionsScreen))
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        cells = [str(cell) for row in range(table.row_count) for cell in table.get_row_at(row)]
        assert any("rb[/x][@click=app.quit]" in cell for cell in cells), cells
        assert app.is_running
