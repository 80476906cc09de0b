"""Replay under quick hands (issue 9 D): the fastest speeds with marker jumps and seeks hammered
never freeze or crash the app; a replay that crashes exits non-zero through the command line;
a replay started from the demo comes back to the live demo."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.app import App

from omniops_tui.options import Options
from omniops_tui.ui.crash_guard import CRASH_RETURN_CODE
from omniops_tui.ui.factory import build_replay_app
from omniops_tui.ui.screens.sessions import SessionsScreen
from tests.cli_helper import run_cli
from tests.ui.conftest import ManualClock, wait_for
from tests.ui.test_hammer import burst

# Marker jumps, seeks and speed changes while the replay follows the engineer between screens
# (escape is left out: on a replay's home screen it leaves the replay, which is its meaning).
HAMMER = ("right_curly_bracket", "plus", "right_curly_bracket", "left_curly_bracket", "full_stop")
HAMMER += ("down", "comma", "right_curly_bracket", "greater_than_sign", "plus", "minus", "plus")


async def record_a_busy_session(make_app) -> Path:
    """Ten recorded minutes of a busy engineer, made through the engine (fast): runbooks and
    sections opened and left, the wizard, items ticked, notes; every screen a replay follows."""
    clock = ManualClock()
    app = make_app(clock=clock, session_id="busy")
    async with app.run_test(size=(80, 24)) as pilot:
        engine = app.live
        runbooks = app.ctx.session.basis.runbooks.runbooks
        for step in range(40):
            runbook = runbooks[step % len(runbooks)]
            engine.open_runbook(runbook.id, via="home")
            for section in runbook.sections[:3]:
                engine.screen_opened("runbook", runbook.id, section.id)
            items = runbook.checklist_items()
            if items:
                engine.set_item(items[step % len(items)], True)
            engine.add_note(f"step {step}", runbook.id)
            engine.leave_runbook()
            engine.screen_opened("wizard" if step % 2 else "metrics")
            engine.screen_opened("home")
            clock.advance(15)
        await pilot.pause()
        await pilot.press("ctrl+q")
    return Path(app.live.recorder.path)


@pytest.mark.parametrize("speed", ["16x", "60x", "max"])
async def test_fastest_replay_with_hammered_marker_jumps(make_app, speed) -> None:
    path = await record_a_busy_session(make_app)
    app = build_replay_app(Options(None, path.parent, None, None, False), path, speed=_speed(speed))
    async with app.run_test(size=(80, 24)) as pilot:
        player = app.replay_mode.replay.player
        assert player.timeline.duration >= 590  # ten minutes: at 16x the hammering meets it playing
        for _ in range(8):
            burst(app, *HAMMER)
            await asyncio.sleep(0.05)
        await pilot.pause()
        assert app.is_running and app.return_code in (None, 0)
        if not player.playing:
            await pilot.press("space")
        while player.speed_label != "max":
            await pilot.press("plus")
        await wait_for(pilot, lambda: player.finished)  # it plays to the end: no freeze
        await pilot.press("left_curly_bracket")  # and still answers
        assert not player.finished or player.position < player.timeline.duration
    assert app.return_code in (None, 0)


def _speed(text: str) -> float:
    from omniops_tui.sessions.player import parse_speed

    return parse_speed(text)


def test_a_crashed_replay_exits_non_zero(make_app, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = asyncio.run(record_a_busy_session(make_app))

    def explode(self: object, opened: object) -> None:
        raise RuntimeError("replay follow failed")

    monkeypatch.setattr("omniops_tui.ui.replay_mode.ReplayMode.follow", explode)
    original = App.run
    monkeypatch.setattr(App, "run", lambda self, **kwargs: original(self, headless=True))
    code = run_cli(["--sessions-dir", str(path.parent), "sessions", "replay", str(path), "--speed", "max"])
    assert code == CRASH_RETURN_CODE


async def test_replay_from_the_demo_returns_to_the_live_demo(tmp_path: Path) -> None:
    from omniops_tui.ui.demo_runner import prepare_demo_app

    options = Options(None, tmp_path / "sessions", None, None, False)
    app, services = prepare_demo_app(
        options,
        database_url="postgresql://postgres@127.0.0.1:1/postgres",
        redis_url="redis://127.0.0.1:1/0",
        with_s3=False,
        tour=False,
        session_id="demo-replay",
    )
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("enter", "down", "escape")  # something to replay: this very session
            await pilot.press("s")
            await pilot.pause()
            assert isinstance(app.screen, SessionsScreen)
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.replay_mode.active)
            assert app.current_mode == "replay" and app.is_running
            for _ in range(4):
                burst(app, *HAMMER)
                await asyncio.sleep(0.05)
            await pilot.pause()
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: not app.replay_mode.active)
            assert app.is_running and app.current_mode == "live" and app.live.writable
            assert app.ctx.demo is services and services.sandbox.base_url
    finally:
        services.close()
    assert app.return_code in (None, 0)


async def test_quitting_while_the_replay_plays_is_clean(make_app) -> None:
    """The replay's timer ticks while the app closes its screens: no tick may reach a screen
    that is gone (`ScreenStackError: No screens on stack` at quit, seen under load)."""
    path = await record_a_busy_session(make_app)
    for speed in ("16x", "60x", "max"):
        app = build_replay_app(Options(None, path.parent, None, None, False), path, speed=_speed(speed))
        async with app.run_test(size=(80, 24)) as pilot:
            burst(app, "right_curly_bracket", "plus", "ctrl+q")
            await pilot.pause()
        assert app.return_code in (None, 0)
        # A tick and a move arriving after the last screen went (as the timer's last ones do).
        mode = app.replay_mode
        mode.replay.player.set_speed(float("inf"))
        mode.tick()
        mode.seek_by(-5)
        mode.marker(True)
