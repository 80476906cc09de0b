"""The runbook screen driven like an engineer would: sections, ticks, copy, notes, palette."""

from __future__ import annotations

import pytest

from omniops_tui.ui.screens.help import HelpScreen
from omniops_tui.ui.screens.home import HomeScreen
from omniops_tui.ui.screens.runbook import RunbookScreen, SectionList, SectionView
from omniops_tui.ui.screens.timeline import TimelineScreen
from omniops_tui.ui.screens.too_small import TooSmallScreen
from omniops_tui.ui.widgets.runbook_rows import ChecklistHeaderRow, ChecklistItemRow, CommandRow
from tests.ui.conftest import session_events, wait_for, widget_text


async def _open_prerequisites(pilot) -> RunbookScreen:
    await pilot.press("enter")  # Standard Release
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, RunbookScreen)
    await pilot.press("down", "down", "enter")  # sidebar: 3 Prerequisites Checklist, read it
    await pilot.pause()
    assert screen.current_section.title == "Prerequisites Checklist"
    assert isinstance(pilot.app.focused, SectionView)
    return screen


@pytest.mark.parametrize("number", range(1, 8))  # one runbook per test: they spread over workers
async def test_every_section_is_reachable_from_the_sidebar(make_app, runbook_set, number: int) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        for runbook in [runbook_set.runbooks[number - 1]]:
            await pilot.press(str(number))
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, RunbookScreen) and screen.runbook.id == runbook.id
            sidebar = screen.query_one(SectionList)
            seen: list[str] = []
            for entry in sidebar.entries:  # sections, and the headings under them down to ####
                wanted = sidebar.section_of(entry.id)
                await wait_for(pilot, lambda s=screen, w=wanted: s.current_section.id == w)
                if screen.current_section.id not in seen:
                    seen.append(screen.current_section.id)
                await pilot.press("down")
            assert seen == [s.id for s in runbook.sections]
            await pilot.press("escape")
            assert isinstance(app.screen, HomeScreen)


async def test_ticking_items_records_events_and_updates_progress(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_prerequisites(pilot)
        view = screen.current_view()
        assert isinstance(view.highlighted_child, ChecklistHeaderRow)
        await pilot.press("down", "space", "down", "space", "down", "space")
        await pilot.press("up", "space")  # untick the second
        await pilot.pause()
        rows = list(view.query(ChecklistItemRow))
        assert [r.has_class("done") for r in rows[:4]] == [True, False, True, False]
        header = view.query(ChecklistHeaderRow).first()
        assert "2/7" in widget_text(header.query_one("Static"))
        assert "checklists 2/45" in widget_text(screen.query_one("#runbook-header"))
        prompt = screen.query_one(SectionList).get_option_at_index(2).prompt
        assert "2/18" in widget_text(type("W", (), {"content": prompt})())
        await pilot.press("escape")
        assert "2/45" in widget_text(
            type(
                "W", (), {"content": app.screen.query_one("DataTable").get_cell("standard-release", "done")}
            )()
        )
    events = [e for e in session_events(app) if e["type"].startswith("item_")]
    assert [e["type"] for e in events] == ["item_checked"] * 3 + ["item_unchecked"]
    assert events[0]["item_id"] == (
        "standard-release/prerequisites-checklist/code-quality/all-tests-passing-npm-run-test-all"
    )
    assert events[0]["text"] == "All tests passing (`npm run test:all`)"
    assert events[-1]["item_id"] == events[1]["item_id"]


async def test_next_open_item_jumps_across_sections(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_prerequisites(pilot)
        await pilot.press("o")
        await pilot.pause()
        row = screen.current_row()
        assert isinstance(row, ChecklistItemRow) and row.item.text.startswith("All tests passing")
        await pilot.press("space", "o")
        await pilot.pause()
        assert screen.current_row().item.text.startswith("Type checking clean")


async def test_copy_command_uses_osc52_and_is_recorded(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        screen = app.screen
        await pilot.press("down", "down", "down", "enter")  # Before You Start
        await pilot.pause()
        view = screen.current_view()
        command_index = next(i for i, c in enumerate(view.children) if isinstance(c, CommandRow))
        view.index = command_index
        await pilot.press("c")
        await pilot.pause()
        row = view.children[command_index]
        assert app.clipboard == row.block.code
        assert "Deployment Team:" in app.clipboard
    copied = [e for e in session_events(app) if e["type"] == "command_copied"]
    assert copied and copied[0]["block_id"] == row.block.id


async def test_note_goes_to_the_timeline(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4", "n")
        await pilot.pause()
        await pilot.press(*"error rate 8.2%, rolling back")
        await pilot.press("enter")
        await pilot.pause()
        assert [n.text for n in app.ctx.session.state.notes] == ["error rate 8.2%, rolling back"]
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TimelineScreen)
        assert "error rate 8.2%, rolling back" in widget_text(app.screen.query_one("#timeline-table"))
    note = next(e for e in session_events(app) if e["type"] == "note_added")
    assert note["runbook_id"] == "emergency-rollback"
    assert note["section_id"] == "emergency-rollback/when-to-use"


async def test_palette_jumps_to_a_section(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Hotfix Deployment › Verification")
        from textual.command import CommandList

        for _ in range(100):  # the palette searches in the background: wait for the hit
            await pilot.pause(0.05)
            options = app.screen.query_one(CommandList)
            if options.option_count and "Verification" in str(options.get_option_at_index(0).prompt):
                break
        await pilot.press("enter")
        await pilot.pause(0.3)
        screen = app.screen
        assert isinstance(screen, RunbookScreen)
        assert screen.runbook.id == "hotfix"
        assert screen.current_section.id == "hotfix/verification-checklist"


async def test_help_lists_every_binding(make_app) -> None:
    from omniops_tui.ui.app import OmniOpsApp
    from omniops_tui.ui.screens.wizard import WizardScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = widget_text(app.screen.query_one("#help-table"))
        for cls in (OmniOpsApp, HomeScreen, RunbookScreen, WizardScreen):
            for binding in cls.BINDINGS:
                assert binding.description in text, binding
        assert "ctrl+p" in text
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_too_small_terminal_shows_a_message_not_a_broken_layout(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(50, 14)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        assert "Terminal too small: 50x14" in widget_text(app.screen.query_one("#too-small"))
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_long_checklist_text_wraps_at_80_columns(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("5")  # First-Time Deploy
        await pilot.pause()
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        row = next(
            r
            for r in app.screen.current_view().query(ChecklistItemRow)
            if "Hosting platform ready" in r.item.text
        )
        text = row.query_one(".item-text")
        assert text.region.right <= 80
        assert text.size.height >= 1


async def test_the_footer_keeps_its_keys_until_they_change(make_app) -> None:
    from omniops_tui.ui.widgets.footer import KeyFooter

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_prerequisites(pilot)
        footer = screen.query_one(KeyFooter)
        keys = footer.shown
        assert "Tick" in " ".join(key.description for key in keys)
        screen.refresh_bindings()  # a signal that changes no key: nothing is redrawn
        await pilot.pause()
        assert footer.shown is keys
        await pilot.press("t")  # another screen, other keys: its own footer shows them
        await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        assert "Tick" in " ".join(key.description for key in footer.shown)
