"""The session record: header, stamped events flushed at once, tolerant reading, resume."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from omniops_tui.core.errors import UserError
from omniops_tui.core.events import ItemChecked, NoteAdded, SessionStarted
from omniops_tui.sessions.catalog import list_sessions
from omniops_tui.sessions.reader import read_session
from omniops_tui.sessions.recorder import SessionRecorder
from omniops_tui.sessions.state import SessionState


def _record_some(sessions_dir: Path) -> SessionRecorder:
    recorder = SessionRecorder.create(sessions_dir, ["bundled"])
    recorder.record(SessionStarted(tool_version="t"))
    recorder.record(ItemChecked(runbook_id="hotfix", item_id="hotfix/a", text="A"))
    recorder.record(NoteAdded(text="rolled back at 03:12", runbook_id="hotfix"))
    return recorder


def test_header_and_events_are_on_disk_before_close(sessions_dir: Path) -> None:
    recorder = _record_some(sessions_dir)
    lines = recorder.path.read_text().splitlines()  # not closed yet: nothing is buffered
    header = json.loads(lines[0])
    assert header["format"] == "omniops-tui-session" and header["version"] == 1
    assert {"tool_version", "started_at", "user", "host", "runbook_source"} <= header.keys()
    events = [json.loads(line) for line in lines[1:]]
    assert [e["type"] for e in events] == ["session_started", "item_checked", "note_added"]
    assert [e["seq"] for e in events] == [1, 2, 3]
    assert all(e["at"].endswith("Z") for e in events)
    assert events[0]["t"] <= events[1]["t"] <= events[2]["t"]
    recorder.close()


def test_state_is_derived_from_events(sessions_dir: Path) -> None:
    recorder = _record_some(sessions_dir)
    recorder.close()
    state = SessionState()
    for event in read_session(recorder.path).events:
        state.apply(event)
    assert state.is_done("hotfix/a")
    assert [n.text for n in state.notes] == ["rolled back at 03:12"]


def test_truncated_last_line_is_ignored_with_a_notice(sessions_dir: Path) -> None:
    recorder = _record_some(sessions_dir)
    recorder.close()
    with open(recorder.path, "ab") as handle:
        handle.write(b'{"seq":4,"t":1.0,"type":"note_ad')
    session = read_session(recorder.path)
    assert session.truncated_tail
    assert len(session.events) == 3
    assert "incomplete" in session.notices[0]


def test_unknown_types_are_counted_and_corrupt_lines_named(sessions_dir: Path) -> None:
    recorder = _record_some(sessions_dir)
    recorder.close()
    with open(recorder.path, "a") as handle:
        handle.write('{"seq":4,"t":1.0,"at":"","type":"hologram_projected"}\n')
    session = read_session(recorder.path)
    assert session.unknown_types == {"hologram_projected": 1}
    with open(recorder.path, "a") as handle:
        handle.write("not json\n")
        handle.write('{"seq":6,"t":1.0,"at":"","type":"note_added","text":"x"}\n')
    session = read_session(recorder.path)
    assert any(":6: corrupt session line (Expecting value); skipped it" in n for n in session.notices)
    assert session.events[-1].text == "x"  # type: ignore[attr-defined]


def test_other_format_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.jsonl"
    path.write_text('{"format":"omniops-tui-session","version":99}\n')
    with pytest.raises(UserError, match="version 99 is not supported"):
        read_session(path)
    path.write_text("hello\n")
    with pytest.raises(UserError, match="not an omniops-tui session"):
        read_session(path)
    with pytest.raises(UserError, match="is a folder"):
        read_session(tmp_path)


def test_resume_appends_with_continuing_sequence(sessions_dir: Path) -> None:
    recorder = _record_some(sessions_dir)
    recorder.close()
    with open(recorder.path, "ab") as handle:
        handle.write(b'{"seq":4,"t":1.0,"type":"note_ad')
    session = read_session(recorder.path)
    resumed = SessionRecorder.resume(
        recorder.path,
        session.header,
        last_seq=session.last_seq,
        last_offset=session.last_offset,
        truncated_tail=True,
    )
    resumed.record(NoteAdded(text="back"))
    resumed.close()
    again = read_session(recorder.path)
    assert not again.truncated_tail
    assert [e.seq for e in again.events] == [1, 2, 3, 4]
    assert again.events[-1].t >= again.events[-2].t


def test_sessions_list_newest_first(sessions_dir: Path) -> None:
    first = _record_some(sessions_dir)
    first.close()
    (sessions_dir / "broken.jsonl").write_text("nope\n")
    summaries = list_sessions(sessions_dir)
    ok = [s for s in summaries if not s.problem]
    assert ok[0].events == 3 and ok[0].notes == 1
    assert any("not an omniops-tui session" in s.problem for s in summaries)


def test_an_item_checked_on_several_hosts_shows_the_worst() -> None:
    from omniops_tui.core.events import CheckResultEvent

    state = SessionState()
    item = "standard-release/verification-checklist/cpu-usage-70"
    state.apply(
        CheckResultEvent(check_id="host-cpu@prod-1", status="pass", summary="CPU 35 %", item_ids=[item])
    )
    state.apply(
        CheckResultEvent(check_id="host-cpu@prod-2", status="fail", summary="CPU 91 %", item_ids=[item])
    )
    state.apply(
        CheckResultEvent(check_id="host-cpu@prod-1", status="pass", summary="CPU 36 %", item_ids=[item])
    )
    assert state.items[item].check_status == "fail"
    assert state.items[item].check_summary == "prod-2: CPU 91 %"
    assert not state.is_done(item)
    copy = state.snapshot()
    state.apply(
        CheckResultEvent(check_id="host-cpu@prod-2", status="pass", summary="CPU 40 %", item_ids=[item])
    )
    assert state.is_done(item) and not copy.is_done(item)
