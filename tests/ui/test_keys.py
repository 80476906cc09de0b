"""Keys mean one thing and work where a person expects them (issue 9 D "Keys"): `l` opens Logs
from the sidebar and the content alike, `w` works on a runbook screen, digits jump to the
numbered sidebar sections, re-opening a runbook returns to its section, and an empty override
reason is refused visibly."""

from __future__ import annotations

import pytest

from omniops_tui.ui.screens.logs import LogsScreen
from omniops_tui.ui.screens.note import ReasonDialog
from omniops_tui.ui.screens.runbook import RunbookScreen, SectionList, SectionView
from omniops_tui.ui.screens.wizard import WizardScreen
from omniops_tui.ui.widgets.runbook_rows import ChecklistItemRow
from tests.ui.conftest import session_events


async def open_standard_release(pilot) -> RunbookScreen:
    await pilot.press("enter")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, RunbookScreen)
    return screen


@pytest.mark.parametrize("where", ["sidebar", "content"])
async def test_l_opens_logs_from_the_sidebar_and_the_content(make_app, where) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_standard_release(pilot)
        if where == "content":
            await pilot.press("right")
            assert isinstance(app.focused, SectionView)
        else:
            assert isinstance(app.focused, SectionList)
        section = screen.current_section
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, LogsScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and screen.current_section is section  # focus did not move it


async def test_w_opens_the_wizard_from_a_runbook(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_standard_release(pilot)
        for focus in ("sidebar", "content"):
            if focus == "content":
                await pilot.press("right")
            await pilot.press("w")
            await pilot.pause()
            assert isinstance(app.screen, WizardScreen), focus
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, RunbookScreen)


async def test_digits_jump_to_the_numbered_sidebar_sections(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_standard_release(pilot)
        sections = screen.runbook.sections
        for digit in ("4", "2", "1"):
            await pilot.press(digit)
            await pilot.pause()
            assert screen.current_section is sections[int(digit) - 1]
            assert screen.query_one(SectionList).highlighted == int(digit) - 1
        await pilot.press("right", "3")  # from the content too
        await pilot.pause()
        assert screen.current_section is sections[2]


async def test_reopening_a_runbook_returns_to_its_section(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_standard_release(pilot)
        await pilot.press("4")
        await pilot.pause()
        wanted = screen.current_section
        await pilot.press("escape", "down", "enter", "escape", "up")  # another runbook in between
        await pilot.pause()
        again = await open_standard_release(pilot)
        assert again is not screen  # a fresh screen, yet the section is remembered
        assert again.current_section.id == wanted.id
        assert again.query_one(SectionList).highlighted == screen.runbook.sections.index(wanted)


async def test_an_empty_override_reason_is_refused_visibly(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_standard_release(pilot)
        await pilot.press("3", "right", "down")
        await pilot.pause()
        row = screen.current_row()
        assert isinstance(row, ChecklistItemRow)
        screen._override(row, True)  # as a tick against a failing check does
        await pilot.pause()
        assert isinstance(app.screen, ReasonDialog)
        before = len(app._notifications)
        await pilot.press("space", "space", "enter")  # blank is no reason
        await pilot.pause()
        assert isinstance(app.screen, ReasonDialog)  # the dialog stays ...
        shown = list(app._notifications)[before:]
        assert any("reason is required" in n.message for n in shown)  # ... and says why
        assert not app.ctx.session.state.is_done(row.item.id)
        await pilot.press(*"load test", "enter")
        await pilot.pause()
        assert app.screen is screen and app.ctx.session.state.is_done(row.item.id)
    ticks = [e for e in session_events(app) if e["type"] == "item_checked"]
    assert [t["reason"] for t in ticks] == ["load test"]
