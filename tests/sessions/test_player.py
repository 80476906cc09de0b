"""The player: play/pause, speeds and the idle limit against an injected clock; seeks; markers."""

from __future__ import annotations

import pytest

from omniops_tui.core.events import Event
from omniops_tui.sessions.player import MAX, SPEEDS, Player, Timeline, TimeParseError, parse_speed
from omniops_tui.sessions.state import SessionState
from tests.sessions.conftest import ITEM_VERSION, PREREQUISITES, Recorded


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def drive(player: Player, clock: FakeClock, state: SessionState, seconds: float, step: float = 0.25) -> None:
    """What the UI's timer does: advance, apply what came back."""
    for _ in range(round(seconds / step)):
        clock.now += step
        for event in player.advance():
            state.apply(event)


def fold(events: list[Event]) -> SessionState:
    state = SessionState()
    for event in events:
        state.apply(event)
    return state


def test_playing_at_1x_delivers_events_as_recorded_time_passes(incident: Recorded) -> None:
    timeline = Timeline.open(incident.path)
    clock = FakeClock()
    player = Player(timeline, clock=clock)
    state = player.seek(0.0)
    assert player.advance() == []  # paused: nothing moves
    player.play()
    drive(player, clock, state, 10.0)
    assert player.position == pytest.approx(10.0)
    assert [e.t for e in timeline.events[: player.cursor]] == [0.0, 2.0, 5.0, 10.0]
    assert state == timeline.state_at(10.0)
    player.pause()
    clock.now += 100
    assert player.advance() == [] and player.position == pytest.approx(10.0)


@pytest.mark.parametrize("speed", [4.0, 16.0, 60.0])
def test_speeds_multiply_recorded_time(incident: Recorded, speed: float) -> None:
    timeline = Timeline.open(incident.path)
    clock = FakeClock()
    player = Player(timeline, clock=clock, speed=speed)
    state = player.seek(0.0)
    player.play()
    drive(player, clock, state, 5.0)
    assert player.position == pytest.approx(min(5.0 * speed, timeline.duration))
    assert state == timeline.state_at(player.position)


def test_changing_speed_mid_play_keeps_the_time_already_played(incident: Recorded) -> None:
    clock = FakeClock()
    player = Player(Timeline.open(incident.path), clock=clock)
    player.play()
    clock.now += 2.0
    player.set_speed(16.0)  # the 2 s played at 1x stay 2 s
    clock.now += 1.0
    player.advance()
    assert player.position == pytest.approx(18.0)
    assert player.faster() == 60.0 and player.faster() == MAX and player.faster() == MAX
    assert player.slower() == 60.0 and player.speed_label == "60x"
    with pytest.raises(ValueError):
        player.set_speed(3.0)
    assert [parse_speed(s) for s in ("1", "4x", "16X", "60", "max")] == list(SPEEDS)


def test_max_speed_plays_through_in_batches_and_stops_at_the_end(incident: Recorded) -> None:
    timeline = Timeline.open(incident.path)
    clock = FakeClock()
    player = Player(timeline, clock=clock, speed=MAX, max_batch=7)
    state = player.seek(0.0)
    player.play()
    ticks = 0
    while player.playing:
        clock.now += 0.016
        batch = player.advance()
        assert len(batch) <= 7
        for event in batch:
            state.apply(event)
        ticks += 1
    assert ticks == -(-len(timeline.events) // 7)
    assert player.finished and player.position == timeline.duration
    assert state == fold(timeline.events)


def test_idle_limit_makes_long_silences_pass_quickly(incident: Recorded) -> None:
    timeline = Timeline.open(incident.path, idle_limit=2.0)
    clock = FakeClock()
    player = Player(timeline, clock=clock)
    state = player.seek(200.0)  # the 1200 s silence starts here
    player.play()
    drive(player, clock, state, 2.0)
    assert player.position == pytest.approx(1400.0)
    assert state.is_done(ITEM_VERSION)  # the version check at 1400 arrived after 2 s, not 20 min
    assert player.fraction == pytest.approx(timeline.playback_time(1400.0) / timeline.playback_duration)


def test_a_burst_is_spread_over_ticks(incident: Recorded) -> None:
    timeline = Timeline.open(incident.path)
    clock = FakeClock()
    player = Player(timeline, clock=clock, speed=60.0, max_batch=3)
    player.seek(0.0)
    player.play()
    clock.now += 10.0  # 600 s of session due at once: more than one batch
    first = player.advance()
    assert len(first) == 3 and player.position == first[-1].t
    second = player.advance()
    assert second[0].seq == first[-1].seq + 1


def test_seek_forward_and_back_returns_the_state_there(incident: Recorded) -> None:
    timeline = Timeline.open(incident.path, checkpoint_every=4)
    clock = FakeClock()
    player = Player(timeline, clock=clock)
    late = player.seek(1500.0)
    assert late == fold([e for e in timeline.events if e.t <= 1500.0])
    assert late.is_done(ITEM_VERSION)
    early = player.seek_by(-1400.0)  # back to 100 s
    assert player.position == 100.0 and not early.is_done(PREREQUISITES[0])
    assert early == fold([e for e in timeline.events if e.t <= 100.0])
    player.seek_by(+60)
    assert player.position == 160.0
    assert player.seek_by(-10).is_done(PREREQUISITES[4])  # 150 s: all ticked by 144 s
    player.seek(-50)
    assert player.position == 0.0
    player.seek(99_999)
    assert player.position == timeline.duration and player.advance() == []
    state = player.seek_to("03:02:20")
    assert player.position == 140.0
    assert state.is_done(PREREQUISITES[0]) and not state.is_done(PREREQUISITES[1])
    with pytest.raises(TimeParseError):
        player.seek_to("later")
    assert player.position == 140.0


def test_events_after_a_seek_continue_from_there(incident: Recorded) -> None:
    timeline = Timeline.open(incident.path)
    clock = FakeClock()
    player = Player(timeline, clock=clock, speed=60.0)
    state = player.seek(1400.0)
    player.play()
    drive(player, clock, state, 1.0)
    assert state == timeline.state_at(1460.0)


def test_next_and_previous_marker_move_the_player(incident: Recorded) -> None:
    timeline = Timeline.open(incident.path)
    player = Player(timeline, clock=FakeClock())
    player.seek(0.0)
    state = player.next_marker()
    assert state is not None and player.position == 60.0
    assert player.last_marker is not None and player.last_marker.kind == "check_failed"
    assert state.checks["error_rate"].status == "fail"
    seen = [player.position]
    while player.next_marker() is not None:
        seen.append(player.position)
    assert seen == [m.t for m in timeline.markers]
    assert player.position == 1510.0
    back = player.previous_marker()
    assert back is not None and player.position == 200.0
    player.seek(30.0)
    assert player.previous_marker() is None and player.position == 30.0


def test_seek_fraction_is_a_click_on_the_bar(incident: Recorded) -> None:
    timeline = Timeline.open(incident.path, idle_limit=5.0)
    player = Player(timeline, clock=FakeClock())
    player.seek_fraction(1.0)
    assert player.position == timeline.duration
    player.seek_fraction(0.5)
    assert player.fraction == pytest.approx(0.5)
    assert player.wall_time is not None
