"""A seek's log panes are read back one at a time, when looked at; metric points stay compact.

What matters: every restored state equals a full fold (lines, counters, metric points with
their exact values), a seek decodes no log line until a pane reads its buffer, the merged
pane does not decode the per-source panes' batches, and a scrollback the stream has since
replaced is never read at all.
"""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest

from omniops_tui.core.events import LogLines, LogStreamsStarted, MetricSample, SessionEnded
from omniops_tui.core.logbuffer import LogBuffer
from omniops_tui.sessions.lazy_events import LazyEvents
from omniops_tui.sessions.replay import ReplaySession
from omniops_tui.sessions.state import SessionState
from omniops_tui.sessions.timeline import Timeline
from tests.sessions.conftest import Recorded, record_script


def fold(events: list) -> SessionState:
    state = SessionState()
    for event in events:
        state.apply(event)
    return state


@pytest.fixture
def busy(sessions_dir: Path) -> Recorded:
    """Two log sources into 12-line panes (windows evict, batches are cut), and metrics whose
    values are floats, ints and missing (a failed probe), past a series' 240 points."""
    script: list = [(0.0, LogStreamsStarted(sources=[{"id": "a:app", "host": "a"}], buffer_lines=12))]
    for number in range(600):
        t = 1.0 + number
        source = "a" if number % 3 else "b"
        lines = [f"{source} line {number}.{k}" for k in range(1 + number % 5)]
        script.append((t, LogLines(source_id=f"{source}:app", host=source, lines=lines)))
        value: float | int | None = [0.5 * number, number, None][number % 3]
        script.append((t + 0.5, MetricSample(metric="p95_ms", host=source, value=value, status="pass")))
    script.append((700.0, SessionEnded(reason="quit")))
    return record_script(sessions_dir, script)


def test_a_deferred_scrollback_is_read_once_when_looked_at_and_ends_like_a_plain_one() -> None:
    for extra in ([], [["c1"]], [["c1", "c2"], ["d1", "d2", "d3"]], [["e"] * 4, ["f"] * 2]):
        plain = LogBuffer(5)
        plain.append(["a2", "a3"])
        plain.append(["b1", "b2"], prefix="p ")
        plain.discard_pending()  # as a checkpoint's buffers: drawn, nothing pending
        loads: list[int] = []

        def load(loads: list[int] = loads) -> list[tuple[str, list[str], int]]:
            loads.append(1)
            return [("", ["a1", "a2", "a3"], 1), ("p ", ["b1", "b2"], 0)]

        deferred = LogBuffer(5)
        deferred.defer(4, load)
        deferred.received = plain.received
        for lines in extra:
            plain.append(lines)
            deferred.append(lines)
        assert len(deferred) == len(plain) and deferred.dropped == plain.dropped
        # Once the new lines fill the window, what was deferred has all fallen out: never read.
        replaced = sum(map(len, extra)) >= 5
        assert loads == [] and deferred.deferred is not replaced
        assert deferred.lines() == plain.lines() and deferred == plain
        assert loads == ([] if replaced else [1]) and not deferred.deferred
        assert deferred.lines() == plain.lines()


def test_a_seek_reads_no_line_until_a_pane_does_and_then_only_that_panes(
    busy: Recorded, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[set[int]] = []
    original = LazyEvents.lines_of

    def counted(self: LazyEvents, indices: set[int]) -> dict:
        asked.append(set(indices))
        return original(self, indices)

    monkeypatch.setattr(LazyEvents, "lines_of", counted)
    lazy = Timeline.open(busy.path, lazy=True, checkpoint_every=7)
    events = list(Timeline.open(busy.path).events)
    for count in (0, 1, 50, 333, 700, len(events)):
        asked.clear()
        state = lazy.state_at_index(count)
        assert asked == []  # nothing decoded for the panes yet
        merged = state.logs.merged.lines()
        assert len(asked) <= 1
        expected = fold(events[:count])
        assert merged == expected.logs.merged.lines()
        assert state.logs.merged.received == expected.logs.merged.received
        for key, source in state.logs.sources.items():
            assert source.buffer.lines() == expected.logs.sources[key].buffer.lines()
            assert source.buffer.received == expected.logs.sources[key].buffer.received
        # (`dropped`, lines evicted before a pane drew them, counts from the checkpoint on in
        # a replay, as before: a replayed pane is never paused.)
        state.logs = expected.logs
        assert state == expected
    # The merged pane's read asked only for the batches its window holds, not the sources'.
    state = lazy.state_at_index(len(events) - 3)
    asked.clear()
    state.logs.merged.lines()
    assert asked and len(asked[0]) <= 12


def test_restored_metric_points_keep_their_exact_values(busy: Recorded) -> None:
    lazy = Timeline.open(busy.path, lazy=True, checkpoint_every=5)
    lazy.final_state()  # every checkpoint built
    events = list(Timeline.open(busy.path).events)
    for count in (0, 7, 240, 499, 1000, len(events)):
        restored = lazy.state_at_index(count).metrics.series
        expected = fold(events[:count]).metrics.series
        assert restored == expected
        for key, points in expected.items():
            assert [type(p.value) for p in restored[key]] == [type(p.value) for p in points]
    # Two states restored from one checkpoint (its points made once) stay independent.
    first, second = lazy.state_at_index(500), lazy.state_at_index(500)
    first.apply(MetricSample(t=999.0, metric="p95_ms", host="a", value=1.0, status="fail"))
    assert second.metrics.series == fold(events[:500]).metrics.series != first.metrics.series


def test_a_closed_replay_is_freed_without_the_cycle_collector(busy: Recorded) -> None:
    """The collector may be frozen once the checkpoints are built (see `background`): what a
    closed replay held must then go by reference counting alone."""
    replay, _notices = ReplaySession.open(busy.path)
    assert replay.checkpoints is not None and replay.checkpoints.join(30)
    assert replay.checkpoints.froze and gc.get_freeze_count() > 0
    replay.seek_fraction(0.5)
    replay.state.logs.merged.lines()
    gone = weakref.ref(replay.timeline)
    enabled = gc.isenabled()
    gc.disable()
    try:
        replay.close()
        assert gc.get_freeze_count() == 0  # the collector sees everything again
        del replay
        assert gone() is None
    finally:
        if enabled:
            gc.enable()
