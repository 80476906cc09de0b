"""The demo's rehearsal: in an outage, walk Emergency Rollback by running its steps against the
sandbox through the real App; the outage clears when the rollback's restart runs; the replay
of the session shows the runs' output in the same pane."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from omniops_tui.options import Options
from omniops_tui.ui.demo_runner import prepare_demo_app
from omniops_tui.ui.factory import build_replay_app
from omniops_tui.ui.screens.run_dialogs import RunDialog
from omniops_tui.ui.screens.runbook import RunbookScreen
from omniops_tui.ui.widgets.command_row import CommandRow
from tests.ui.conftest import session_events, wait_for, widget_text
from tests.ui.test_run_keys import pane_lines, wait_for_end

IDENTIFY = "emergency-rollback/before-you-start/identify-current-and-previous-versions/code-1"
DOCKER_ROLLBACK = "emergency-rollback/step-2-docker-rollback/code-1"


def options(tmp_path: Path) -> Options:
    return Options(runbooks=None, sessions_dir=tmp_path / "sessions", config=None, env=None, read_only=False)


async def highlight_block(pilot: Any, screen: RunbookScreen, block_id: str) -> None:
    view = screen.current_view()
    await wait_for(pilot, lambda: any(isinstance(c, CommandRow) for c in view.children))
    index = next(
        i for i, c in enumerate(view.children) if isinstance(c, CommandRow) and c.block.id == block_id
    )
    view.index = index
    view.focus()
    await pilot.pause()


async def test_rehearse_emergency_rollback_in_the_demo_then_replay_it(tmp_path: Path) -> None:
    app, services = prepare_demo_app(
        options(tmp_path),
        database_url="postgresql://postgres@127.0.0.1:1/postgres",
        redis_url="redis://127.0.0.1:1/0",
        with_s3=False,
        tour=False,
        scenario="outage",
    )
    try:
        async with httpx.AsyncClient(base_url=services.sandbox.base_url) as http:
            assert (await http.get("/api/health")).status_code == 503  # the outage
        async with app.run_test(size=(80, 24)) as pilot:
            runbooks = [r.id for r in app.live.setup.runbooks.runbooks]
            await pilot.press(str(runbooks.index("emergency-rollback") + 1))
            await wait_for(pilot, lambda: isinstance(app.screen, RunbookScreen))
            screen = app.screen
            sections = [s.id for s in screen.runbook.sections]

            # Before you start: which version runs, which one to go back to (read-only: one key).
            await pilot.press(str(sections.index("emergency-rollback/before-you-start") + 1))
            await highlight_block(pilot, screen, IDENTIFY)
            await pilot.press("x")
            assert isinstance(app.screen, RunDialog)
            await pilot.press("enter")
            await wait_for_end(pilot, screen)
            assert any(line.startswith("Current version: ") for line in pane_lines(screen))

            # Step 2: the Docker rollback over SSH to the sandbox (destructive: the name in full).
            await pilot.press(str(sections.index("emergency-rollback/step-by-step-procedure") + 1))
            await highlight_block(pilot, screen, DOCKER_ROLLBACK)
            await pilot.press("x")
            dialog = app.screen
            assert isinstance(dialog, RunDialog)
            assert "DESTRUCTIVE" in widget_text(dialog.query_one("#run-class"))
            assert "Type demo in full" in widget_text(dialog.query_one("#run-prompt"))
            await pilot.press(*"demo", "enter")
            await wait_for(pilot, lambda: any("Up (healthy)" in line for line in pane_lines(screen)), 60)
            async with httpx.AsyncClient(base_url=services.sandbox.base_url) as http:
                assert (await http.get("/api/health")).status_code == 200  # the outage cleared
            assert services.sandbox.version == "v1.2.0"
            await pilot.press("ctrl+c")  # `docker-compose logs -f` streams until stopped
            await wait_for_end(pilot, screen, timeout=60)
            assert "interrupted: user" in str(screen.run_pane.border_subtitle)
            await wait_for(  # and the live figures say so within an interval
                pilot, lambda: app.ctx.session.state.metrics.latest("health_ok").value == 1, 60
            )
            await pilot.press("ctrl+q")
    finally:
        services.close()

    events = session_events(app)
    started = [e for e in events if e["type"] == "command_started"]
    assert [e["block_id"] for e in started] == [IDENTIFY, DOCKER_ROLLBACK]
    assert started[1]["confirmation"] == "typed:demo" and started[1]["safety"] == "destructive"
    recorded = "".join(
        e["text"] for e in events if e["type"] == "command_output" and e["run_id"] == started[1]["run_id"]
    )
    assert "Rolling back to: v1.2.0" in recorded

    replay = build_replay_app(options(tmp_path), Path(app.live.recorder.path), speed=float("inf"))
    async with replay.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: replay.replay_mode.replay.player.finished)
        await wait_for(pilot, lambda: isinstance(replay.screen, RunbookScreen))
        shown = replay.screen
        assert shown.runbook.id == "emergency-rollback"
        await wait_for(pilot, lambda: any("Rolling back to: v1.2.0" in line for line in pane_lines(shown)))
        assert any("interrupted: user" in line for line in pane_lines(shown))
        assert shown.run_pane.record is not None and shown.run_pane.record.started.block_id == DOCKER_ROLLBACK
