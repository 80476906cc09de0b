"""The wizard, driven by keyboard to each of the document's recommendations."""

from __future__ import annotations

from pathlib import Path

import pytest

from omniops_tui.logic.decision import TREE_FILE, load_tree
from omniops_tui.runbooks.loader import BUNDLED_DIR
from omniops_tui.ui.screens.runbook import RunbookScreen
from omniops_tui.ui.screens.wizard import WizardScreen
from tests.ui.conftest import session_events, widget_text

TREE = load_tree(BUNDLED_DIR / TREE_FILE)
REAL_SHAPES = Path(__file__).parent.parent / "fixtures" / "real-shapes"
PATHS = TREE.all_paths()


@pytest.mark.parametrize("answers", PATHS, ids=[TREE.walk(p).outcome.id for p in PATHS])
async def test_each_path_recommends_and_starts_its_runbook(make_app, answers: list[bool]) -> None:
    expected = TREE.walk(answers).outcome.runbook
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("w")
        assert isinstance(app.screen, WizardScreen)
        for answer in answers:
            await pilot.press("y" if answer else "n")
        await pilot.pause()
        assert app.ctx.session.state.wizard.recommendation.runbook_id == expected
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RunbookScreen)
        assert app.screen.runbook.id == expected
    events = session_events(app)
    answered = [e for e in events if e["type"] == "wizard_answered"]
    assert [e["answer"] for e in answered] == answers
    recommended = next(e for e in events if e["type"] == "wizard_recommended")
    assert recommended["runbook_id"] == expected
    assert [step["answer"] for step in recommended["path"]] == answers
    started = next(e for e in events if e["type"] == "runbook_started")
    assert (started["runbook_id"], started["via"]) == (expected, "wizard")


async def test_all_seven_runbooks_are_reachable() -> None:
    assert {TREE.walk(p).outcome.runbook for p in PATHS} == {
        "standard-release",
        "hotfix",
        "database-migration",
        "emergency-rollback",
        "first-time-deploy",
        "scaling-up",
        "disaster-recovery",
    }


async def test_back_restart_and_visible_path(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("w", "n", "y")
        path = widget_text(app.screen.query_one("#wizard-path"))
        assert "Is production down or severely degraded? No" in path
        assert "Planned change? Yes" in path
        assert "Critical bug?" in widget_text(app.screen.query_one("#wizard-question"))
        await pilot.press("b")
        assert [a.answer for a in app.ctx.session.state.wizard.answers] == [False]
        assert "Planned change?" in widget_text(app.screen.query_one("#wizard-question"))
        await pilot.press("r")
        assert app.ctx.session.state.wizard.answers == []
        await pilot.press("y", "n")
        assert app.ctx.session.state.wizard.recommendation.runbook_id == "emergency-rollback"
        question = widget_text(app.screen.query_one("#wizard-question"))
        assert "EMERGENCY ROLLBACK" in question
        assert "Is production down or severely degraded? Yes → Complete outage? No" in question
    types = [e["type"] for e in session_events(app)]
    assert "wizard_back" in types and "wizard_restarted" in types


async def test_without_a_tree_the_wizard_says_how_to_add_one_and_searches(make_app) -> None:
    """A team's runbooks: no bundled questions, no toast about runbooks that are not loaded;
    `w` explains how to add a tree and finds a runbook by its words."""
    from omniops_tui.ui.widgets.runbook_search import RunbookSearch

    app = make_app(runbooks=REAL_SHAPES)
    assert app.ctx.session.basis.tree is None
    assert not any("not loaded" in notice for notice in app.notices)
    assert any(notice.startswith("Loaded ") and " from " in notice for notice in app.notices)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("w")
        assert isinstance(app.screen, WizardScreen)
        assert "decision-tree.toml" in widget_text(app.screen.query_one("#wizard-path"))
        await pilot.press(*"cache")
        search = app.screen.query_one(RunbookSearch)
        assert search.matches()[0] == "cache-flush"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RunbookScreen)
        assert app.screen.runbook.id == "cache-flush"
    assert not [e for e in session_events(app) if e["type"] == "wizard_answered"]
