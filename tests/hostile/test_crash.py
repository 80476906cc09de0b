"""A bug is a private, redacted crash report and one line; never a traceback, never locals."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from textual.app import App

from omniops_tui.cli import Options, run_tui
from omniops_tui.crash import write_crash_report
from omniops_tui.sandbox.hostile import OSC52_CLIPBOARD, PG_PASSWORD
from omniops_tui.ui.crash_guard import CRASH_RETURN_CODE, CrashGuard
from tests.hostile.conftest import leaked_secrets, raw_controls, run_cli


def crash_reports() -> list[Path]:
    folder = Path(os.environ["XDG_STATE_HOME"]) / "omniops-tui" / "crash-reports"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_crash_in_a_command_is_one_line_and_a_private_redacted_report(
    monkeypatch: pytest.MonkeyPatch, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    def explode(*args: object, **kwargs: object) -> str:
        password = PG_PASSWORD  # a local a traceback printer would show  # noqa: F841
        raise RuntimeError(f"bad render {OSC52_CLIPBOARD} postgresql://app:{PG_PASSWORD}@db/x")

    monkeypatch.setattr("omniops_tui.runbooks.overview.overview_table", explode)
    assert run_cli(["runbooks"]) == 70
    shown = capfdbinary.readouterr()
    last = shown.err.strip().splitlines()[-1]  # (before it: the runbooks' summary)
    assert shown.err.count(b"internal error") == 1 and b"Traceback" not in shown.err
    (report,) = crash_reports()
    assert str(report).encode() in last
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert stat.S_IMODE(report.parent.stat().st_mode) == 0o700
    text = report.read_bytes()
    assert b"RuntimeError: bad render" in text and b"explode" in text  # useful
    assert leaked_secrets(text) == [] and raw_controls(text) == []  # and safe


def test_reports_get_fresh_names_and_never_follow_a_planted_link(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir(mode=0o700)
    victim = tmp_path / "victim"
    victim.write_text("keep")
    for name in ("crash-a.txt", "crash-b.txt"):
        (folder / name).symlink_to(victim)
    paths = {write_crash_report(ValueError("x"), folder) for _ in range(3)}
    assert len(paths) == 3 and all(not p.is_symlink() for p in paths) and victim.read_text() == "keep"


class Exploding(App[None]):
    """A screen handler that raises, holding a secret in a local variable."""

    replay_request = None
    ended: list[str] = []

    def on_mount(self) -> None:
        dsn = f"postgresql://app:{PG_PASSWORD}@db/prod"  # noqa: F841
        raise RuntimeError("handler failed")

    def end_session(self, reason: str) -> None:
        self.ended.append(reason)


def test_a_crash_inside_the_tui_prints_no_locals(capfd: pytest.CaptureFixture[str]) -> None:
    app = Exploding()
    guard = CrashGuard.install(app)
    app.run(headless=True)
    out, err = capfd.readouterr()
    assert app.return_code == CRASH_RETURN_CODE
    assert isinstance(guard.error, RuntimeError)
    assert PG_PASSWORD not in out + err and "Traceback" not in out + err and "dsn" not in out + err
    with pytest.raises(RuntimeError, match="handler failed"):
        guard.raise_if_crashed()


def test_the_tui_command_turns_an_app_crash_into_the_one_line(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    app = Exploding()
    monkeypatch.setattr("omniops_tui.ui.factory.build_app", lambda options, **kwargs: app)
    monkeypatch.setattr("omniops_tui.cli.run_tui", lambda options, resume=None: _headless(options))
    assert run_cli([]) == 70
    _out, err = capfd.readouterr()
    assert err.count("\n") == 1 and PG_PASSWORD not in err and "Traceback" not in err
    assert app.ended == ["crash"] and len(crash_reports()) == 1


def _headless(options: Options) -> None:
    """run_tui as it is, with Textual headless (no terminal under pytest)."""
    original = App.run
    App.run = lambda self, **kwargs: original(self, headless=True)  # type: ignore[method-assign]
    try:
        run_tui(options)
    finally:
        App.run = original  # type: ignore[method-assign]
