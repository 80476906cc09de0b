"""Files are written safely: never over the recording, never through a symlink, never over an
edited draft, private (0600 / 0700); a pulled key never names a file outside DEST."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from omniops_tui.core.events import NoteAdded
from omniops_tui.sessions.drafts import write_postmortem_beside
from omniops_tui.sessions.recorder import SessionRecorder
from tests.disk import fill
from tests.hostile.conftest import run_cli


@pytest.fixture
def session(tmp_path: Path) -> Path:
    recorder = SessionRecorder.create(tmp_path / "sessions", ["bundled"])
    recorder.record(NoteAdded(text="rollback started"))
    recorder.close()
    return recorder.path


def export(session: Path, out: Path, *extra: str) -> int:
    return run_cli(["sessions", "export", str(session), "--format", "md", "-o", str(out), *extra])


def one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


def test_export_never_overwrites_the_recording(session: Path, capsys: pytest.CaptureFixture[str]) -> None:
    recorded = session.read_bytes()
    for out in (session, session.parent / "." / session.name):
        for extra in ((), ("--force",)):
            assert export(session, out, *extra) == 2
            assert "is the session being exported" in one_line(capsys)
    link = session.parent / "link.jsonl"
    link.symlink_to(session)
    assert export(session, link, "--force") == 2
    os.link(session, session.parent / "hard.jsonl")
    assert export(session, session.parent / "hard.jsonl", "--force") == 2
    capsys.readouterr()
    assert session.read_bytes() == recorded


def test_export_refuses_an_existing_file_unless_forced_and_never_follows_a_link(
    session: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "exports" / "new" / "postmortem.md"
    assert export(session, out) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert stat.S_IMODE(out.parent.stat().st_mode) == 0o700
    capsys.readouterr()

    out.write_text("my edits")
    assert export(session, out) == 2
    assert "already exists" in one_line(capsys) and out.read_text() == "my edits"
    os.chmod(out, 0o644)
    assert export(session, out, "--force") == 0
    capsys.readouterr()
    assert "rollback started" in out.read_text() and stat.S_IMODE(out.stat().st_mode) == 0o600

    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    trap = tmp_path / "exports" / "trap.md"
    trap.symlink_to(victim)
    for extra in ((), ("--force",)):
        assert export(session, trap, *extra) == 2
        assert "symbolic link" in one_line(capsys)
    dangling = tmp_path / "exports" / "dangling.md"
    dangling.symlink_to(tmp_path / "nowhere.txt")
    assert export(session, dangling, "--force") == 2
    capsys.readouterr()
    assert victim.read_text() == "keep me" and not (tmp_path / "nowhere.txt").exists()


def test_the_draft_beside_a_session_never_overwrites_an_edited_one(session: Path) -> None:
    first = write_postmortem_beside(session)
    assert first.name == session.stem + ".postmortem.md"
    first.write_text("edited by the engineer")
    second = write_postmortem_beside(session)
    third = write_postmortem_beside(session)
    assert (second.name, third.name) == (session.stem + ".postmortem-2.md", session.stem + ".postmortem-3.md")
    assert first.read_text() == "edited by the engineer" and "rollback started" in second.read_text()
    assert {stat.S_IMODE(p.stat().st_mode) for p in (second, third)} == {0o600}


def test_a_draft_that_cannot_be_written_leaves_no_file_behind(small_disk: Path) -> None:
    """On a full disk (a real tmpfs) the draft fails whole: no empty file stays to be taken for
    an edited draft, and once there is room the draft gets its first name."""
    recorder = SessionRecorder.create(small_disk / "sessions", ["bundled"])
    recorder.record(NoteAdded(text="rollback started"))
    recorder.close()
    filler = fill(small_disk)
    with pytest.raises(OSError):
        write_postmortem_beside(recorder.path)
    assert sorted(p.name for p in recorder.path.parent.glob("*.md")) == []
    filler.unlink()
    assert write_postmortem_beside(recorder.path).name == recorder.path.stem + ".postmortem.md"


@pytest.mark.parametrize("key", ["team/..", "team/.", "team/a\\..\\b.jsonl", "team/evil\x1b[2J.jsonl"])
def test_pull_refuses_a_key_that_is_not_a_plain_file_name(
    key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "sessions"
    dest.mkdir()
    assert run_cli(["sessions", "pull", f"s3://bucket/{key}", str(dest)]) == 2
    line = one_line(capsys)
    assert "not a plain file name" in line and "\x1b" not in line
    assert list(tmp_path.iterdir()) == [dest] and list(dest.iterdir()) == []
