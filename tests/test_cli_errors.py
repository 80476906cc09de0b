"""Bad input: one line naming the file and what is wrong, exit 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def run(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "omniops_tui", *args], capture_output=True, text=True, timeout=60
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    for needle in needles:
        assert needle in lines[0]


def test_missing_runbook_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.md"
    assert_one_line_error(run("--runbooks", str(missing), "runbooks"), str(missing), "no such")


def test_markdown_without_numbered_runbooks_is_one_runbook(tmp_path: Path) -> None:
    """Issue 11: any team's Markdown loads; only a file with nothing in it is refused."""
    doc = tmp_path / "notes.md"
    doc.write_text("# Just notes\n\nNothing to run.\n")
    result = run("--runbooks", str(doc), "runbooks")
    assert result.returncode == 0 and "Just notes" in result.stdout, result
    empty = tmp_path / "empty.md"
    empty.write_text("\n\n")
    assert_one_line_error(run("--runbooks", str(empty), "runbooks"), str(empty), "empty file")


def test_unreadable_runbook_file(tmp_path: Path) -> None:
    doc = tmp_path / "binary.md"
    doc.write_bytes(b"\xff\xfe\x00garbage")
    assert_one_line_error(run("--runbooks", str(doc), "runbooks"), str(doc), "UTF-8")


def test_config_path_is_a_directory(tmp_path: Path) -> None:
    assert_one_line_error(
        run("--config", str(tmp_path), "--sessions-dir", str(tmp_path / "s")), str(tmp_path), "is a folder"
    )


def test_sessions_dir_is_a_file(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    assert_one_line_error(run("--sessions-dir", str(not_a_dir)), str(not_a_dir), "is a file")


@pytest.mark.parametrize(
    "content, needle",
    [
        ("garbage\n", "not an omniops-tui session"),
        (  # a corrupt line further down is skipped with a notice (tests/sessions/test_reader.py)
            '{"format":"omniops-tui-session","version":9,"session_id":"x","started_at":""}\n',
            ":1: session format version 9 is not supported",
        ),
    ],
)
def test_corrupt_session_given_to_resume(tmp_path: Path, content: str, needle: str) -> None:
    session = tmp_path / "bad.jsonl"
    session.write_text(content)
    assert_one_line_error(run("--resume", str(session)), str(session), needle)


def test_resume_of_a_directory(tmp_path: Path) -> None:
    assert_one_line_error(run("--resume", str(tmp_path)), str(tmp_path), "is a folder")


def test_runbooks_overview_and_json(tmp_path: Path) -> None:
    table = run("runbooks")
    assert table.returncode == 0
    for runbook_id in ("standard-release", "first-time-deploy", "disaster-recovery"):
        assert runbook_id in table.stdout
    as_json = run("runbooks", "--json")
    import json

    model = json.loads(as_json.stdout)
    assert len(model["runbooks"]) == 7
    assert sum(r["counts"]["checklist_items"] for r in model["runbooks"]) == 222


def test_version_and_help_for_every_subcommand() -> None:
    assert run("--version").stdout.startswith("omniops-tui, version ")
    from omniops_tui.cli import cli

    def walk(group, prefix):
        for name, command in group.commands.items():
            yield [*prefix, name]
            if hasattr(command, "commands"):
                yield from walk(command, [*prefix, name])

    for path in walk(cli, []):
        result = run(*path, "--help")
        assert result.returncode == 0, path
        assert "Usage:" in result.stdout


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["bogus"], "No such command 'bogus'"),
        (["--nope"], "No such option '--nope'"),
        (["check"], "Missing argument 'RUNBOOK'"),
        (["sandbox", "--hosts", "0"], "'--hosts': 0 is not in the range"),
    ],
)
def test_a_usage_error_is_one_line_that_says_where_help_is(argv: list[str], needle: str) -> None:
    """Click's own four lines (usage, a hint, a blank, the error) become one, as every error."""
    result = run(*argv)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result
    assert lines[0].startswith("omniops-tui: error: ") and needle in lines[0] and "--help'" in lines[0]
