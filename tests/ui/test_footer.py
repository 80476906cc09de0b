"""The key bar is one line of text: the active keys of its screen, a click on one presses it."""

from __future__ import annotations

from omniops_tui.ui.screens.help import HelpScreen
from omniops_tui.ui.screens.home import HomeScreen
from omniops_tui.ui.widgets.footer import KeyFooter
from tests.ui.conftest import wait_for


async def home_footer(app, pilot) -> KeyFooter:
    await wait_for(
        pilot,
        lambda: (
            bool(app.screen_stack)
            and isinstance(app.screen, HomeScreen)
            and app.screen.query_one(KeyFooter).shown
        ),
    )
    return app.screen.query_one(KeyFooter)


async def test_home_shows_its_keys_on_one_line_and_a_click_presses_one(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        footer = await home_footer(app, pilot)
        line = str(footer.render())
        assert not footer.children and len(line) <= 80
        assert " ? Help" in line and line.rstrip().endswith("palette")
        start = line.index(" ? Help")
        await pilot.click(KeyFooter, offset=(start + 2, 0))
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))


async def test_a_key_that_does_not_fit_is_left_out_whole(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        footer = await home_footer(app, pilot)
        footer.styles.width = 44
        await wait_for(pilot, lambda: footer.size.width == 44)
        line = str(footer.render())
        assert len(line) <= 44
        drawn = [shown.description for shown in footer.shown if f" {shown.description} " in line]
        assert drawn and len(drawn) < len(footer.shown)  # the rest is left out, never cut
