"""One writer per session file (issue 10 §9): a second writer is refused with one line naming
the PID that holds the file, the lock dies with its holder, and readers and exports flag a file
that two writers once wrote (sequences going backwards, a doubled session_ended)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from omniops_tui.cli import cli
from omniops_tui.core.errors import UserError
from omniops_tui.core.events import NoteAdded
from omniops_tui.sessions.lock import pid_file
from omniops_tui.sessions.reader import read_session
from omniops_tui.sessions.recorder import SessionRecorder

REPO = Path(__file__).resolve().parents[2]
HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from omniops_tui.sessions.recorder import SessionRecorder
    recorder = SessionRecorder.create(Path(sys.argv[1]), ["bundled"])
    print(recorder.path, flush=True)
    sys.stdin.readline()
    recorder.close()
""")


def _resume(path: Path) -> SessionRecorder:
    session = read_session(path)
    return SessionRecorder.resume(
        path, session.header, last_seq=session.last_seq, last_offset=session.last_offset
    )


def test_a_second_writer_in_the_same_process_is_refused(sessions_dir: Path) -> None:
    first = SessionRecorder.create(sessions_dir, ["bundled"])
    assert pid_file(first.path).read_text() == f"{os.getpid()}\n"
    with pytest.raises(UserError) as refused:
        _resume(first.path)
    assert str(refused.value) == (
        f"{first.path}: this session is being recorded by another omniops-tui (PID {os.getpid()}); "
        f"close that one first, or watch it with `omniops-tui sessions replay {first.path}`"
    )
    first.record(NoteAdded(text="still mine"))
    first.close()
    assert not pid_file(first.path).exists()
    second = _resume(first.path)  # free again
    second.end("quit")
    assert [e.type for e in read_session(first.path).events] == ["note_added", "session_ended"]


def test_a_resume_of_a_file_another_process_records_exits_2_naming_its_pid(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO), "XDG_STATE_HOME": str(tmp_path / "state")}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path / "sessions")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert holder.stdout is not None and holder.stdin is not None
    try:
        path = Path(holder.stdout.readline().strip())
        resumed = subprocess.run(
            [sys.executable, "-m", "omniops_tui", "--resume", str(path)],
            capture_output=True,
            text=True,
            env={**env, "XDG_CONFIG_HOME": str(tmp_path / "cfg")},
            timeout=60,
        )
        assert resumed.returncode == 2
        assert resumed.stderr == (
            f"omniops-tui: error: {path}: this session is being recorded by another omniops-tui "
            f"(PID {holder.pid}); close that one first, or watch it with "
            f"`omniops-tui sessions replay {path}`\n"
        )
        assert read_session(path).events == []  # nothing appended, nothing cut
    finally:
        holder.stdin.close()
        holder.wait(30)


def test_the_lock_dies_with_its_holder(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert holder.stdout is not None
    path = Path(holder.stdout.readline().strip())
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(30)
    assert pid_file(path).exists()  # stale, and harmless: the kernel released the lock
    recorder = _resume(path)
    assert pid_file(path).read_text() == f"{os.getpid()}\n"
    recorder.end("quit")


def test_two_writers_in_one_file_are_flagged_by_readers_and_exports(sessions_dir: Path) -> None:
    recorder = SessionRecorder.create(sessions_dir, ["bundled"])
    recorder.record(NoteAdded(text="one"))
    recorder.record(NoteAdded(text="two"))
    recorder.end("quit")
    with open(recorder.path, "a", encoding="utf-8") as handle:  # what an unlocked second writer did
        handle.write('{"seq":2,"t":5.0,"at":"","type":"note_added","text":"again"}\n')
        handle.write('{"seq":4,"t":6.0,"at":"","type":"session_ended","reason":"quit"}\n')
    session = read_session(recorder.path)
    assert session.suspect
    assert session.notices == [
        f"{recorder.path}:5: sequence 2 after 3: out of order (two writers at once?)",
        f"{recorder.path}:6: a second session_ended (the first is line 4) with no session_resumed "
        "between: two writers at once?",
    ]
    result = CliRunner().invoke(cli, ["sessions", "export", str(recorder.path)])
    assert result.exit_code == 0
    assert "sequence 2 after 3: out of order" in result.output  # stderr notice and the draft's notices


def test_a_resumed_session_ends_twice_without_a_notice(sessions_dir: Path) -> None:
    recorder = SessionRecorder.create(sessions_dir, ["bundled"])
    recorder.end("quit")
    from omniops_tui.core.events import SessionResumed

    again = _resume(recorder.path)
    again.record(SessionResumed(tool_version="x"))
    again.end("quit")
    session = read_session(recorder.path)
    assert [e.type for e in session.events] == ["session_ended", "session_resumed", "session_ended"]
    assert session.notices == [] and not session.suspect
