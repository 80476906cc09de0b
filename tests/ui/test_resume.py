"""`--resume`: the same ticks and notes come back, and new events append to the same file."""

from __future__ import annotations

import json
from pathlib import Path

from omniops_tui.ui.widgets.runbook_rows import ChecklistItemRow


async def test_resume_shows_the_same_state_and_appends(make_app) -> None:
    first = make_app()
    async with first.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")  # Hotfix
        await pilot.press("down", "down", "enter")
        await pilot.press("down", "space", "down", "space")
        await pilot.press("n", *"fix deployed at 03:40", "enter")
        await pilot.press("ctrl+q")
    path = Path(first.live.recorder.path)
    ticked = {i for i, s in first.ctx.session.state.items.items() if s.done}
    assert len(ticked) == 2
    lines_before = len(path.read_text().splitlines())

    second = make_app(resume=path)
    async with second.run_test(size=(80, 24)) as pilot:
        assert {i for i, s in second.ctx.session.state.items.items() if s.done} == ticked
        assert [n.text for n in second.ctx.session.state.notes] == ["fix deployed at 03:40"]
        await pilot.press("2")  # Hotfix opens where the engineer was reading: Prerequisites
        await pilot.pause()
        assert "prerequisites" in second.screen.current_view().section.id
        await pilot.press("enter")
        await pilot.pause()
        rows = list(second.screen.current_view().query(ChecklistItemRow))
        assert [r.item.id for r in rows if r.has_class("done")] == sorted(
            ticked, key=[r.item.id for r in rows].index
        )
        await pilot.press("down", "down", "down", "space")
        await pilot.press("ctrl+q")
    assert second.live.recorder.path == path
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(records) > lines_before
    types = [r.get("type") for r in records[1:]]
    assert types.count("session_ended") == 2
    assert "session_resumed" in types
    seqs = [r["seq"] for r in records[1:]]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert len({i for i, s in second.ctx.session.state.items.items() if s.done}) == 3
