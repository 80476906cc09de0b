"""Issue 12: a start draws home from the index the last start kept, and only when it is right.

The index (ui/home_index.py) holds home's cells, so a warm start paints the table before the
runbook model is imported; these tests check that what it draws is what the model draws, that
the model comes in a frame later and everything after works from it, and that any change to
the runbooks, to the folder they are in or to the index file itself sends the start back to
reading the runbooks first.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import DataTable

from omniops_tui.options import Options
from omniops_tui.runbooks.text_pages import PREFIX
from omniops_tui.ui import home_index
from omniops_tui.ui.app import OmniOpsApp
from omniops_tui.ui.factory import build_app
from omniops_tui.ui.screens import home
from omniops_tui.ui.screens.home import HomeScreen
from omniops_tui.ui.screens.runbook import RunbookScreen
from omniops_tui.ui.starting import StartingView
from tests.ui.conftest import wait_for, widget_text

RUNBOOK = """# {title}

**Duration:** 10 min | **Risk:** Low

## Steps
- [ ] first step of {title}
- [ ] second step of {title}
"""


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of this test's own: the index of one test is not another's."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    return cache


def _app(tmp_path: Path, runbooks: Path | None = None) -> OmniOpsApp:
    options = Options(sessions_dir=tmp_path / "sessions", runbooks=runbooks)
    return build_app(options, defer_engine=True)


def _view(app: OmniOpsApp) -> StartingView:
    assert app.starting is not None
    return app.starting.view


def _rows(app: OmniOpsApp) -> list[tuple[str, list[str]]]:
    table = app.screen.query_one(DataTable)
    return [(str(key.value), [str(cell) for cell in table.get_row(key)]) for key in table.rows]


async def _home_once(app: OmniOpsApp, runbooks: Path | None) -> list[tuple[str, list[str]]]:
    """Run the App until home is drawn and the next start's index is kept; its rows."""
    path = home_index.index_path(runbooks)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and app.live is not None)
        await wait_for(pilot, path.exists)
        return _rows(app)


async def test_the_second_start_draws_home_from_the_index_as_the_model_would(tmp_path: Path) -> None:
    first = _app(tmp_path)
    assert _view(first).index is None  # nothing kept yet: home is drawn from the runbooks
    drawn = await _home_once(first, None)

    second = _app(tmp_path)
    view = _view(second)
    assert view.index is not None and not view.basis.runbooks_loaded  # not read before the frame
    attach = second._attach_engine
    second._attach_engine = lambda: None  # type: ignore[method-assign]
    async with second.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(second.screen, HomeScreen)
        assert _rows(second) == drawn
        # The details below the table come a frame later, from the runbooks read then.
        detail = second.screen.query_one("#detail")
        await wait_for(pilot, lambda: "Standard Release" in widget_text(detail))
        assert view.basis.runbooks_loaded
        attach()
        await wait_for(pilot, lambda: second.live is not None)
        await pilot.press("down", "enter")  # home works from the model now: Hotfix opens
        await wait_for(pilot, lambda: isinstance(second.screen, RunbookScreen))
        assert second.screen.runbook.id == "hotfix"
        assert second.ctx.config is not None  # the config, read after the first frame, is the App's


def _team(folder: Path, titles: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for number, title in enumerate(titles):
        (folder / f"{number}-{title.lower()}.md").write_text(RUNBOOK.format(title=title))
    return folder


async def test_a_changed_file_a_new_file_or_an_odd_index_is_not_trusted(tmp_path: Path) -> None:
    team = _team(tmp_path / "team", ["Restart", "Failover"])
    drawn = await _home_once(_app(tmp_path, team), team)
    assert [key for key, _cells in drawn] == ["0-restart", "1-failover"]
    assert home_index.read(team) is not None

    changed = team / "0-restart.md"
    changed.write_text(RUNBOOK.format(title="Restart") + "- [ ] a third step\n")
    os.utime(changed, ns=(1, 1))  # whatever the clock: another time than the index has
    assert home_index.read(team) is None
    app = _app(tmp_path, team)
    assert _view(app).index is None
    drawn = await _home_once(app, team)
    assert drawn[0][1][-1] == "0/3"  # the third step counted: drawn from the runbooks
    assert home_index.read(team) is not None  # and kept again

    (team / "sub").mkdir()
    (team / "sub" / "new.md").write_text(RUNBOOK.format(title="Drain"))
    assert home_index.read(team) is None  # a new folder with a new runbook in it
    drawn = await _home_once(_app(tmp_path, team), team)
    assert any("Drain" in cells[0] for _key, cells in drawn)

    home_index.index_path(team).write_bytes(b"\x00not an index")
    assert home_index.read(team) is None  # an odd file is only a cache: read the runbooks
    home_index.index_path(team).write_bytes(b"")
    assert home_index.read(team) is None


def test_no_index_is_kept_for_a_folder_with_a_symlink(tmp_path: Path) -> None:
    team = _team(tmp_path / "team", ["Restart"])
    (team / "elsewhere.md").symlink_to(tmp_path / "outside.md")
    index = home_index.HomeIndex([("Runbook", "runbook", 18)], [("restart", "Restart", None)], "restart")
    home_index.write(team, [str(team / "0-restart.md")], index)
    assert not home_index.index_path(team).exists()
    plain = _team(tmp_path / "plain", ["Restart"])
    home_index.write(plain, [str(plain / "0-restart.md")], index)
    assert home_index.read(plain) == index


def test_the_text_page_prefix_is_the_one_home_checks() -> None:
    assert home.TEXT_PAGE == PREFIX  # home checks it without importing the text pages' module


def test_the_progress_line_threshold_is_the_deferred_loads() -> None:
    from omniops_tui.runbooks.deferred import DEFER_BYTES
    from omniops_tui.ui.loading import LARGE_BYTES

    assert LARGE_BYTES == DEFER_BYTES


def test_a_warm_first_paint_reads_neither_the_runbooks_nor_the_config(tmp_path: Path) -> None:
    """With the index and the config's verdict kept, the start imports neither model before
    its first frame; both are read once it is out."""
    config = tmp_path / "config.toml"
    config.write_text('[env.prod]\nbase_url = "http://127.0.0.1:9"\ndatabase_url_env = "TEST_DB_URL"\n')
    code = (
        "import sys, pathlib\n"
        "from omniops_tui.options import Options\n"
        "from omniops_tui.ui.factory import build_app\n"
        "from omniops_tui.ui.screens.home import HomeScreen\n"
        f"sessions, config = pathlib.Path({str(tmp_path / 'sessions')!r}), pathlib.Path({str(config)!r})\n"
        "options = Options(sessions_dir=sessions, config=config)\n"
        "app = build_app(options, defer_engine=True)\n"
        "HomeScreen(app.ctx)\n"
        "if sys.argv[1] == 'keep':\n"
        "    from omniops_tui.ui.screens.home_rows import overview_columns, overview_entry, overview_rows\n"
        "    from omniops_tui.ui import home_index\n"
        "    runbooks = app.starting.view.basis.runbooks\n"
        "    columns = [(c.label, c.key, c.width) for c in overview_columns(runbooks.runbooks)]\n"
        "    entries = [overview_entry(row) for row in overview_rows(runbooks)]\n"
        "    app.starting.view.keep_index(home_index.HomeIndex(columns, entries, runbooks.runbooks[0].id))\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('omniops_tui.'))\n"
        "print(app.starting.view.basis.environment, loaded)\n"
    )
    env = {**os.environ, "TEST_DB_URL": "postgresql://x@127.0.0.1:9/db"}

    def start(mode: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", code, mode], capture_output=True, text=True, timeout=60, env=env
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    cold = start("keep")
    assert "'omniops_tui.config.model'" in cold  # the first start reads the config before
    warm = start("warm")
    assert warm.startswith("prod ")  # the environment's name, from the verdict
    for model in ("omniops_tui.runbooks.model", "omniops_tui.runbooks.loader", "omniops_tui.config.model"):
        assert f"'{model}'" not in warm, model
