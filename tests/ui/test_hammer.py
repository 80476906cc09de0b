"""Quick hands on the live TUI: whatever the order and pace of keys, it never crashes and still
answers (issue 9 D: `Enter Down Down Down Escape` ×12 crashed it with `NoMatches ... view-3`)."""

from __future__ import annotations

import asyncio

import pytest
from textual import events

from omniops_tui.ui.screens.home import HomeScreen
from omniops_tui.ui.screens.runbook import RunbookScreen

ROUND = ("enter", "down", "down", "down", "escape")
# (keys of one round, rounds): the screens l/m/w open are heavier, so fewer rounds of them.
VARIANTS = {
    "enter-down-escape": (ROUND, 12),
    "digits-tab-brackets": (("enter", "3", "down", "5", "tab", "right_square_bracket", "2", "escape"), 8),
    "l-m-w-mid-transition": (
        ("enter", "down", "l", "escape", "enter", "m", "down", "w", "escape", "escape"),
        4,
    ),
}


def burst(app, *keys: str) -> None:
    """Keys as a fast typist (or a paste) sends them: all queued at once, none waited for, so
    they land while screens are still mounting and timers are pending."""
    for key in keys:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(app)
        app._driver.send_message(event)


async def still_answers(pilot, app) -> None:
    """The app runs, and a key still moves it: back home, then into a runbook and out."""
    assert app.is_running and app.return_code in (None, 0)
    for _ in range(4):
        if isinstance(app.screen, HomeScreen):
            break
        await pilot.press("escape")
        await pilot.pause()
    assert isinstance(app.screen, HomeScreen)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, RunbookScreen) and app.screen.current_section is not None
    await pilot.press("escape")
    await pilot.pause()
    assert isinstance(app.screen, HomeScreen)


@pytest.mark.parametrize(("keys", "rounds"), VARIANTS.values(), ids=list(VARIANTS))
async def test_hammering_navigation_never_crashes(make_app, keys, rounds) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(rounds):
            burst(app, *keys)
            await asyncio.sleep(0.05)  # a human-ish gap between rounds, far shorter than a mount
        await pilot.pause()
        await still_answers(pilot, app)
    assert app.return_code in (None, 0)


async def test_a_section_shown_after_the_screen_is_gone_does_nothing(make_app) -> None:
    """The cause of the old crash: a deferred section switch landing after the screen left."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RunbookScreen)
        await pilot.press("escape")
        await pilot.pause()
        screen.show_section(screen.runbook.sections[3].id)  # as a late timer would
        screen.action_next_section()
        screen.action_focus_content()
        await pilot.pause()
        await still_answers(pilot, app)
    assert app.return_code in (None, 0)


async def test_a_runbook_popped_before_it_mounted_is_harmless(make_app) -> None:
    """`Enter` then `Escape` faster than the screen mounts: its mount and resume find no widgets."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(3):
            burst(app, "enter", "escape", "3", "escape", "enter", "5", "escape")
        await pilot.pause()
        for _ in range(3):
            screen = RunbookScreen(app.ctx, app.ctx.session.basis.runbooks.runbooks[0])
            app.push_screen(screen)
            app.pop_screen()  # before the screen has had a turn to mount
            await pilot.pause()
            screen.on_screen_resume()  # as a resume arriving after the pop would
            screen.action_switch_focus()
            screen.action_toggle_sidebar()
        await still_answers(pilot, app)
    assert app.return_code in (None, 0)
