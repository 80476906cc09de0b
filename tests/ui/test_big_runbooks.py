"""A large runbook file: home shows at once (the file by name, then its runbooks by title)
with the loading line, before the file is parsed; a runbook asked for meanwhile says so and
opens when ready; once the parse is done every runbook is reachable, in full."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual.widgets import DataTable

from omniops_tui.options import Options
from omniops_tui.runbooks import deferred
from omniops_tui.runbooks.loader import BUNDLED_DOCUMENT
from omniops_tui.ui.factory import build_app
from omniops_tui.ui.screens.home import HomeScreen
from omniops_tui.ui.screens.runbook import RunbookScreen
from omniops_tui.ui.widgets.loading_bar import LoadingBar
from tests.ui.conftest import wait_for


@pytest.fixture
def held_parse(monkeypatch):
    """The full parse waits until the test lets it go: "before it finishes" is then a fact,
    not a race. Files over 50 kB count as large."""
    release = threading.Event()
    real = deferred.parse_in_pieces

    def parse(*args, **kwargs):
        assert release.wait(60), "the test never released the parse"
        return real(*args, **kwargs)

    monkeypatch.setattr(deferred, "parse_in_pieces", parse)
    monkeypatch.setattr(deferred, "DEFER_BYTES", 50_000)
    monkeypatch.setattr("omniops_tui.runbooks.cache._cache_path", lambda *a: None)
    yield release
    release.set()


def _big(tmp_path: Path) -> Path:
    folder = tmp_path / "big"
    folder.mkdir()
    text = BUNDLED_DOCUMENT.read_text(encoding="utf-8")
    (folder / "all-runbooks.md").write_text("\n\n".join([text] * 3), encoding="utf-8")
    return folder


async def test_home_shows_titles_and_progress_before_the_parse_then_every_runbook(
    tmp_path: Path, held_parse: threading.Event
) -> None:
    options = Options(runbooks=_big(tmp_path), sessions_dir=tmp_path / "sessions")
    with deferred.deferring():
        app = build_app(options)
    runbooks = app.ctx.session.basis.runbooks
    assert runbooks.loading is not None and [r.title for r in runbooks.runbooks] == ["all-runbooks"]
    assert app.notices == ["Loading runbooks from 1 large file(s); home shows how far"]  # not "Loaded 1"
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        home = app.screen
        table = home.query_one(DataTable)
        bar = home.query_one(LoadingBar)
        assert bar.display and "Loading runbooks:" in str(bar.render())
        await wait_for(pilot, lambda: runbooks.loading.titled and table.row_count >= 21)
        await wait_for(pilot, lambda: " of " in str(bar.render()))  # "12.3 of 50.0 MB (24 %)"
        assert [r.title for r in runbooks.runbooks[:2]] == [
            "Standard Release Deployment",
            "Hotfix Deployment",
        ]
        assert not runbooks.loading.finished  # all of this before the parse
        await pilot.press("2")  # a runbook that is only a title yet
        assert isinstance(app.screen, HomeScreen)
        assert any("still loading" in m for m in app.messages_shown)
        wanted = runbooks.runbooks[1].id

        held_parse.set()
        await wait_for(pilot, lambda: runbooks.loading.finished, timeout=60)
        await wait_for(pilot, lambda: isinstance(app.screen, RunbookScreen))
        assert app.screen.runbook.id == wanted  # what was asked for opened when ready
        await wait_for(pilot, lambda: not bar.display)  # the loading line is gone
        ids = [r.id for r in runbooks.runbooks]
        assert len(ids) == 21 and len(set(ids)) == 21
        assert all(r.sections and not runbooks.loading.is_stub(r) for r in runbooks.runbooks)
        assert len(runbooks.all_items()) == 3 * 222
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        last = runbooks.runbooks[-1]
        app.open_runbook(last.id, via="home")
        await wait_for(pilot, lambda: isinstance(app.screen, RunbookScreen))
        assert app.screen.runbook is last


def test_without_deferring_a_large_file_loads_whole(tmp_path: Path, monkeypatch) -> None:
    """`runbooks`, `check` and lint never see a skeleton."""
    monkeypatch.setattr(deferred, "DEFER_BYTES", 50_000)
    options = Options(runbooks=_big(tmp_path), sessions_dir=tmp_path / "sessions")
    app = build_app(options)
    runbooks = app.ctx.session.basis.runbooks
    assert runbooks.loading is None and len(runbooks.all_items()) == 3 * 222
    app.end_session("test")


def test_a_large_file_that_is_not_text_fails_at_start_as_before(tmp_path: Path, monkeypatch) -> None:
    from omniops_tui.core.errors import UserError
    from omniops_tui.runbooks.loader import load_runbook_files

    monkeypatch.setattr(deferred, "DEFER_BYTES", 1000)
    path = tmp_path / "bad.md"
    path.write_bytes(b"# Title\n\n" + b"\xff" * 2000)
    with deferred.deferring(), pytest.raises(UserError, match="not UTF-8"):
        load_runbook_files(path)


def test_the_piecewise_cache_gives_back_the_model_it_was_given(tmp_path: Path, monkeypatch) -> None:
    """A large file's model is cached one runbook, document and section at a time (so the UI
    never waits on one long pickle call): the second start reads the same model."""
    from omniops_tui.runbooks.parser import parse_markdown
    from omniops_tui.runbooks.piece_cache import parse_in_pieces

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = _big(tmp_path) / "all-runbooks.md"
    data = path.read_bytes()
    first = parse_in_pieces(path, data, None, "all-runbooks")
    assert list((tmp_path / "cache").rglob("*.pieces"))
    second = parse_in_pieces(path, data, None, "all-runbooks")
    expected = parse_markdown(data.decode(), str(path), default_title="all-runbooks").runbooks
    assert first.runbook_set.to_dict() == second.runbook_set.to_dict() == expected.to_dict()
    assert second.warnings == first.warnings
