"""Replay a recorded Pilot session: same state at the end and mid-way, seeks, speeds, markers."""

from __future__ import annotations

from pathlib import Path

from omniops_tui.options import Options
from omniops_tui.sessions.reader import read_session
from omniops_tui.sessions.state import SessionState
from omniops_tui.ui.factory import build_replay_app
from omniops_tui.ui.screens.runbook import RunbookScreen
from omniops_tui.ui.screens.sessions import SessionsScreen
from omniops_tui.ui.widgets.runbook_rows import ChecklistItemRow
from tests.ui.conftest import wait_for, widget_text


async def record_a_session(make_app) -> tuple[Path, dict[str, bool]]:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("w", "n", "y", "y", "enter")  # → Hotfix
        await pilot.pause()
        await pilot.press("down", "down", "enter", "down", "space", "down", "space")
        await pilot.press("n", *"fix verified on staging", "enter")
        await pilot.press("down", "down", "down", "space")
        await pilot.pause(0.8)  # the section event is debounced
        await pilot.press("ctrl+q")
    done = {item: state.done for item, state in app.ctx.session.state.items.items()}
    return Path(app.live.recorder.path), done


def replay_app(path: Path, **kwargs):
    return build_replay_app(Options(None, path.parent, None, None, False), path, **kwargs)


def fold(path: Path, until: int) -> SessionState:
    state = SessionState()
    for event in read_session(path).events[:until]:
        state.apply(event)
    return state


async def test_replay_reproduces_the_end_and_a_mid_point(make_app) -> None:
    path, done_live = await record_a_session(make_app)
    app = replay_app(path, speed=float("inf"))
    async with app.run_test(size=(80, 24)) as pilot:
        driver = app.replay_mode.replay
        while not driver.player.finished:
            await pilot.pause(0.05)
        await pilot.pause(0.3)
        assert {i: s.done for i, s in app.ctx.session.state.items.items()} == done_live
        assert [n.text for n in app.ctx.session.state.notes] == ["fix verified on staging"]
        assert app.ctx.session.state.wizard.recommendation.runbook_id == "hotfix"
        # The replay followed the engineer to the runbook and section they had open.
        screen = app.screen
        assert isinstance(screen, RunbookScreen) and screen.runbook.id == "hotfix"
        ticked = [r.item.id for r in screen.current_view().query(ChecklistItemRow) if r.has_class("done")]
        assert ticked and all(done_live[i] for i in ticked)
        # Read-only: paused, the tick keys do nothing (space is play/pause in a replay).
        if driver.player.playing:
            await pilot.press("space")
        before = {i: s.done for i, s in app.ctx.session.state.items.items()}
        app.screen.action_focus_content()
        await pilot.press("down", "x", "down", "x")
        assert {i: s.done for i, s in app.ctx.session.state.items.items()} == before
        # Mid-point: the state equals the fold of the events up to there.
        events = read_session(path).events
        middle = next(e for e in events if e.type == "wizard_answered")  # the engineer was in the wizard
        app.replay_mode.seek_by(middle.t - driver.offset())
        await pilot.pause(0.3)
        expected = fold(path, driver.timeline.index_at(middle.t))
        assert {i: s.done for i, s in app.ctx.session.state.items.items()} == {
            i: s.done for i, s in expected.items.items()
        }
        assert type(app.screen).__name__ == "WizardScreen"  # where the engineer was at that time


async def test_timeline_bar_keys_seek_speed_and_markers(make_app) -> None:
    path, _ = await record_a_session(make_app)
    app = replay_app(path, at="+0s")
    async with app.run_test(size=(80, 24)) as pilot:
        player = app.replay_mode.replay.player
        assert not player.playing
        bar = app.screen.query_one("#replay-bar")
        assert "⏸ 1x" in widget_text(bar)
        await pilot.press("plus", "plus")
        assert player.speed_label == "16x"
        await pilot.press("minus")
        assert player.speed_label == "4x"
        await pilot.press("right_curly_bracket")  # first marker: the wizard's first answer
        await pilot.pause()
        assert player.last_marker is not None and player.position == player.last_marker.t
        first = player.position
        await pilot.press("right_curly_bracket")
        assert player.position >= first
        await pilot.press("left_curly_bracket")
        assert player.position == first
        await pilot.press("full_stop")
        assert player.position == min(first + 10, player.timeline.duration)
        await pilot.press("comma", "comma")
        assert player.position == max(0.0, min(first + 10, player.timeline.duration) - 20)
        await pilot.press("g")
        await wait_for(pilot, lambda: type(app.focused).__name__ == "Input")  # the prompt has the keys
        await pilot.press(*"+1s", "enter")
        await wait_for(pilot, lambda: abs(player.position - 1.0) < 0.01)
        await pilot.press("space")
        # It plays; this short recording may reach its end at 4x before the next look (then it
        # stops there by itself): either way it moved on from 1 s.
        await wait_for(pilot, lambda: player.playing or player.position > 1.0)
        assert player.speed_label == "4x"  # (the bar may be on a screen the replay just pushed)


async def test_sessions_screen_replays_in_the_same_app_and_comes_back(make_app) -> None:
    path, _ = await record_a_session(make_app)
    app = make_app(session_id="second")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SessionsScreen)
        table = app.screen.query_one("DataTable")
        assert str(path) in [row.value for row in table.rows]
        table.move_cursor(row=[row.value for row in table.rows].index(str(path)))
        await pilot.press("e")
        await pilot.pause()
        assert "# Incident Timeline" in path.with_suffix(".postmortem.md").read_text()
        await pilot.press("enter")
        # The status line exists a moment before its bar has written it: wait for the words.
        await wait_for(
            pilot,
            lambda: (
                app.current_mode == "replay"
                and "REPLAY" in "".join(widget_text(w) for w in app.screen.query("#status-line"))
            ),
        )
        assert app.replay_mode.active and app.replay_mode.replay.path == str(path)
        await pilot.press("ctrl+r")  # back to the live session, which kept recording
        await pilot.pause()
        assert not app.replay_mode.active and app.current_mode == "live"
        assert isinstance(app.screen, SessionsScreen) and app.live.writable


async def test_a_long_recording_opens_before_it_is_indexed_and_the_bar_says_so(make_app, monkeypatch) -> None:
    from omniops_tui.sessions import index as index_module
    from omniops_tui.sessions import sidecar as sidecar_module
    from omniops_tui.ui.widgets.replay_bar import ReplayBar

    path, _done = await record_a_session(make_app)
    for module in (index_module, sidecar_module):
        monkeypatch.setattr(module, "HEAD_BYTES", 600)
    monkeypatch.setattr(index_module, "CHUNK_BYTES", 600)
    monkeypatch.setattr("omniops_tui.sessions.replay.BACKGROUND_DELAY_S", 3.0)
    app = replay_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        replay = app.replay_mode.replay
        assert not replay.timeline.complete  # the first screen is up on the head of the file
        await pilot.press("greater_than_sign")  # +1 min: past what is indexed, so it waits
        await pilot.pause(0.2)
        assert "indexing" in widget_text(app.screen.query_one(ReplayBar))
        await wait_for(pilot, lambda: replay.timeline.complete and not replay.waiting, timeout=30)
        assert replay.player.position > 0
        await pilot.pause(0.2)
        assert "indexing" not in widget_text(app.screen.query_one(ReplayBar))
