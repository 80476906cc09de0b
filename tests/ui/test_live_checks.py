"""Live checklists against the sandbox production: ticks, red with evidence, flags, overrides,
and a target that never answers costing one timeout while keys keep answering."""

from __future__ import annotations

from pathlib import Path

from omniops_tui.sandbox import BlackholeServer
from omniops_tui.ui.app import OmniOpsApp
from omniops_tui.ui.screens.note import ReasonDialog
from omniops_tui.ui.screens.runbook import RunbookScreen
from omniops_tui.ui.widgets.runbook_rows import ChecklistItemRow
from tests.ui.conftest import session_events, wait_for, widget_text

HEALTH = "standard-release/verification-checklist/health-endpoint-returns-200-ok"
ERROR_RATE = "standard-release/verification-checklist/error-rate-0-1"


async def open_verification(pilot) -> RunbookScreen:
    await pilot.press("enter")
    await pilot.press("6", "enter")  # section 6, Verification Checklist: read it
    await pilot.pause()
    screen = pilot.app.screen
    assert screen.current_section.title == "Verification Checklist"
    return screen


def row_for(screen: RunbookScreen, item_id: str) -> ChecklistItemRow:
    return next(r for r in screen.current_view().query(ChecklistItemRow) if r.item.id == item_id)


async def mounted_row(pilot, screen: RunbookScreen, item_id: str) -> ChecklistItemRow:
    """The item's row once it is mounted: a section's rows arrive a batch per frame."""
    await wait_for(
        pilot, lambda: any(r.item.id == item_id for r in screen.current_view().query(ChecklistItemRow))
    )
    return row_for(screen, item_id)


async def test_items_tick_themselves_then_turn_red_and_are_flagged(make_app, sandbox, tmp_path) -> None:
    config = sandbox.write_config(tmp_path / "config.toml")
    app: OmniOpsApp = make_app(config=config)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_verification(pilot)
        await wait_for(
            pilot, lambda: app.ctx.session.state.is_done(HEALTH) and app.ctx.session.state.is_done(ERROR_RATE)
        )
        await pilot.pause(0.2)
        health = await mounted_row(pilot, screen, HEALTH)
        assert health.has_class("done")
        assert "200 OK" in widget_text(health.query_one(".item-text"))

        sandbox.set_scenario("error-spike")
        await pilot.press("r")
        await wait_for(pilot, lambda: app.ctx.session.state.items[ERROR_RATE].check_status == "fail")
        await pilot.pause(0.3)
        row = await mounted_row(pilot, screen, ERROR_RATE)
        assert row.has_class("failing") and row.has_class("flagged")
        text = widget_text(row.query_one(".item-text"))
        assert "error rate 8.2" in text and "was passing, now failing" in text
        assert any("Was passing, now failing" in message for message in app.messages_shown)

        sandbox.set_scenario("healthy")
        await pilot.press("r")
        await wait_for(pilot, lambda: app.ctx.session.state.items[ERROR_RATE].check_status == "pass")
    events = session_events(app)
    results = [e for e in events if e["type"] == "check_result" and ERROR_RATE in e["item_ids"]]
    assert [r["status"] for r in results][:2] == ["pass", "fail"]
    assert results[1]["evidence"]["asked"].startswith("GET ")
    assert any(e["type"] == "item_flagged" and e["item_id"] == ERROR_RATE for e in events)


async def test_manual_override_needs_a_reason_and_is_recorded(make_app, sandbox, tmp_path) -> None:
    sandbox.set_scenario("error-spike")
    app = make_app(config=sandbox.write_config(tmp_path / "config.toml"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_verification(pilot)
        await wait_for(
            pilot,
            lambda: (
                ERROR_RATE in app.ctx.session.state.items
                and app.ctx.session.state.items[ERROR_RATE].check_status == "fail"
            ),
        )
        await mounted_row(pilot, screen, ERROR_RATE)  # rows arrive a batch per frame
        view = screen.current_view()
        view.focus()
        view.index = next(
            i
            for i, c in enumerate(view.children)
            if isinstance(c, ChecklistItemRow) and c.item.id == ERROR_RATE
        )
        await pilot.press("space")
        await pilot.pause()
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press(*"known spike from the load test", "enter")
        await pilot.pause()
        state = app.ctx.session.state.items[ERROR_RATE]
        assert state.done and state.overridden and state.manual_reason == "known spike from the load test"
        assert "by hand over the check" in widget_text(row_for(screen, ERROR_RATE).query_one(".item-text"))
    checked = [e for e in session_events(app) if e["type"] == "item_checked"]
    assert checked[-1]["item_id"] == ERROR_RATE
    assert checked[-1]["reason"] == "known spike from the load test"


async def test_a_target_that_never_answers_costs_one_timeout_and_keys_still_answer(
    make_app, tmp_path: Path
) -> None:
    async with BlackholeServer() as hole:
        config = tmp_path / "config.toml"
        config.write_text(
            f'default_env = "dead"\ntimeout = 3\n[env.dead]\nbase_url = "http://{hole.address}"\n'
        )
        app = make_app(config=config)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_verification(pilot)
            await wait_for(pilot, lambda: bool(app.live.running_items) or app.live.checks.sweeps >= 1)
            # While every HTTP check hangs, keys still do what they do ...
            await pilot.press("down", "down", "down")
            await pilot.press("question_mark")
            assert type(app.screen).__name__ == "HelpScreen"
            await pilot.press("escape")
            # ... and the whole sweep ends as one timeout: every check of it answers "timed out".
            await wait_for(pilot, lambda: app.live.checks.sweeps >= 1, timeout=30)
            health = app.ctx.session.state.items[HEALTH]
            assert health.check_status == "error" and "timed out" in health.check_summary
            assert screen.runbook.id == "standard-release"


async def test_coming_back_within_the_interval_does_not_sweep_again_but_r_does(
    make_app, sandbox, tmp_path
) -> None:
    config = sandbox.write_config(tmp_path / "config.toml")  # check_interval = 15
    app: OmniOpsApp = make_app(config=config)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_verification(pilot)
        checks = app.live.checks
        await wait_for(pilot, lambda: checks.sweeps >= 1 and not checks.running_items, timeout=30)
        swept = checks.sweeps
        await pilot.press("m")  # a look at the metrics: the runbook's checks stop ...
        await wait_for(pilot, lambda: type(app.screen).__name__ == "MetricsScreen")
        await pilot.press("escape")  # ... and coming back, its answers are still fresh
        await wait_for(pilot, lambda: app.screen is screen and checks.runbook_id == screen.runbook.id)
        await pilot.pause()
        assert not checks.running_items and checks.sweeps == swept
        await pilot.press("r")  # asked for: at once
        await wait_for(pilot, lambda: checks.sweeps > swept, timeout=30)
