"""Hostile text through the real paths: the sandbox's hostile scenario → `check`, the record,
the exports, the diagnostics bundle, `sessions list`, a crash report. Then every byte shown
and written is searched: no raw control character (ESC, C1, DEL) reaches a terminal or a file
meant for reading, and no planted secret reaches anything.

Nothing is planted by hand except a note and a crash: the payloads come from the hosts' logs
and commands and the app's health bodies (omniops_tui/sandbox/hostile.py), through the engine
the app uses (LogHub over SSH, the check sweep, SessionRecorder with `build_redactor`).
"""

from __future__ import annotations

import asyncio
import json
import os
import stat
import sys
import time
from asyncio.subprocess import PIPE
from pathlib import Path

import asyncpg
import pytest

from omniops_tui.live.session import LiveSession
from omniops_tui.live.setup import load_setup, open_session
from omniops_tui.options import Options
from omniops_tui.sandbox import Sandbox
from omniops_tui.sandbox.hostile import (
    C1_CSI,
    MARKUP,
    OSC2_TITLE,
    OSC52_CLIPBOARD,
    PG_PASSWORD,
    SQL_PASSWORD,
)
from omniops_tui.sessions.drafts import write_postmortem_beside
from tests.hostile.conftest import leaked_secrets, raw_controls, run_cli


async def wait_for(condition, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def run_cli_process(*args: str) -> tuple[int, bytes, bytes]:
    """The real command line in a child process (the sandbox keeps serving in this loop)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "omniops_tui",
        *args,
        stdout=PIPE,
        stderr=PIPE,
        env={**os.environ, "COLUMNS": "140"},
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    return process.returncode or 0, out, err


async def test_check_table_and_json_show_hostile_bodies_as_data(
    hostile_sandbox: tuple[Sandbox, Path],
) -> None:
    _sandbox, config = hostile_sandbox
    code, table, err = await run_cli_process("--config", str(config), "check", "standard-release")
    assert code == 1, err  # health-database fails: its field is hostile
    assert raw_controls(table) == [] and leaked_secrets(table) == []
    assert "␛]2;PWNED-TITLE".encode() in table  # the payload arrived, shown as text
    assert b"[/db/primary]" in table

    code, out, err = await run_cli_process("--config", str(config), "check", "standard-release", "--json")
    assert code == 1, err
    assert raw_controls(out) == [] and leaked_secrets(out) == []
    data = json.loads(out)
    summaries = " ".join(check["summary"] for check in data["checks"])
    assert OSC2_TITLE in summaries  # JSON keeps the data exact: \u001b on the wire
    answers = " ".join(str(check["evidence"].get("answer", "")) for check in data["checks"])
    assert OSC52_CLIPBOARD in answers  # the raw text/plain health body, kept as data


async def test_record_exports_diagnostics_and_crash_reports_hold_no_raw_control_and_no_secret(
    hostile_sandbox: tuple[Sandbox, Path],
    tmp_path: Path,
    capsysbinary: pytest.CaptureFixture[bytes],
    monkeypatch: pytest.MonkeyPatch,
    postgres_url: str,
) -> None:
    sandbox, _config = hostile_sandbox
    # The database too, so the diagnostics' active queries come from a real PostgreSQL.
    monkeypatch.setenv("OMNIOPS_T_HOSTILE_DB", postgres_url)
    config_path = sandbox.write_config(
        tmp_path / "input" / "db.toml", database_url_env="OMNIOPS_T_HOSTILE_DB"
    )
    sessions = tmp_path / "sessions"
    options = Options(runbooks=None, sessions_dir=sessions, config=config_path, env=None, read_only=False)
    setup = load_setup(options)
    recorder, state = open_session(setup)
    session = LiveSession(setup, recorder, state)  # the engine the app drives
    session.begin()
    runbooks = setup.runbooks
    try:
        # Logs, as the log panes stream and record them.
        logs = session.start_logs()
        assert logs is not None
        streaming = asyncio.create_task(logs.run())
        await wait_for(lambda: "[REDACTED:PGPASSWORD]" in session.session_path.read_text())
        streaming.cancel()
        await asyncio.gather(streaming, return_exceptions=True)
        # Checks, as a runbook screen runs them.
        await session.checks.sweep_once(session.checks.specs("emergency-rollback"))
        session.add_note(f"pasted {OSC52_CLIPBOARD} {' '.join(MARKUP)} PGPASSWORD={PG_PASSWORD}")
        # Diagnostics (Emergency Rollback step 8) with a live query that holds a password.
        holder = await asyncpg.connect(postgres_url)
        query = f"SELECT pg_sleep(30) /* ALTER ROLE omniops WITH PASSWORD '{SQL_PASSWORD}' */"
        sleeping = asyncio.create_task(holder.execute(query))
        try:
            said = await session.gather_diagnostics()
        finally:
            holder.terminate()
            await asyncio.gather(sleeping, return_exceptions=True)
    finally:
        await session.aclose("exit")
        recorder.close()
    assert "failed" not in said, said
    (bundle,) = (sessions / "incident-diagnostics").iterdir()
    queries = (bundle / "db-active-queries.csv").read_text()
    assert "PASSWORD '[REDACTED:password]'" in queries

    # Exports, through the command line; the sessions screen's draft; `sessions list`.
    exports = tmp_path / "exports"
    for fmt in ("md", "json", "deploy-log"):
        out = exports / f"export.{fmt}"
        code = run_cli(
            [
                "--config",
                str(config_path),
                "sessions",
                "export",
                str(recorder.path),
                "--format",
                fmt,
                "-o",
                str(out),
            ]
        )
        assert code == 0, capsysbinary.readouterr().err
    assert run_cli(["--config", str(config_path), "sessions", "export", str(recorder.path)]) == 0
    draft = write_postmortem_beside(recorder.path, runbooks=runbooks)
    assert run_cli(["--sessions-dir", str(sessions), "sessions", "list"]) == 0

    # A crash whose message quotes hostile text and a secret.
    def explode(*args: object, **kwargs: object) -> str:
        raise RuntimeError(f"render failed on {OSC2_TITLE} PGPASSWORD={PG_PASSWORD}")

    monkeypatch.setattr("omniops_tui.runbooks.overview.overview_table", explode)
    assert run_cli(["runbooks"]) == 70
    shown = capsysbinary.readouterr()
    assert raw_controls(shown.out + shown.err) == [] and leaked_secrets(shown.out + shown.err) == []
    crash_reports = list((Path(os.environ["XDG_STATE_HOME"]) / "omniops-tui" / "crash-reports").iterdir())
    assert len(crash_reports) == 1 and shown.err.decode().strip().endswith(
        "Your session recording is intact."
    )

    # Everything written: readable files have no raw control; nothing has a planted secret.
    written = [p for p in tmp_path.rglob("*") if p.is_file() and "input" not in p.parts] + crash_reports
    names = {p.name for p in written}
    assert {"export.md", "export.json", "export.deploy-log", draft.name, recorder.path.name} <= names
    assert {
        "docker-logs.txt",
        "error-logs.txt",
        "db-active-queries.csv",
        "health-snapshot.json",
        "timeline.md",
    } <= names
    for path in written:
        data = path.read_bytes()
        assert leaked_secrets(data) == [], path
        if path.suffix == ".jsonl":
            assert b"\x1b" not in data, path  # the record keeps text as data: JSON escapes it
        else:
            assert raw_controls(data) == [], path
    # ... and the payloads are there, visible, where they were seen.
    md = (exports / "export.md").read_text()
    assert "␛]52;c;ZWNobyBwd25lZA==" in md and "[@click=app.quit]" in md
    assert "\\u001b]2;PWNED-TITLE" in (bundle / "health-snapshot.json").read_text()
    assert "␛]52;c;" in (bundle / "error-logs.txt").read_text()

    # Private: 0600 files, 0700 folders, like the sessions.
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for folder in (bundle, bundle.parent, crash_reports[0].parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_sessions_list_shows_hostile_headers_as_text(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    sessions = tmp_path / "sessions"
    sessions.mkdir()
    header = {
        "format": "omniops-tui-session",
        "version": 1,
        "session_id": f"x{OSC2_TITLE}",
        "started_at": f"2025-03-14T03:00:00Z{C1_CSI}",
        "user": OSC52_CLIPBOARD,
        "host": ["not", "a", "string"],
        "runbook_source": "not-a-list",
    }
    event = {"seq": 1, "t": 1.0, "at": "", "type": "runbook_started", "runbook_id": f"rb{OSC52_CLIPBOARD}"}
    endless = '{"seq": 2, "t": 1e999, "at": "", "type": "note_added"}\n{"seq": 3, "t": NaN, "type": "x"}\n'
    (sessions / "evil\x1b[2J.jsonl").write_text(
        json.dumps(header) + "\n" + json.dumps(event) + "\n" + endless
    )
    (sessions / "broken.jsonl").write_text(f"{OSC2_TITLE}\n")
    assert run_cli(["--sessions-dir", str(sessions), "sessions", "list"]) == 0
    table = capsysbinary.readouterr().out
    assert raw_controls(table) == [] and "evil␛[2J.jsonl".encode() in table and "rb␛]52".encode() in table
    assert run_cli(["--sessions-dir", str(sessions), "sessions", "list", "--json"]) == 0
    listing = capsysbinary.readouterr().out
    assert raw_controls(listing) == []
    assert {s["runbooks"][0] for s in json.loads(listing) if s["runbooks"]} == {f"rb{OSC52_CLIPBOARD}"}
