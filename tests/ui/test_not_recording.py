"""A full disk is visible and survivable in the TUI (issue 10 §5): with the sessions folder on a
real tmpfs that fills up, the header says NOT RECORDING and why, what was already recorded stays
whole, and once space is back the engine's retry writes the held events and the gap by itself,
without waiting for the engineer's next key."""

from __future__ import annotations

from pathlib import Path

import pytest

from omniops_tui.core.events import LogLines, NoteAdded, RecordGap
from omniops_tui.live import recording_watch as session_module
from omniops_tui.options import Options
from omniops_tui.sessions.reader import read_session
from omniops_tui.ui.app import OmniOpsApp
from omniops_tui.ui.factory import build_app
from tests.disk import fill
from tests.ui.conftest import wait_for, widget_text


def _header(app: OmniOpsApp) -> str:
    return widget_text(app.screen.query_one("#status-line"))


async def test_a_full_disk_says_not_recording_then_records_the_gap_once_space_is_back(
    small_disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(session_module, "RECORD_RETRY_S", 0.1)
    app = build_app(Options(sessions_dir=small_disk / "sessions", read_only=False), session_id="full-disk")
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.live is not None
        path = Path(app.live.recorder.path)
        await pilot.press("2")  # a runbook opens: recorded while there is room
        await wait_for(pilot, lambda: "● rec full-disk.jsonl" in _header(app))
        before = path.read_bytes()
        filler = fill(small_disk)
        flood = 0
        while app.live.recording_problem is None:  # a log flood uses the slack of the file's last page
            app.live.record(
                LogLines(source_id="prod-1:error.log", host="prod-1", lines=["ERROR " + "x" * 60])
            )
            flood += 1
            assert flood < 100, "the record kept growing on a full disk"
        await pilot.press("n", *"disk full at [bold]03:12", "enter")  # held while full
        await wait_for(pilot, lambda: "NOT RECORDING: No space left on device" in _header(app))
        assert "● rec" not in _header(app)
        held = path.read_bytes()
        assert held.startswith(before) and held.endswith(b"\n")  # no half line; nothing lost
        assert any("NOT RECORDING" in shown for shown in app.messages_shown)
        await pilot.press("escape")  # back to the home screen: its header says it too
        await wait_for(pilot, lambda: "NOT RECORDING" in _header(app))

        filler.unlink()  # the engineer makes room; no key is pressed after this
        await wait_for(pilot, lambda: "● rec full-disk.jsonl" in _header(app))
        assert "NOT RECORDING" not in _header(app)
        await pilot.press("ctrl+q")

    written = path.read_bytes()
    assert written.startswith(before)
    session = read_session(path)
    assert session.notices == [] and not session.suspect
    seqs = [event.seq for event in session.events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    (gap,) = [event for event in session.events if isinstance(event, RecordGap)]
    assert gap.reason == "No space left on device" and gap.delayed >= 1 and gap.lost == 0
    (note,) = [event for event in session.events if isinstance(event, NoteAdded)]
    assert note.text == "disk full at [bold]03:12" and note.seq < gap.seq
    assert session.events[-1].type == "session_ended"
