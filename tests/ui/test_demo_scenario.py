"""The demo's `S` scenario status stays right when the production changes by itself (issue 9 D):
a rollback (an older version checked out, the app restarted) ends the error spike, and the
status, the record and the switcher say so; the error spike can then be started again."""

from __future__ import annotations

from pathlib import Path

import asyncssh

from omniops_tui.options import Options
from omniops_tui.ui.demo_runner import prepare_demo_app
from omniops_tui.ui.screens.demo import ScenarioPicker
from tests.ui.conftest import session_events, wait_for, widget_text


async def on_prod_1(services, *commands: str) -> None:
    """What the engineer's rollback does on the host, over SSH like the runner."""
    sandbox = services.sandbox
    async with asyncssh.connect(
        "prod-1", config=[str(sandbox.ssh_config)], known_hosts=str(sandbox.known_hosts), connect_timeout=30
    ) as connection:
        for command in commands:
            await connection.run(command)


def status(app) -> str:
    return widget_text(app.screen.query_one("#status-line"))


async def test_the_scenario_status_follows_a_rollback_and_can_be_switched_again(tmp_path: Path) -> None:
    options = Options(None, tmp_path / "sessions", None, None, False)
    app, services = prepare_demo_app(
        options,
        database_url="postgresql://postgres@127.0.0.1:1/postgres",
        redis_url="redis://127.0.0.1:1/0",
        hosts=1,
        with_s3=False,
        tour=False,
        session_id="demo-scenario",
    )
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("S", "down", "enter")  # error spike
            await pilot.pause()
            assert services.scenario == "error-spike" and "DEMO:error-spike" in status(app)

            await on_prod_1(services, "git checkout v1.2.0", "systemctl restart omniops")
            assert services.sandbox.scenario == "healthy"  # the rollback ended the spike
            assert services.scenario == "healthy"
            app.live.sample_now()
            await wait_for(pilot, lambda: "DEMO:healthy" in status(app))
            await pilot.press("S")
            await pilot.pause()
            picker = app.screen
            assert isinstance(picker, ScenarioPicker)
            assert picker.query_one("OptionList").highlighted == 0  # healthy, as it is now
            await pilot.press("down", "enter")  # and the spike can be started again
            await pilot.pause()
            assert services.sandbox.scenario == "error-spike" and "DEMO:error-spike" in status(app)
            await pilot.press("ctrl+q")
    finally:
        services.close()
    switched = [e["scenario"] for e in session_events(app) if e["type"] == "scenario_switched"]
    assert switched == ["error-spike", "healthy", "error-spike"]
