"""Recorded acts on the runbook screen: `d` confirms a step; `- [x]` items start ticked and say so."""

from __future__ import annotations

from pathlib import Path

from omniops_tui.ui.screens.runbook import RunbookScreen, SectionView
from omniops_tui.ui.screens.timeline import TimelineScreen
from omniops_tui.ui.widgets.runbook_rows import ChecklistItemRow
from tests.ui.conftest import session_events, wait_for, widget_text

ROLLBACK_NUMBER = "4"  # Emergency Rollback is the home screen's fourth runbook
PROCEDURE = "6"  # its sidebar's Step-by-Step Procedure


async def test_d_confirms_the_step_under_the_cursor_once_and_the_timeline_shows_it(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(ROLLBACK_NUMBER)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RunbookScreen) and screen.runbook.id == "emergency-rollback"
        await pilot.press("d")  # on the sidebar: no step under the cursor, nothing recorded
        await pilot.press(PROCEDURE)
        await wait_for(pilot, lambda: screen.current_section.title == "Step-by-Step Procedure")
        screen.query_one(f"#{screen.query_one('ContentSwitcher').current}", SectionView).focus()
        await pilot.pause()
        for _ in range(40):  # down to the first step heading (or a row under it)
            if screen.current_step() is not None:
                break
            await pilot.press("down")
        step = screen.current_step()
        assert step is not None and step.anchor_id == "emergency-rollback/step-1-vercel-rollback"
        await pilot.press("d", "d")  # the second press is "already confirmed", not a second event
        await wait_for(pilot, lambda: any(e["type"] == "step_confirmed" for e in session_events(app)))
        confirmed = [e for e in session_events(app) if e["type"] == "step_confirmed"]
        assert [(e["runbook_id"], e["step_id"], e["title"]) for e in confirmed] == [
            ("emergency-rollback", "emergency-rollback/step-1-vercel-rollback", "Vercel Rollback")
        ]
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TimelineScreen)
        assert "Step confirmed: Vercel Rollback" in widget_text(app.screen.query_one("#timeline-table"))


async def test_items_written_ticked_start_ticked_and_the_record_says_so(make_app, tmp_path: Path) -> None:
    runbooks = tmp_path / "team.md"
    runbooks.write_text(
        "# Team\n\n## 1. Deploy\n\n### Checklist\n\n- [x] Change approved\n- [ ] Tests passing\n",
        encoding="utf-8",
    )
    app = make_app(runbooks=runbooks)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RunbookScreen)
        await wait_for(pilot, lambda: any(e["type"] == "runbook_started" for e in session_events(app)))
        [started] = [e for e in session_events(app) if e["type"] == "runbook_started"]
        approved = next(i for i in screen.runbook.checklist_items() if i.text == "Change approved")
        assert started["preticked"] == [approved.id]
        assert app.live is not None and app.live.state.is_done(approved.id)
        await pilot.press("1")  # the checklist section
        await pilot.pause()
        rows = {row.item.text: row for row in screen.query(ChecklistItemRow)}
        await wait_for(pilot, lambda: rows["Change approved"].has_class("done"))
        assert not rows["Tests passing"].has_class("done")


async def test_check_results_bound_to_a_step_show_on_the_step(make_app) -> None:
    """Disaster Recovery's "Assess Damage" has no checklist: its live answers show on the step,
    and follow new results."""
    from omniops_tui.core.events import CheckResultEvent
    from omniops_tui.ui.widgets.runbook_rows import LiveAnswersRow

    place = "disaster-recovery/step-1-assess-damage"

    def result(status: str, summary: str) -> CheckResultEvent:
        return CheckResultEvent(
            check_id="health", title="Health", status=status, summary=summary, places=[place]
        )

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.live is not None
        app.live.record(result("error", "health: 503 Service Unavailable"))
        await pilot.press("7")  # Disaster Recovery
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RunbookScreen) and screen.runbook.id == "disaster-recovery"
        await pilot.press("4")  # Recovery Steps
        await wait_for(pilot, lambda: screen.current_section.title == "Recovery Steps")

        def answers() -> str:
            rows = [row for row in screen.query(LiveAnswersRow) if row.place_id == place]
            return widget_text(rows[0].query_one(".live-answers")) if rows else ""

        await wait_for(pilot, lambda: "Health: health: 503 Service Unavailable" in answers())
        app.live.record(result("pass", "health 200 OK"))
        await wait_for(pilot, lambda: "Health: health 200 OK" in answers())
