"""A team's own runbook in the TUI: deep headings in the sidebar, nested items tickable with
their detail under them, `- [x]` ticked from the start."""

from __future__ import annotations

from pathlib import Path

from omniops_tui.runbooks.outline import outline
from omniops_tui.ui.screens.runbook import RunbookScreen, SectionList, SectionView
from omniops_tui.ui.widgets.command_row import CommandRow
from omniops_tui.ui.widgets.runbook_rows import ChecklistItemRow, HeadingRow, ProseRow
from tests.ui.conftest import session_events, wait_for

TEAM_RUNBOOK = """\
---
title: Payments API cut-over
tags: [payments, cutover]
---

## Preparation

- [ ] Freeze merges
  - [ ] Announce in the channel

    Post the freeze window and who is on call.
  - [ ] Pause the deploy pipeline
    - the pipeline has a pause button
    ```bash
    pipeline pause payments-api
    ```
- [x] Capacity reviewed last week

## Cut-over

### Phase 1: Drain

#### Step 1.1: Stop the consumers

Scale the consumers down.

#### Step 1.2: Wait for the queue

Watch the queue length reach zero.

### Phase 2: Switch

Point the load balancer at the new pool.
"""


def _write(tmp_path: Path) -> Path:
    folder = tmp_path / "team"
    folder.mkdir()
    (folder / "payments-cutover.md").write_text(TEAM_RUNBOOK)
    return folder


async def test_sidebar_lists_headings_down_to_h4_and_scrolls_to_them(make_app, tmp_path: Path) -> None:
    app = make_app(runbooks=_write(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1")
        await wait_for(pilot, lambda: isinstance(app.screen, RunbookScreen))
        screen = app.screen
        sidebar = screen.query_one(SectionList)
        titles = [(e.depth, e.title) for e in sidebar.entries]
        assert (2, "Step 1.2: Wait for the queue") in titles and (1, "Phase 2: Switch") in titles
        step = next(e for e in sidebar.entries if e.title == "Step 1.2: Wait for the queue")
        sidebar.highlighted = sidebar.index_of(step.id)
        await wait_for(pilot, lambda: screen.current_section.title == "Cut-over")

        def on_heading() -> bool:
            row = screen.current_row()
            return isinstance(row, HeadingRow) and row.anchor_id == step.id

        await wait_for(pilot, on_heading)
        assert app.focused is sidebar  # browsing the outline does not steal the focus


async def test_nested_items_indent_tick_alone_and_show_their_detail(make_app, tmp_path: Path) -> None:
    app = make_app(runbooks=_write(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1")
        await wait_for(pilot, lambda: isinstance(app.screen, RunbookScreen))
        screen = app.screen
        await pilot.press("enter")  # the first section (Preparation), read it
        await wait_for(pilot, lambda: isinstance(app.focused, SectionView))
        view = screen.current_view()
        items = {row.item.text: row for row in view.query(ChecklistItemRow)}
        parent, child = items["Freeze merges"], items["Pause the deploy pipeline"]
        assert child.query_one(".item-text").region.x > parent.query_one(".item-text").region.x
        detail = [r for r in view.children if isinstance(r, (ProseRow, CommandRow))]
        assert any(isinstance(r, CommandRow) and "pipeline pause" in r.block.code for r in detail)
        assert any(isinstance(r, ProseRow) and "freeze window" in r.block.text for r in detail)
        assert items["Capacity reviewed last week"].has_class("done")  # `- [x]` starts ticked
        view.index = list(view.children).index(child)
        await pilot.press("space")
        await wait_for(pilot, lambda: child.has_class("done"))
        assert not parent.has_class("done")
    ticked = [e["item_id"] for e in session_events(app) if e["type"] == "item_checked"]
    assert ticked[-1] == child.item.id
    assert any(i.endswith("capacity-reviewed-last-week") for i in ticked)


REAL_SHAPES = Path(__file__).parent.parent / "fixtures" / "real-shapes"


async def test_home_groups_by_folder_cuts_long_titles_and_hides_empty_columns(make_app, tmp_path) -> None:
    from textual.widgets import DataTable

    folder = tmp_path / "alerts"
    for name in ("disk", "net"):
        (folder / name).mkdir(parents=True)
        long = "Persistent volume is filling up on a node of the storage cluster " * 2
        (folder / name / f"{name}.md").write_text(f"# {name.title()}: {long}\n\n## Diagnosis\n\nLook.\n")
    app = make_app(runbooks=folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        labels = [str(column.label) for column in table.columns.values()]
        assert labels == ["Runbook"]  # no duration, risk, rollback, checklist or when-to-use here
        keys = [row.key.value for row in table.ordered_rows]
        assert keys == ["group:disk", "disk", "group:net", "net"]
        assert all(row.height == 1 for row in table.ordered_rows)  # cut, not wrapped over lines
        assert table.cursor_row == 1  # on the first runbook, not on a group heading


async def test_text_outside_the_runbooks_is_reachable_from_home_and_palette(make_app) -> None:
    from textual.command import CommandList
    from textual.widgets import DataTable

    app = make_app()  # the bundled document: its appendix holds the contacts and the cheat sheet
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        keys = [row.key.value for row in table.ordered_rows]
        assert keys[-1] == "text:document"
        table.move_cursor(row=len(keys) - 1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RunbookScreen))
        titles = [e.title for e in app.screen.query_one(SectionList).entries]
        assert "Emergency Contacts Template" in titles and "Common Commands Cheat Sheet" in titles
        await pilot.press("escape")
        for word, wanted in (("cheat", "Common Commands Cheat Sheet"), ("contacts", "Emergency Contacts")):
            await pilot.press("ctrl+p")
            await pilot.press(*word)

            def found(w: str = wanted) -> bool:
                options = app.screen.query(CommandList)
                return bool(options) and any(
                    w in str(options.first().get_option_at_index(i).prompt)
                    for i in range(options.first().option_count)
                )

            await wait_for(pilot, found)
            await pilot.press("escape")
            await wait_for(pilot, lambda: not app.screen.query(CommandList))


async def test_home_and_end_on_the_overview_go_to_the_first_and_last_row(make_app) -> None:
    from textual.widgets import DataTable

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        await pilot.press("end")
        assert table.cursor_row == table.row_count - 1  # the last row, not a sideways scroll
        assert table.scroll_x == 0
        await pilot.press("home")
        assert table.cursor_row == 0


async def test_a_heading_asked_for_before_mount_is_shown(make_app, tmp_path: Path) -> None:
    """Keys faster than the first frame: a sidebar heading chosen before mount is not lost."""
    app = make_app(runbooks=_write(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        runbook = app.ctx.session.basis.runbooks.runbooks[0]
        screen = RunbookScreen(app.ctx, runbook)
        section = next(s for s in runbook.sections if s.title == "Cut-over")
        anchor = next(e.id for e in outline(runbook) if e.title == "Step 1.2: Wait for the queue")
        screen.show_section(section.id, anchor)  # not mounted yet: kept for mount
        await app.push_screen(screen)

        def on_heading() -> bool:
            row = screen.current_row()
            return isinstance(row, HeadingRow) and row.anchor_id == anchor

        await wait_for(pilot, on_heading)
        assert screen.current_section.title == "Cut-over"
