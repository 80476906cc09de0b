"""A full disk never corrupts the record (issue 10 §5), on a real 200 kB tmpfs with a log flood:
no half line stays behind, the problem is visible, events are held then dropped and counted,
a gap event is written once space is back, and export, replay and --resume accept the file.
(`small_disk`, the tmpfs, is in tests/conftest.py; the header's NOT RECORDING is in
tests/ui/test_not_recording.py.)"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from omniops_tui.cli import cli
from omniops_tui.core.errors import UserError
from omniops_tui.core.events import LogLines, NoteAdded, RecordGap
from omniops_tui.live.setup import load_setup, open_session
from omniops_tui.options import Options
from omniops_tui.sessions.player import Timeline
from omniops_tui.sessions.reader import read_session
from omniops_tui.sessions.recorder import SessionRecorder

FLOOD_LINE = "2025-03-14 03:12:05 ERROR [api] upstream timed out " + "x" * 150


def _flood(recorder: SessionRecorder, batches: int) -> None:
    for _ in range(batches):
        recorder.record(LogLines(source_id="prod-1:error.log", host="prod-1", lines=[FLOOD_LINE] * 20))


def test_a_log_flood_on_a_full_disk_leaves_a_whole_record_with_a_gap(small_disk: Path) -> None:
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * 60_000)  # what the engineer will delete to make room
    recorder = SessionRecorder.create(small_disk / "sessions", ["bundled"])
    recorder.max_held_bytes = 40_000
    recorder.record(NoteAdded(text="before the flood"))
    _flood(recorder, 60)  # ~4 kB each: far more than the disk holds

    assert recorder.recording_problem == "No space left on device"
    assert recorder.held_events > 0 and recorder.lost_events > 0
    on_disk = recorder.path.read_bytes()
    assert on_disk.endswith(b"\n")  # cut back to the last complete line
    before = read_session(recorder.path)
    assert before.notices == [] and not before.truncated_tail

    note = recorder.record(NoteAdded(text="still full"))  # held or lost, never raised
    assert recorder.recording_problem is not None
    held, lost = recorder.held_events, recorder.lost_events
    filler.unlink()  # room again
    recorder.record(NoteAdded(text="after the flood"))
    assert recorder.recording_problem is None and recorder.held_events == 0
    recorder.close()

    session = read_session(recorder.path)
    assert session.notices == [] and not session.suspect
    seqs = [e.seq for e in session.events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    (gap,) = [e for e in session.events if isinstance(e, RecordGap)]
    assert gap.reason == "No space left on device"
    assert gap.lost == lost and gap.delayed == held
    assert gap.lost_to_seq - gap.lost_from_seq + 1 == lost
    assert gap.lost_from_t <= gap.lost_to_t and gap.since_t <= gap.lost_from_t
    assert not set(range(gap.lost_from_seq, gap.lost_to_seq + 1)) & set(seqs)  # lost, not doubled
    assert note.seq in range(gap.lost_from_seq, gap.lost_to_seq + 1)
    texts = [e.text for e in session.events if isinstance(e, NoteAdded)]
    assert texts == ["before the flood", "after the flood"]
    assert session.events[-1].text == "after the flood"  # type: ignore[attr-defined]
    assert session.events[-2] is gap

    # export, replay and --resume accept the result
    result = CliRunner().invoke(cli, ["sessions", "export", str(recorder.path), "--format", "json"])
    assert result.exit_code == 0, result.output
    # ... and say so: the gap is in the post-mortem, its timeline and replay's markers (§5)
    md = CliRunner().invoke(cli, ["sessions", "export", str(recorder.path), "--format", "md"]).output
    assert f"[#{gap.seq}]: writing failed (No space left on device)" in md.split("## Record gaps")[1]
    assert f"{lost} event(s) were lost (#{gap.lost_from_seq} to #{gap.lost_to_seq})" in md
    assert "⚠ The record has a gap from" in md.split("## Full timeline")[1]
    assert "TODO: events were lost in a record gap" in md
    assert "record_gap" in [m.kind for m in Timeline.open(recorder.path).markers]
    assert Timeline.open(recorder.path).final_state().events_applied == len(session.events)
    _resume_and_append(recorder.path)
    assert read_session(recorder.path).events[-1].type == "session_ended"


def _resume_and_append(path: Path) -> None:
    """What `omniops-tui --resume FILE` does before the screens start."""
    setup = load_setup(Options(sessions_dir=path.parent))
    recorder, _state = open_session(setup, resume=path)
    recorder.end("quit")


def test_a_disk_full_from_the_start_is_one_line(small_disk: Path) -> None:
    sessions = small_disk / "sessions"
    sessions.mkdir()
    with contextlib.suppress(OSError):
        (small_disk / "filler").write_bytes(b"\0" * 400_000)
    with pytest.raises(UserError) as refused:
        SessionRecorder.create(sessions, ["bundled"])
    assert "cannot write the session (No space left on device)" in str(refused.value)
    assert list(sessions.glob("*.jsonl")) == []


def test_held_events_are_written_at_close_when_space_is_back(small_disk: Path) -> None:
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * 60_000)
    recorder = SessionRecorder.create(small_disk / "sessions", ["bundled"])
    _flood(recorder, 40)
    assert recorder.recording_problem is not None and recorder.lost_events == 0
    held = recorder.held_events
    filler.unlink()
    assert recorder.retry() is True  # the engine's timer: no new event needed
    recorder.end("quit")
    session = read_session(recorder.path)
    assert [e.type for e in session.events][-2:] == ["record_gap", "session_ended"]
    assert session.events[-2].delayed == held and session.events[-2].lost == 0  # type: ignore[attr-defined]
