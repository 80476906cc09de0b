"""A full disk is never silent in the app (issue 10 §5): the header says NOT RECORDING with the
reason while writing fails, the timeline says since when, and once writing works again the
`record_gap` event is in the live timeline at once. On a real 200 kB tmpfs."""

from __future__ import annotations

from pathlib import Path

from omniops_tui.core.events import LogLines
from omniops_tui.options import Options
from omniops_tui.ui.factory import build_app
from omniops_tui.ui.screens.timeline import TimelineScreen
from tests.sessions.test_full_disk import FLOOD_LINE
from tests.ui.conftest import wait_for, widget_text


async def test_a_full_disk_shows_not_recording_then_the_gap(small_disk: Path) -> None:
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * 60_000)  # what the engineer deletes to make room
    options = Options(sessions_dir=small_disk / "sessions", read_only=False)
    app = build_app(options, session_id="gap")
    async with app.run_test(size=(80, 24)) as pilot:
        live = app.live
        assert live is not None

        def status() -> str:
            return widget_text(app.screen.query_one("#status-line"))

        assert "● rec gap.jsonl" in status()
        for _ in range(100):  # ~4 kB a batch: far more than the disk holds
            live.record(LogLines(source_id="prod-1:error.log", host="prod-1", lines=[FLOOD_LINE] * 20))
            if live.recorder.recording_problem is not None:
                break
        await wait_for(pilot, lambda: "NOT RECORDING: No space left on device" in status())
        assert "● rec" not in status()

        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen))
        table = app.screen.query_one("#timeline-table")
        assert "NOT RECORDING since then: No space left on device" in widget_text(table)
        await pilot.press("escape")

        filler.unlink()  # room again: the next event writes what was held, then the gap
        live.add_note("made room on the bastion")
        await wait_for(pilot, lambda: "● rec gap.jsonl" in status())
        assert [e.type for e in live.state.milestones][-2:] == ["record_gap", "note_added"]
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen))
        text = widget_text(app.screen.query_one("#timeline-table"))
        assert "⚠ The record has a gap from" in text and "NOT RECORDING" not in text
