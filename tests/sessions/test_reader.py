"""A reader you can trust: the tolerant cases through the fast path, and SIGKILL mid-recording."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from omniops_tui.core.errors import UserError
from omniops_tui.core.events import EVENT_TYPES, LogLines, NoteAdded, UnknownEvent, from_record, to_record
from omniops_tui.sessions.player import Timeline
from omniops_tui.sessions.reader import read_session
from tests.sessions.conftest import Recorded

REPO = Path(__file__).resolve().parents[2]


def test_the_fast_path_reads_exactly_what_was_recorded(incident: Recorded) -> None:
    session = read_session(incident.path)
    assert session.events == incident.events
    assert not session.notices and not session.truncated_tail


def test_from_record_fast_path_matches_the_constructor() -> None:
    for name, cls in EVENT_TYPES.items():
        full = to_record(cls(seq=3, t=1.5, at="2025-03-14T03:00:00.000Z"))
        assert from_record(full) == cls(seq=3, t=1.5, at="2025-03-14T03:00:00.000Z"), name
        sparse = from_record({"type": name, "seq": 4, "from_the_future": 1})
        assert sparse == cls(seq=4), name
        assert not hasattr(sparse, "from_the_future")
    record = {"type": "log_lines", "seq": 1, "lines": ["a"]}
    event = from_record(record)
    assert record == {"type": "log_lines", "seq": 1, "lines": ["a"]}  # not consumed by default
    other = from_record({"type": "log_lines"})
    assert isinstance(event, LogLines) and other.lines == [] and other.lines is not LogLines().lines


def test_truncated_last_line_is_a_notice(incident: Recorded) -> None:
    with open(incident.path, "ab") as handle:
        handle.write(b'{"seq":40,"t":1601.0,"at":"2025-03-14T03:26:41.000Z","type":"note_ad')
    session = read_session(incident.path)
    assert session.truncated_tail and len(session.events) == len(incident.events)
    assert session.notices == [
        f"{incident.path}:{len(incident.events) + 2}: last line is incomplete "
        "(the recording was cut off); ignored it"
    ]
    assert Timeline(session).final_state().events_applied == len(incident.events)


def test_a_cut_multibyte_character_in_the_last_line_is_a_notice(incident: Recorded) -> None:
    line = json.dumps(
        {"seq": 40, "t": 1601.0, "at": "", "type": "note_added", "text": "rollback ✓"}, ensure_ascii=False
    ).encode()
    with open(incident.path, "ab") as handle:
        handle.write(line[: line.index("✓".encode()) + 1])  # half of a 3-byte character
    session = read_session(incident.path)
    assert session.truncated_tail and len(session.events) == len(incident.events)


def test_unknown_types_are_skipped_and_counted(incident: Recorded) -> None:
    with open(incident.path, "a") as handle:
        for _ in range(2):
            handle.write('{"seq":40,"t":1601.0,"at":"","type":"hologram_projected","beam":1}\n')
        handle.write('{"seq":42,"t":1602.0,"at":"","type":"warp_engaged"}\n')
    session = read_session(incident.path)
    assert session.unknown_types == {"hologram_projected": 2, "warp_engaged": 1}
    assert "skipped 3 event(s)" in session.notices[-1]
    assert sum(isinstance(e, UnknownEvent) for e in session.events) == 3
    assert len(session.known_events) == len(incident.events)


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (b"not json", "Expecting value"),
        (b'["a list"]', "not a JSON object"),
        (b'{"seq": 40} trailing', "Extra data"),
        (b"\xff\xfe{}", "Expecting value"),
        (b'{"seq": 40, "t": 1.0}', "no event type"),
    ],
)
def test_a_corrupt_line_is_skipped_with_a_notice_naming_it_and_the_rest_is_read(
    incident: Recorded, bad: bytes, reason: str
) -> None:
    with open(incident.path, "ab") as handle:
        handle.write(bad + b"\n")
        handle.write(b'{"seq":41,"t":1602.0,"at":"","type":"note_added","text":"after"}\n')
    line = len(incident.events) + 2
    session = read_session(incident.path)
    assert session.notices == [
        f"{incident.path}:{line}: corrupt session line ({reason}); skipped it and read the rest"
    ]
    assert session.events[:-1] == incident.events and session.events[-1].text == "after"  # type: ignore[attr-defined]
    assert not session.truncated_tail and not session.suspect


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (b'{"seq": "forty", "type": "from_the_future"}', "'seq'"),
        (b'{"seq": 40, "t": "notanumber", "type": "note_added"}', "'t'"),
    ],
)
def test_a_well_formed_event_with_a_wrong_type_is_refused_naming_line_and_field(
    incident: Recorded, bad: bytes, field: str
) -> None:
    """Garbage is skipped (a crash, a full disk); a readable event that lies is refused (issue 10 §11)."""
    with open(incident.path, "ab") as handle:
        handle.write(bad + b"\n")
    with pytest.raises(UserError) as refused:
        read_session(incident.path)
    assert (
        f"{incident.path}:{len(incident.events) + 2}:" in refused.value.message
        and field in refused.value.message
    )


def test_a_corrupt_newline_terminated_last_line_is_reported_with_its_line(incident: Recorded) -> None:
    with open(incident.path, "ab") as handle:
        handle.write(b'{"seq":40,"t":1601.0,"at":"","type":"note_added","text":"cut"\n')
    session = read_session(incident.path)
    line = len(incident.events) + 2
    assert session.notices == [
        f"{incident.path}:{line}: corrupt session line (Expecting ',' delimiter); "
        "skipped it and read the rest"
    ]
    assert session.events == incident.events and not session.truncated_tail


def test_blank_lines_are_tolerated(incident: Recorded) -> None:
    with open(incident.path, "ab") as handle:
        handle.write(b"\n   \n")
        handle.write(b'{"seq":40,"t":1601.0,"at":"","type":"note_added","text":"after the gap"}\n')
    assert read_session(incident.path).events[-1].text == "after the gap"  # type: ignore[attr-defined]


def test_another_format_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.jsonl"
    path.write_text('{"format":"omniops-tui-session","version":2}\n{"seq":1,"t":0,"type":"note_added"}\n')
    with pytest.raises(UserError, match=r"future.jsonl:1: session format version 2 is not supported"):
        read_session(path)
    path.write_text("")
    with pytest.raises(UserError, match=r":1: empty file"):
        read_session(path)


RECORDER_LOOP = textwrap.dedent("""
    import sys
    from pathlib import Path
    from omniops_tui.core.events import LogLines, NoteAdded
    from omniops_tui.sessions.recorder import SessionRecorder

    recorder = SessionRecorder.create(Path(sys.argv[1]), ["bundled"])
    print(recorder.path, flush=True)
    n = 0
    while True:
        n += 1
        if n % 3:
            recorder.record(NoteAdded(text=f"note {n}"))
        else:
            recorder.record(LogLines(source_id="app", host="app-1", lines=[f"line {n} " + "x" * 2000] * 20))
        print(n, flush=True)
""")


def test_sigkill_while_recording_loses_nothing_written(tmp_path: Path) -> None:
    """The app's own code path (SessionRecorder.record) killed without warning, mid-stream."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, "-c", RECORDER_LOOP, str(tmp_path)], stdout=subprocess.PIPE, text=True, env=env
    )
    assert child.stdout is not None
    path = Path(child.stdout.readline().strip())
    reported = 0
    deadline = time.monotonic() + 30
    while reported < 3000 and time.monotonic() < deadline:
        reported = int(child.stdout.readline())
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL
    assert reported >= 3000, "the recorder was too slow to reach 3000 events in 30 s"

    session = read_session(path)  # no error: at most a truncated tail
    seqs = [e.seq for e in session.events]
    assert seqs == list(range(1, len(seqs) + 1))
    assert len(seqs) >= reported  # everything the child saw recorded is on disk
    last = session.events[-1]
    assert isinstance(last, NoteAdded | LogLines)
    timeline = Timeline(session)
    assert timeline.final_state().events_applied == len(seqs)
