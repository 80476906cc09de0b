"""A team's own runbook in the TUI: deep headings in the sidebar, nested items tickable with
their detail under them, `- [x]` ticked from the start."""

from __future__ import annotations

from pathlib import Path

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
        assert child.query_one(".item-box").region.x > parent.query_one(".item-box").region.x
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
