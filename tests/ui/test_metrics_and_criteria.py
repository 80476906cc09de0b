"""Metrics, the wizard's live evidence and the rollback banner, against the sandbox."""

from __future__ import annotations

import pytest

from omniops_tui.ui.screens.metrics import MetricsScreen
from omniops_tui.ui.screens.runbook import RunbookScreen
from omniops_tui.ui.screens.wizard import WizardScreen
from omniops_tui.ui.widgets.host_list import HostList
from tests.ui.conftest import ManualClock, criteria_states, session_events, wait_for, widget_text


async def next_round(pilot) -> None:
    """Ask for a sampling round now and wait until it is recorded."""
    app = pilot.app
    before = app.live.metrics.sampler.rounds
    app.live.metrics.sampler.sample_now()
    await wait_for(pilot, lambda: app.live.metrics.sampler.rounds > before)
    await pilot.pause(0.4)  # the coalesced table refresh


async def test_metrics_turn_red_on_an_error_spike(make_app, sandbox, tmp_path) -> None:
    app = make_app(config=sandbox.write_config(tmp_path / "c.toml"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(
            pilot, lambda: app.live.metrics.sampler is not None and app.live.metrics.sampler.rounds >= 1
        )
        await pilot.press("m")
        await pilot.pause(0.4)
        screen = app.screen
        assert isinstance(screen, MetricsScreen)
        service = screen.query_one("#service-table")
        assert str(service.get_cell("error_rate", "value")) == "● 0.03%"
        assert service.get_cell("error_rate", "value").style == "green"
        hosts = screen.query_one(HostList)
        assert [row.host for row in hosts.rows] == ["prod-1", "prod-2"]
        assert hosts.rows[0].values["cpu_percent"] == 35.2 and hosts.rows[0].source == "ssh"
        assert str(service.get_cell("error_rate", "source")).startswith("probe ")
        assert "request_rate" not in service.rows  # only Prometheus measures it: no empty row
        sandbox.set_scenario("error-spike")
        await next_round(pilot)
        cell = service.get_cell("error_rate", "value")
        assert str(cell) == "✖ 8.2%" and cell.style == "bold red"
        assert service.get_cell("p95_ms", "value").style == "yellow"  # 890 ms: amber
        assert "▁" in str(service.get_cell("error_rate", "trend"))
    samples = [e for e in session_events(app) if e["type"] == "metric_sample"]
    assert {s["metric"] for s in samples} >= {"error_rate", "p95_ms", "cpu_percent", "health_ok"}
    assert {s["host"] for s in samples if s["metric"] == "cpu_percent"} == {"prod-1", "prod-2"}


@pytest.mark.parametrize("scenario, first, second", [("healthy", False, None), ("outage", True, True)])
async def test_wizard_pre_answers_from_live_probes(
    make_app, sandbox, tmp_path, scenario: str, first: bool, second: bool | None
) -> None:
    sandbox.set_scenario(scenario)
    app = make_app(config=sandbox.write_config(tmp_path / "c.toml"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(
            pilot, lambda: app.live.metrics.sampler is not None and app.live.metrics.sampler.rounds >= 1
        )
        await next_round(pilot)  # a second round: "failed 2/2"
        await pilot.press("w")
        await pilot.pause(0.3)
        assert isinstance(app.screen, WizardScreen)
        text = widget_text(app.screen.query_one("#wizard-question"))
        assert f"Live evidence suggests  {'YES' if first else 'NO'}" in text
        assert ("health failed 2/2" if first else "health failed 0/2") in text
        await pilot.press("enter")  # accept the suggestion
        await pilot.pause(0.3)
        if second is not None:
            text = widget_text(app.screen.query_one("#wizard-question"))
            assert "Complete outage?" in text and "suggests  YES" in text
            await pilot.press("n")  # override: the engineer knows better
    answers = [e for e in session_events(app) if e["type"] == "wizard_answered"]
    assert answers[0]["answer"] is first and answers[0]["source"] == "confirmed"
    assert answers[0]["suggested"] is first and "health failed" in answers[0]["evidence"]
    if second is not None:
        assert answers[1]["source"] == "overridden" and answers[1]["suggested"] is True
        assert answers[1]["answer"] is False
    assert any(e["type"] == "wizard_suggested" for e in session_events(app))


async def test_rollback_banner_fires_after_ten_minutes_of_error_spike(make_app, sandbox, tmp_path) -> None:
    clock = ManualClock()
    app = make_app(config=sandbox.write_config(tmp_path / "c.toml"), clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(
            pilot, lambda: app.live.metrics.sampler is not None and app.live.metrics.sampler.rounds >= 1
        )
        banner = app.screen.query_one("#rollback-banner")
        assert not banner.has_class("firing")
        sandbox.set_scenario("error-spike")
        await next_round(pilot)  # error rate 8.2 % from now on
        for _ in range(3):  # nine and a half minutes of it: not yet
            clock.advance(190)
            await next_round(pilot)
        assert not app.ctx.session.state.criteria.firing
        assert criteria_states(app)["error-rate"].status == "breaching"
        clock.advance(40)  # ten minutes and more
        await next_round(pilot)
        assert "error-rate" in app.ctx.session.state.criteria.firing
        banner = app.screen.query_one("#rollback-banner")
        assert banner.has_class("firing")
        shown = widget_text(banner)
        assert (
            "ROLLBACK: Error Rate 8.2% (> 5% for 10+ minutes" in shown
            and "R opens Emergency Rollback" in shown
        )
        assert banner.size.height <= 2  # at most two rows at 80x24, however many fire
        await pilot.press("R")
        await pilot.pause(0.3)
        assert isinstance(app.screen, RunbookScreen) and app.screen.runbook.id == "emergency-rollback"
        assert app.screen.query_one("#rollback-banner").has_class("firing")  # on every screen
        sandbox.set_scenario("healthy")
        clock.advance(15)
        await next_round(pilot)
        assert not app.ctx.session.state.criteria.firing
    events = session_events(app)
    fired = next(e for e in events if e["type"] == "criterion_fired")
    assert fired["criterion_id"] == "error-rate" and "for 10m" in fired["evidence"]
    assert any(e["type"] == "criterion_cleared" and e["criterion_id"] == "error-rate" for e in events)
    started = [e for e in events if e["type"] == "runbook_started"]
    assert started[-1]["via"] == "banner"
    spike_samples = [
        e
        for e in events
        if e["type"] == "metric_sample" and e["metric"] == "error_rate" and e["value"] == 8.2
    ]
    assert spike_samples[-1]["t"] - spike_samples[0]["t"] >= 600
    assert app.ctx.session.state.metrics.latest("error_rate").value == 0.03


async def test_answers_whose_evidence_changed_are_marked_stale(make_app, sandbox, tmp_path) -> None:
    """Walked during an error spike, then the outage: `w` shows the old answer as stale, and why."""
    sandbox.set_scenario("error-spike")
    app = make_app(config=sandbox.write_config(tmp_path / "c.toml"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(
            pilot, lambda: app.live.metrics.sampler is not None and app.live.metrics.sampler.rounds >= 1
        )
        await pilot.press("w")
        await pilot.pause(0.3)
        await pilot.press("enter", "enter")  # degraded: yes; complete outage: no (both from evidence)
        await pilot.pause(0.3)
        assert app.ctx.session.state.wizard.recommendation is not None
        assert "stale" not in widget_text(app.screen.query_one("#wizard-path"))
        await pilot.press("escape")
        sandbox.set_scenario("outage")
        for _ in range(3):  # the outage probe looks at the last three health answers
            await next_round(pilot)
        await pilot.press("w")
        await pilot.pause(0.3)
        path = widget_text(app.screen.query_one("#wizard-path"))
        assert "⚠ stale: the evidence has changed: it now suggests YES" in path
        assert "no longer stand on the evidence" in path
