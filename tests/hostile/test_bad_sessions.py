"""Session files with wrong field types: one line naming file, line and field; exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile.conftest import run_cli

HEADER = {
    "format": "omniops-tui-session",
    "version": 1,
    "session_id": "s",
    "started_at": "2025-03-14T03:00:00Z",
}
GOOD = {"seq": 1, "t": 1.0, "at": "2025-03-14T03:00:01Z", "type": "note_added", "text": "fine"}


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"seq": 2, "t": "notanumber", "at": "", "type": "note_added", "text": "x"}, "'t'"),
        ({"seq": 2, "t": 2.0, "at": "", "type": "item_checked", "item_id": None}, "'item_id'"),
        ({"seq": 2, "t": 2.0, "at": "", "type": "log_lines", "lines": ["ok", 7]}, "'lines'"),
        ({"seq": "2", "t": 2.0, "at": "", "type": "a_future_event"}, "'seq'"),
        (
            {"seq": 2, "t": 2.0, "at": "", "type": "check_result", "evidence": ["not", "a", "dict"]},
            "'evidence'",
        ),
    ],
)
@pytest.mark.parametrize(
    "command", [["sessions", "export"], ["sessions", "export", "--format", "json"], ["sessions", "replay"]]
)
def test_wrong_field_types_are_one_line_naming_file_line_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: dict[str, object], field: str, command: list[str]
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in (HEADER, GOOD, bad, {**GOOD, "seq": 3})) + "\n")
    assert run_cli([*command, str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert f"{path}:3:" in err[0] and field in err[0] and "Traceback" not in err[0]


def test_replay_of_a_bad_file_never_starts_the_tui(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(HEADER) + "\n" + json.dumps({**GOOD, "t": "soon"}) + "\n")
    result = subprocess.run(
        [sys.executable, "-m", "omniops_tui", "sessions", "replay", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and f"{path}:2:" in result.stderr and "'t'" in result.stderr
