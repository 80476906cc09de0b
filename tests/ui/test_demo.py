"""`omniops-tui demo` end to end, as a newcomer would use it, then its replay and export."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from omniops_tui.options import Options
from omniops_tui.sessions.export import export_session
from omniops_tui.ui.demo_runner import prepare_demo_app
from omniops_tui.ui.screens.demo import TourScreen
from omniops_tui.ui.screens.home import HomeScreen
from omniops_tui.ui.screens.runbook import RunbookScreen
from omniops_tui.ui.screens.wizard import WizardScreen
from omniops_tui.ui.widgets.runbook_rows import ChecklistItemRow
from tests.prometheus.conftest import prometheus_binary  # noqa: F401 (fixture: installs it if missing)
from tests.services import server_url
from tests.ui.conftest import criteria_states, session_events, wait_for, widget_text

ERROR_RATE = "standard-release/verification-checklist/error-rate-0-1"


def options(tmp_path: Path) -> Options:
    return Options(runbooks=None, sessions_dir=tmp_path / "sessions", config=None, env=None, read_only=False)


async def test_demo_end_to_end(tmp_path: Path, postgres_url: str, redis_url: str) -> None:
    """On the probes (the figures exact at once); the Prometheus default is tested below."""
    app, services = prepare_demo_app(
        options(tmp_path),
        tour=True,
        session_id="demo-test",
        database_url=server_url(postgres_url),
        redis_url=redis_url,
        with_prometheus=False,
    )
    workdir = services.workdir
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause(0.3)
            assert isinstance(app.screen, TourScreen)  # first run: the tour
            await pilot.press("enter", "escape")
            assert isinstance(app.screen, HomeScreen)
            await wait_for(
                pilot, lambda: app.live.metrics.sampler is not None and app.live.metrics.sampler.rounds >= 1
            )
            assert app.ctx.session.state.metrics.latest("db_connected").value == 1
            assert (
                app.ctx.session.state.metrics.latest("redis_hit_rate").value is not None
            )  # real Redis traffic
            assert (
                app.ctx.session.state.metrics.latest("db_connections_pct").value is not None
            )  # real PostgreSQL

            await pilot.press("S", "down", "enter")  # the scenario switcher: error spike
            await pilot.pause(0.2)
            assert services.scenario == "error-spike"
            await pilot.press("1", "6", "enter")  # Standard Release, section 6: Verification
            await wait_for(
                pilot,
                lambda: (
                    ERROR_RATE in app.ctx.session.state.items
                    and app.ctx.session.state.items[ERROR_RATE].check_status == "fail"
                ),
            )
            await pilot.pause(0.3)

            # A section's rows arrive a batch per frame: under load the result came first.
            def error_rate_rows() -> list[ChecklistItemRow]:
                rows = app.screen.current_view().query(ChecklistItemRow)
                return [r for r in rows if r.item.id == ERROR_RATE]

            await wait_for(pilot, lambda: bool(error_rate_rows()))
            row = error_rate_rows()[0]
            assert row.has_class("failing")
            assert "error rate 8.2" in widget_text(row.query_one(".item-text"))
            await wait_for(pilot, lambda: app.ctx.session.state.metrics.latest("error_rate").value == 8.2)
            assert criteria_states(app)["error-rate"].status == "breaching"  # the criteria evaluate
            await pilot.press("escape", "w")
            await pilot.pause(0.3)
            assert isinstance(app.screen, WizardScreen)
            text = widget_text(app.screen.query_one("#wizard-question"))
            assert "Live evidence suggests  YES" in text and "error rate 8.2%" in text
            await pilot.press("enter")  # production severely degraded: yes (confirmed)
            await pilot.pause(0.2)
            assert "suggests  NO" in widget_text(app.screen.query_one("#wizard-question"))
            await pilot.press("enter")  # complete outage: no (confirmed)
            await pilot.pause(0.2)
            assert app.ctx.session.state.wizard.recommendation.runbook_id == "emergency-rollback"
            await pilot.press("enter")
            await pilot.pause(0.3)
            screen = app.screen
            assert isinstance(screen, RunbookScreen) and screen.runbook.id == "emergency-rollback"
            await pilot.press("down", "down", "down", "enter", "down", "space")  # tick a step
            await pilot.pause(0.2)
            assert any(s.manual for s in app.ctx.session.state.items.values())
            await pilot.press("n", *"error spike after v1.2.1, rolling back", "enter")
            await pilot.press("ctrl+q")
    finally:
        services.close()
    assert not workdir.exists()  # temporary files cleaned up
    with socket.socket() as probe:  # its HTTP port is closed again
        port = int(services.sandbox.base_url.rsplit(":", 1)[1])
        assert probe.connect_ex(("127.0.0.1", port)) != 0

    session = Path(app.live.recorder.path)
    types = [e["type"] for e in session_events(app)]
    assert "scenario_switched" in types and "wizard_recommended" in types and "note_added" in types

    from omniops_tui.ui.factory import build_replay_app

    replay = build_replay_app(options(tmp_path), session, speed=float("inf"))
    async with replay.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: replay.replay_mode.replay.player.finished)
        await pilot.pause(0.2)
        assert {i: s.done for i, s in replay.ctx.session.state.items.items()} == {
            i: s.done for i, s in app.ctx.session.state.items.items()
        }
        assert replay.ctx.session.state.wizard.recommendation.runbook_id == "emergency-rollback"
    report = export_session(session, "md")
    assert "## Detection" in report and "error spike after v1.2.1, rolling back" in report
    assert "Emergency Rollback" in report


async def test_demo_starts_when_postgres_and_redis_are_unreachable(tmp_path: Path) -> None:
    app, services = prepare_demo_app(
        options(tmp_path),
        database_url="postgresql://postgres@127.0.0.1:1/postgres",
        redis_url="redis://127.0.0.1:1/0",
        with_s3=False,
        with_prometheus=False,
        tour=False,
    )
    try:
        assert not services.status.database_ok and not services.status.redis_ok
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(
                pilot, lambda: app.live.metrics.sampler is not None and app.live.metrics.sampler.rounds >= 1
            )
            details = widget_text(app.screen.query_one("#detail"))
            assert "PostgreSQL not reachable at 127.0.0.1:1" in details
            assert "Redis not reachable at 127.0.0.1:1" in details
            assert any("PostgreSQL not reachable" in notice for notice in app.notices)
            assert app.ctx.session.state.metrics.latest("db_connections_pct").detail == "not configured"
            assert app.ctx.session.state.metrics.latest("health_ok").value == 1  # the rest works
            await pilot.press("m")
            await pilot.pause(0.5)
            table = app.screen.query_one("#service-table")
            assert str(table.get_cell("redis_hit_rate", "value")) == "not configured"
    finally:
        services.close()


@pytest.mark.usefixtures("prometheus_binary")  # installed when missing, else a failure
async def test_demo_reads_prometheus_by_default_with_the_incident_history(tmp_path: Path) -> None:
    """A sandbox in an error spike since before the TUI opened: the figures come from the demo's
    Prometheus, with their history, so the 10-minute rollback criterion is up at once."""
    app, services = prepare_demo_app(
        options(tmp_path), scenario="error-spike", with_s3=False, tour=False, session_id="demo-prom"
    )
    try:
        assert services.status.prometheus_ok, services.status.prometheus
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: "error-rate" in app.ctx.session.state.criteria.firing)
            banner = widget_text(app.screen.query_one("#rollback-banner"))
            assert "ROLLBACK" in banner and "Error Rate" in banner
            assert "Prometheus at http://127.0.0.1:" in widget_text(app.screen.query_one("#detail"))
            await pilot.press("m")
            await pilot.pause(0.3)
            service = app.screen.query_one("#service-table")
            await wait_for(pilot, lambda: str(service.get_cell("error_rate", "source")).startswith("prom "))
            history = app.ctx.session.state.metrics.recent("error_rate")
            assert history[0].t < -600 and history[0].source == "prometheus"  # from before the session
    finally:
        services.close()


async def test_demo_says_plainly_when_prometheus_is_not_installed(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no `prometheus` binary to be found
    app, services = prepare_demo_app(options(tmp_path), with_s3=False, tour=False)
    try:
        assert not services.status.prometheus_ok
        assert "prometheus" not in services.config_path.read_text()  # the probes measure everything
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause(0.3)
            line = "Prometheus: not installed (the Debian package `prometheus`)"
            assert any(line in notice for notice in app.notices)
            assert line in widget_text(app.screen.query_one("#detail"))
    finally:
        services.close()
