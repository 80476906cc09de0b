"""Issue 12: home is painted before the engine is imported, and the engine then arrives whole.

The CLI's plain start (`build_app(..., defer_engine=True)`) reads only the runbooks and the
config before the first frame; these tests hold the engine back at that moment and check what
the person sees and what the record says before and after it comes in.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.widgets import DataTable

from omniops_tui.cli import run_tui
from omniops_tui.core.errors import UserError
from omniops_tui.live.start import load_start
from omniops_tui.options import Options
from omniops_tui.runbooks.bundle import load_runbook_bundle
from omniops_tui.ui.app import OmniOpsApp
from omniops_tui.ui.factory import build_app
from omniops_tui.ui.screens.home import HomeScreen
from tests.cli_helper import run_cli
from tests.ui.conftest import wait_for, widget_text


def _deferred(tmp_path: Path, **options: Any) -> OmniOpsApp:
    return build_app(Options(sessions_dir=tmp_path / "sessions", **options), defer_engine=True)


def _held_back(app: OmniOpsApp) -> Any:
    """Keep the engine out until the test calls the returned function."""
    attach = app._attach_engine
    app._attach_engine = lambda: None  # type: ignore[method-assign]
    return attach


def _recorded(app: OmniOpsApp) -> list[dict[str, Any]]:
    assert app.live is not None
    lines = Path(app.live.recorder.path).read_text().splitlines()
    return [json.loads(line) for line in lines[1:]]


async def test_home_shows_the_runbooks_before_the_engine_and_keys_wait_for_it(tmp_path: Path) -> None:
    app = _deferred(tmp_path)
    attach = _held_back(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen) and app.live is None
        table = app.screen.query_one(DataTable)
        assert "hotfix" in table.rows and "standard-release" in table.rows
        assert not list((tmp_path / "sessions").glob("*.jsonl"))  # nothing recorded yet
        await pilot.press("2")  # the engineer is quick: Hotfix, before the engine is there
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen), "a key ran against a session not yet built"
        attach()
        await wait_for(pilot, lambda: not isinstance(app.screen, HomeScreen))
        assert app.live is not None and app.ctx.engine is app.live and app.ctx.session is app.live
        types = [(e["type"], e.get("screen", e.get("runbook_id", ""))) for e in _recorded(app)]
        assert types[0] == ("session_started", "")
        assert ("screen_opened", "home") in types  # home was open when the engine came in
        assert types.index(("screen_opened", "home")) < types.index(("runbook_started", "hotfix"))


async def test_the_engine_arrives_by_itself_with_the_recording_and_the_keys(tmp_path: Path) -> None:
    app = _deferred(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.live is not None)
        status = app.screen.query_one("#status-line")
        await wait_for(pilot, lambda: "● rec" in widget_text(status))  # the record's file, named
        assert app.live is not None and Path(app.live.recorder.path).name in widget_text(status)
        note = [active for active in app.active_bindings.values() if active.binding.action == "note"]
        assert note and note[0].enabled  # a key that needs the engine is offered once it is in
        await pilot.press("ctrl+q")
    assert [e["type"] for e in _recorded(app)][-1] == "session_ended"


def _team_with_broken_tree(tmp_path: Path) -> Path:
    folder = tmp_path / "team"
    folder.mkdir()
    (folder / "deploy.md").write_text("# Deploy\n\n## Steps\n\n1. Ship it\n")
    (folder / "decision-tree.toml").write_text('start = "a"\n')  # no [nodes.*]: only the full set-up reads it
    return folder


async def test_an_error_only_the_full_set_up_finds_ends_the_app_with_exit_2(tmp_path: Path) -> None:
    app = _deferred(tmp_path, runbooks=_team_with_broken_tree(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.start_error is not None)
    assert isinstance(app.start_error, UserError) and "no [nodes.*] tables" in app.start_error.message
    assert app.return_code == 2 and app.live is None


def test_the_command_prints_that_error_as_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    original = App.run
    monkeypatch.setattr(App, "run", lambda self, **kwargs: original(self, headless=True))
    monkeypatch.setattr("omniops_tui.cli.run_tui", lambda options, resume=None: run_tui(options))
    folder = _team_with_broken_tree(tmp_path)
    code = run_cli(["--runbooks", str(folder), "--sessions-dir", str(tmp_path / "s")])
    _out, err = capfd.readouterr()
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "no [nodes.*] tables" in lines[0] and "Traceback" not in err


def test_the_first_paint_path_imports_no_engine() -> None:
    """What home needs, and nothing of the engine: the session vocabulary, the rules, the
    checks and the recorder are imported after the first paint."""
    code = (
        "import sys\n"
        "from omniops_tui.launch import run_tui\n"
        "from omniops_tui.options import Options\n"
        "from omniops_tui.ui.factory import build_app\n"
        "from omniops_tui.ui.crash_guard import CrashGuard\n"
        "from omniops_tui.ui.loading import load_with_progress\n"
        "from omniops_tui.ui.screens.home import HomeScreen\n"
        "import tempfile, pathlib\n"
        "app = build_app(Options(sessions_dir=pathlib.Path(tempfile.mkdtemp())), defer_engine=True)\n"
        "HomeScreen(app.ctx)\n"
        "print(sorted(m for m, module in sys.modules.items() if module is not None and m.startswith("
        "('omniops_tui.', 'asyncssh', 'httpx', 'asyncpg', 'redis', 'boto3', 'pygments', 'click'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    loaded = done.stdout
    engine = (
        "omniops_tui.live.session",
        "omniops_tui.core.events",
        "omniops_tui.probes",
        "omniops_tui.logic.",
    )
    for name in engine:
        assert name not in loaded, name
    for heavy in ("asyncssh", "httpx", "asyncpg", "redis", "boto3", "pygments", "omniops_tui.sessions"):
        assert f"'{heavy}" not in loaded, heavy
    assert "'click" not in loaded and "'omniops_tui.cli" not in loaded  # a plain start builds no CLI


def _plain_start(home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`omniops-tui` without arguments (launch.py's path, not click's), its own XDG folders."""
    folders = {f"XDG_{name}_HOME": str(home / name.lower()) for name in ("CONFIG", "STATE", "CACHE", "DATA")}
    environment = {**os.environ, **folders, **env}
    return subprocess.run(
        [sys.executable, "-m", "omniops_tui"], capture_output=True, text=True, timeout=60, env=environment
    )


def test_a_plain_start_takes_the_options_environment_variables_and_fails_in_one_line(tmp_path: Path) -> None:
    """The start without click honours OMNIOPS_TUI_CONFIG and OMNIOPS_TUI_SESSIONS_DIR as the
    CLI's options do, and a user error is still one line and exit 2, before the terminal."""
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    for env, needle in (
        ({"OMNIOPS_TUI_CONFIG": str(tmp_path)}, "is a folder"),
        ({"OMNIOPS_TUI_SESSIONS_DIR": str(not_a_dir), "OMNIOPS_TUI_CONFIG": ""}, "is a file"),
    ):
        done = _plain_start(tmp_path, **env)
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 2 and len(lines) == 1, done
        assert needle in lines[0] and "Traceback" not in done.stderr


async def test_the_collector_held_off_by_the_start_is_back_once_home_is_painted(tmp_path: Path) -> None:
    app = _deferred(tmp_path)
    _held_back(app)
    gc.disable()  # as run_tui does
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, gc.isenabled)
            assert isinstance(app.screen, HomeScreen)
    finally:
        gc.enable()


def test_the_logic_files_are_chosen_after_the_first_paint(tmp_path: Path) -> None:
    """Home is painted from the runbooks alone; which tree, criteria and bindings apply (three
    TOML files read) is decided when the engine is built, and is the same decision."""
    start = load_start(Options(sessions_dir=tmp_path / "sessions"))
    assert "bundle" not in vars(start) and start.runbooks.get("hotfix") is not None
    bundle, whole = start.bundle, load_runbook_bundle(None)
    assert (bundle.tree_path, bundle.criteria_path, bundle.bindings_path) == (
        whole.tree_path,
        whole.criteria_path,
        whole.bindings_path,
    )
    assert bundle.runbooks is start.runbooks and bundle.sources == whole.sources


def test_the_headless_commands_import_no_textual(tmp_path: Path) -> None:
    """`--help`, `runbooks`, `config`, `check` and `sessions list` print and leave: the UI
    framework (a third of a bare start) is never imported for them."""
    code = (
        "import sys\n"
        "from omniops_tui.cli import main\n"
        "for argv in (['--help'], ['--version'], ['runbooks'], ['config'], ['sessions', 'list'],"
        " ['check', 'standard-release']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "    assert 'textual' not in sys.modules, argv\n"
    )
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr[-2000:]


async def test_a_signal_before_the_engine_leaves_without_starting_a_session(tmp_path: Path) -> None:
    app = _deferred(tmp_path)
    attach = _held_back(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app._end_session("signal SIGHUP")
        attach()  # the engine's turn comes after all
    assert app.live is None and not list((tmp_path / "sessions").glob("*.jsonl"))
