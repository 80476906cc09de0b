"""The replay timeline: order, markers, idle limit, checkpoints, state at any time."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path

import pytest

from omniops_tui.core.events import ItemChecked, LogLines, MetricSample, NoteAdded
from omniops_tui.sessions.player import Timeline, TimeParseError
from omniops_tui.sessions.reader import read_session
from omniops_tui.sessions.state import ItemState, SessionState
from tests.sessions.conftest import (
    ITEM_P95,
    ITEM_VERSION,
    PREREQUISITES,
    ManualClock,
    Recorded,
    record_script,
)


def fold(events: list) -> SessionState:
    state = SessionState()
    for event in events:
        state.apply(event)
    return state


def test_state_at_end_and_mid_point_equal_a_full_fold(incident: Recorded) -> None:
    session = read_session(incident.path)
    timeline = Timeline(session, checkpoint_every=4)
    end = timeline.state_at(timeline.duration)
    assert end == fold(session.events)
    assert end.is_done(ITEM_VERSION) and end.items[ITEM_P95].overridden
    middle = timeline.state_at(700.0)  # in the twenty silent minutes
    expected = fold([e for e in session.events if e.t <= 700.0])
    assert middle == expected
    assert all(middle.is_done(item) for item in PREREQUISITES)
    assert not middle.is_done(ITEM_VERSION)
    assert [n.text for n in middle.notes] == ["Rolling back to v1.2.0 with vercel rollback"]
    assert middle.wizard.recommendation is not None
    for count in range(len(session.events) + 1):  # every index, across every checkpoint
        assert timeline.state_at_index(count) == fold(session.events[:count]), count


def test_lazy_checkpoints_give_the_same_states(incident: Recorded) -> None:
    eager = Timeline.open(incident.path, checkpoint_every=3)
    lazy = Timeline.open(incident.path, checkpoint_every=3, eager_checkpoints=False)
    for t in (1500.0, 10.0, 130.0, 0.0, 1600.0, 61.0):
        assert lazy.state_at(t) == eager.state_at(t)


def test_state_at_returns_an_independent_copy(incident: Recorded) -> None:
    timeline = Timeline.open(incident.path, checkpoint_every=5)
    first = timeline.state_at(300.0)
    first.apply(NoteAdded(text="scribble"))
    first.items[PREREQUISITES[0]].manual = False
    again = timeline.state_at(300.0)
    assert "scribble" not in [n.text for n in again.notes]
    assert again.is_done(PREREQUISITES[0])


def test_stepping_back_starts_from_a_checkpoint_not_the_start(
    incident: Recorded, monkeypatch: pytest.MonkeyPatch
) -> None:
    timeline = Timeline.open(incident.path, checkpoint_every=4)
    applied = 0
    original = SessionState.apply

    def counting(self: SessionState, event: object) -> None:
        nonlocal applied
        applied += 1
        original(self, event)  # type: ignore[arg-type]

    monkeypatch.setattr(SessionState, "apply", counting)
    for t in (1600.0, 1450.0, 200.0, 60.0):
        applied = 0
        timeline.state_at(t)
        assert applied < 4, (t, applied)


def test_events_are_ordered_by_time_and_between_is_half_open(sessions_dir: Path) -> None:
    # A clock that steps back (a resumed session on another machine, a VM clock jump):
    # the file is in write order, the timeline in time order, ties keep their write order.
    clock = ManualClock()
    script = [
        (5.0, NoteAdded(text="b")),
        (1.0, NoteAdded(text="a")),
        (5.0, NoteAdded(text="c")),
        (9.0, NoteAdded(text="d")),
    ]
    recorded = record_script(sessions_dir, script, clock=clock)
    timeline = Timeline.open(recorded.path)
    assert [e.text for e in timeline.events] == ["a", "b", "c", "d"]  # type: ignore[attr-defined]
    assert timeline.duration == 9.0
    assert [e.text for e in timeline.events_between(1.0, 5.0)] == ["b", "c"]  # type: ignore[attr-defined]
    assert [e.text for e in timeline.events_between(0.0, 1.0)] == ["a"]  # type: ignore[attr-defined]
    assert timeline.events_between(5.0, 5.0) == []
    assert timeline.index_at(4.9) == 1 and timeline.index_at(5.0) == 3


def test_markers_name_what_matters(incident: Recorded) -> None:
    timeline = Timeline.open(incident.path)
    kinds = [(m.t, m.kind) for m in timeline.markers]
    assert kinds == [
        (60.0, "check_failed"),  # error_rate turns failing
        (61.0, "check_failed"),  # health errors
        (61.5, "item_flagged"),
        (95.0, "wizard_answer"),
        (100.0, "wizard_answer"),
        (101.0, "wizard_recommendation"),
        (120.0, "criterion_fired"),
        (130.0, "runbook_started"),
        (190.0, "step_confirmed"),
        (200.0, "note"),
        (1510.0, "note"),
    ]
    labels = [m.label for m in timeline.markers]
    assert labels[0] == "✗ error_rate: error rate 8.2% > 5%"  # the timeline screen's wording
    assert labels[7] == "▶ Started runbook Emergency Rollback (via wizard)"
    assert labels[6].startswith("🚨 Rollback criterion: error_rate > 5%")
    assert all(timeline.events[m.index].t == m.t for m in timeline.markers)
    assert timeline.markers[0].at == "2025-03-14T03:01:00.000Z"


def test_a_check_that_stays_red_is_one_marker(sessions_dir: Path) -> None:
    from tests.sessions.conftest import check

    statuses = [(1, "pass"), (2, "fail"), (3, "fail"), (4, "error"), (5, "pass"), (6, "fail")]
    script = [(float(t), check("db", status, 1, "", f"db {status}", [])) for t, status in statuses]
    timeline = Timeline.open(record_script(sessions_dir, script).path)
    assert [m.t for m in timeline.markers] == [2.0, 6.0]


def test_next_and_previous_marker(incident: Recorded) -> None:
    timeline = Timeline.open(incident.path)
    assert timeline.next_marker(0.0).t == 60.0  # type: ignore[union-attr]
    assert timeline.next_marker(60.0).t == 61.0  # type: ignore[union-attr]
    assert timeline.previous_marker(61.0).t == 60.0  # type: ignore[union-attr]
    assert timeline.previous_marker(60.0) is None
    assert timeline.next_marker(1510.0) is None
    assert timeline.previous_marker(1600.0).t == 1510.0  # type: ignore[union-attr]


def test_idle_limit_compresses_silences_both_ways(incident: Recorded) -> None:
    plain = Timeline.open(incident.path)
    assert plain.playback_time(700.0) == 700.0 and plain.playback_duration == 1600.0
    timeline = Timeline.open(incident.path, idle_limit=5.0)
    times = timeline.times
    gaps = [b - a for a, b in zip([0.0, *times], times, strict=False)]
    expected = sum(min(gap, 5.0) for gap in gaps)
    assert timeline.playback_duration == pytest.approx(expected)
    # The 1200 s silence (200 -> 1400) takes 5 s of playback, linearly.
    start = timeline.playback_time(200.0)
    assert timeline.playback_time(1400.0) - start == pytest.approx(5.0)
    assert timeline.playback_time(800.0) - start == pytest.approx(2.5)
    # Short gaps are untouched.
    assert timeline.playback_time(62.0) - timeline.playback_time(61.0) == pytest.approx(1.0)
    for t in (0.0, 3.0, 61.25, 200.0, 450.0, 1399.0, 1400.0, 1600.0):
        assert timeline.recorded_time(timeline.playback_time(t)) == pytest.approx(t)
    assert timeline.recorded_time(-5) == 0.0 and timeline.recorded_time(1e9) == 1600.0


def test_wall_clock_and_typed_times(incident: Recorded) -> None:
    timeline = Timeline.open(incident.path)
    assert timeline.wall_at(61.0) == datetime(2025, 3, 14, 3, 1, 1, tzinfo=UTC)
    assert timeline.wall_at(700.0) == datetime(2025, 3, 14, 3, 11, 40, tzinfo=UTC)
    assert timeline.time_for("03:01:00") == 60.0
    assert timeline.time_for("03:11") == 660.0
    assert timeline.time_for("2025-03-14T03:23:20Z") == 1400.0
    assert timeline.time_for("2025-03-14 03:02:10") == 130.0  # naive = UTC
    assert timeline.time_for("+2:10") == 130.0
    assert timeline.time_for("+90s") == 90.0
    assert timeline.time_for("02:00") == 0.0  # before the session: its start
    assert timeline.time_for("2025-03-15T00:00:00Z") == 1600.0  # after: its end
    for bad in ("", "yesterday", "25:00", "+x"):
        with pytest.raises(TimeParseError):
            timeline.time_for(bad)


def test_snapshot_is_a_faithful_independent_copy() -> None:
    state = SessionState()
    state.apply(ItemChecked(item_id="a", reason="r", t=1.0))
    state.items["b"] = ItemState(
        manual=False,
        manual_reason="x",
        manual_at=2.0,
        check_id="c",
        check_status="fail",
        check_summary="s",
        check_at=3.0,
        flagged=True,
        flag_summary="f",
    )
    state.apply(MetricSample(metric="cpu_percent", host="h", value=1.0, status="pass"))
    state.apply(LogLines(source_id="h:app.log", host="h", lines=["one"]))
    copied = state.snapshot()
    assert copied == copy.deepcopy(state)
    copied.items["b"].flagged = False
    copied.apply(MetricSample(metric="cpu_percent", host="h", value=2.0, status="pass"))
    copied.apply(LogLines(source_id="h:app.log", host="h", lines=["two"]))
    copied.notes.append(NoteAdded(text="x"))
    assert state.items["b"].flagged and not state.notes
    assert state.metrics.values("cpu_percent", "h") == [1.0]
    assert state.logs.sources["h:app.log"].buffer.lines() == ["one"]


def test_empty_session_timeline(sessions_dir: Path) -> None:
    recorded = record_script(sessions_dir, [])
    timeline = Timeline.open(recorded.path, idle_limit=2.0)
    assert timeline.duration == 0.0 and timeline.markers == [] and len(timeline) == 0
    assert timeline.state_at(10.0) == SessionState()
    assert timeline.time_for("+5") == 0.0
