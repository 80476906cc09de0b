"""Keys that arrive together with the one that opens a runbook go to that runbook (over SSH,
keys often come in one read): they must not move home's cursor to another runbook."""

from __future__ import annotations

from textual import events
from textual.widgets import DataTable

from omniops_tui.ui.screens.home import HomeScreen
from omniops_tui.ui.screens.runbook import RunbookScreen
from tests.ui.conftest import wait_for


async def home_with_engine(app, pilot) -> None:
    """Home on screen and the engine in: keys from now on reach a live session."""
    await wait_for(
        pilot, lambda: bool(app.screen_stack) and isinstance(app.screen, HomeScreen) and app.live is not None
    )


async def burst_into_a_runbook(app, pilot, keys: tuple[str, ...]) -> str:
    """Post `keys` on home as one burst (as from one read); once the runbook they open has been
    handed what was held for it, go back home. The id of the runbook they opened."""
    home = app.screen
    for key in keys:
        app.post_message(events.Key(key, None))
    await wait_for(pilot, lambda: isinstance(app.screen, RunbookScreen))
    opened = app.screen.runbook.id
    await wait_for(pilot, lambda: not app.type_ahead._held)  # handed to the runbook
    await pilot.pause()
    await pilot.press("escape")
    await wait_for(pilot, lambda: app.screen is home)
    return opened


async def test_keys_typed_with_enter_go_to_the_runbook_it_opens(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await home_with_engine(app, pilot)
        table = app.screen.query_one(DataTable)
        await pilot.pause()
        await burst_into_a_runbook(app, pilot, ("enter", "down", "down", "down"))
        assert table.cursor_row == 0  # the downs went to the runbook, not to home's table
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RunbookScreen))
        assert app.screen.runbook.id == "standard-release"


async def test_a_key_handed_on_before_the_opening_one_counts_once(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await home_with_engine(app, pilot)
        table = app.screen.query_one(DataTable)
        await pilot.pause()
        # home's cursor to Hotfix, open it, a key for it
        assert await burst_into_a_runbook(app, pilot, ("down", "enter", "down")) == "hotfix"
        assert table.cursor_row == 1  # the first down moved it once, the second went to Hotfix


async def test_a_key_that_opens_nothing_holds_nothing_for_long(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await home_with_engine(app, pilot)
        table = app.screen.query_one(DataTable)
        app.post_message(events.Key("9", "9"))  # no 9th runbook: nothing opens
        app.post_message(events.Key("down", None))
        await wait_for(pilot, lambda: table.cursor_row == 1)  # handed over within HOLD_MAX_S
