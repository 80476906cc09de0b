"""A replay opens on its head: the rest is indexed behind the screen, kept in a sidecar, and
every answer (states, markers, notices) is the same as reading the file whole.

Chunks are made tiny here so the recorded incident is indexed in many steps, on the thread.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from omniops_tui.core.errors import UserError
from omniops_tui.sessions import index as index_module
from omniops_tui.sessions import sidecar as sidecar_module
from omniops_tui.sessions.index import LazyEvents
from omniops_tui.sessions.reader import read_session
from omniops_tui.sessions.replay import ReplaySession
from omniops_tui.sessions.sidecar import open_lazy, sidecar_path
from omniops_tui.sessions.state import SessionState
from omniops_tui.sessions.timeline import Timeline
from tests.sessions.conftest import Recorded


@pytest.fixture(autouse=True)
def tiny_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_module, "CHUNK_BYTES", 700)
    monkeypatch.setattr(index_module, "HEAD_BYTES", 700)
    monkeypatch.setattr(sidecar_module, "HEAD_BYTES", 700)
    monkeypatch.setattr(sidecar_module, "MIN_EVENTS", 1)
    monkeypatch.setattr("omniops_tui.sessions.replay.BACKGROUND_DELAY_S", 1.5)  # asserts come first


def fold(events: list) -> SessionState:
    state = SessionState()
    for event in events:
        state.apply(event)
    return state


def wait_until(condition, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not in time"
        time.sleep(0.01)


def test_the_head_opens_and_the_rest_is_indexed_behind_it(incident: Recorded) -> None:
    eager = Timeline.open(incident.path, idle_limit=30.0)
    lazy = Timeline.open(incident.path, lazy=True, idle_limit=30.0, delay_s=1.5)
    assert isinstance(lazy.events, LazyEvents) and not lazy.complete
    assert 0 < len(lazy) < len(eager) and lazy.markers == []  # markers wait for the whole file
    assert lazy.index is not None and lazy.index.wait(30) and lazy.complete
    assert list(lazy.events) == list(eager.events) and lazy.markers == eager.markers
    assert lazy.places() == eager.places() and lazy.playback_duration == eager.playback_duration
    for t in [0.0, *eager.times]:
        assert lazy.state_at(t) == eager.state_at(t)
        assert lazy.playback_time(t) == eager.playback_time(t)


def test_a_seek_past_the_indexed_part_waits_then_lands(incident: Recorded) -> None:
    replay, _notices = ReplaySession.open(incident.path)
    replay.player.pause()
    replay.seek_fraction(1.0)
    assert replay.waiting.startswith("indexing")  # what the replay bar shows meanwhile
    deadline = time.monotonic() + 30
    while replay.waiting:
        assert time.monotonic() < deadline
        assert replay.tick() == []  # never blocks: the UI keeps ticking
        time.sleep(0.02)
    assert replay.jumped and replay.state == fold(read_session(incident.path).events)
    label = replay.marker(False)
    if label is None:  # the markers are found by the checkpoint thread: the jump waits for them
        wait_until(lambda: replay.timeline.markers_ready)
        replay.tick()
        label = replay.announcements[-1]
    assert label and replay.player.last_marker is not None


def test_a_second_open_reads_the_sidecar_and_a_stale_one_is_not_trusted(incident: Recorded) -> None:
    first = open_lazy(incident.path)
    assert first is not None and isinstance(first.events, LazyEvents)
    assert first.events.source.wait(30)
    wait_until(sidecar_path(incident.path).exists)
    again = open_lazy(incident.path)
    assert again is not None and isinstance(again.events, LazyEvents)
    index = again.events.source
    assert index.wait(30) and index.from_sidecar and index.complete  # adopted on the thread
    assert list(again.events) == read_session(incident.path).events
    raw = sidecar_path(incident.path).read_bytes()
    assert b"GET /api/health" not in raw  # offsets, times, types and places: no session text
    # Damaged sidecar: ignored. Session touched (appended, rewritten): ignored.
    sidecar_path(incident.path).write_bytes(raw[:-5])
    reopened = open_lazy(incident.path)
    assert reopened is not None and reopened.events.source.wait(30)  # type: ignore[attr-defined]
    assert not reopened.events.source.from_sidecar  # type: ignore[attr-defined]
    wait_until(lambda: sidecar_path(incident.path).read_bytes() == raw)
    stat = incident.path.stat()
    os.utime(incident.path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    stale = open_lazy(incident.path)
    assert stale is not None and stale.events.source.wait(30)  # type: ignore[attr-defined]
    assert not stale.events.source.from_sidecar  # type: ignore[attr-defined]


def test_a_corrupt_line_found_behind_the_screen_reloads_with_its_notice(
    incident: Recorded, tmp_path: Path
) -> None:
    lines = incident.path.read_bytes().splitlines(keepends=True)
    at = len(lines) - 3  # far past the head
    path = tmp_path / "damaged.jsonl"
    path.write_bytes(b"".join([*lines[:at], b"{not json\n", *lines[at:]]))
    careful = read_session(path)
    replay, notices = ReplaySession.open(path)
    assert notices == [n for n in notices if "not json" not in n]  # not known yet
    deadline = time.monotonic() + 30
    while not any(f"{path}:{at + 1}:" in text for text in replay.announcements):
        assert time.monotonic() < deadline
        replay.tick()
        time.sleep(0.02)
    assert not isinstance(replay.timeline.events, LazyEvents)
    assert replay.timeline.final_state() == Timeline(careful).final_state()


def test_a_file_rewritten_while_replayed_is_one_clear_error(incident: Recorded, tmp_path: Path) -> None:
    path = tmp_path / "rewritten.jsonl"
    data = incident.path.read_bytes()
    path.write_bytes(data)
    timeline = Timeline.open(path, lazy=True)
    assert timeline.index is not None and timeline.index.wait(30)
    path.write_bytes(data[: len(data) // 2].replace(b'"seq":', b'"seq": '))  # shorter, other bytes
    with pytest.raises(UserError) as error:
        timeline.final_state()
    assert "rewritten while it was replayed" in error.value.message


def test_playback_times_grow_by_steps_and_answer_as_if_whole(
    incident: Recorded, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large index landing at once is taken a bounded step per bar frame (no long UI tick);
    every answer is still the one computed over the whole file."""
    monkeypatch.setattr("omniops_tui.sessions.timeline.GROW_STEP", 3)
    eager = Timeline.open(incident.path, idle_limit=30.0)
    lazy = Timeline.open(incident.path, lazy=True, idle_limit=30.0, delay_s=1.5)
    assert lazy.index is not None and lazy.index.wait(30) and len(lazy) > 10
    grown = len(lazy._playback)
    lazy.playback_duration_so_far()
    assert len(lazy._playback) == min(grown + 3, len(lazy))  # one step, not the whole index
    for p in [0.0, 1.0, eager.playback_duration / 2, eager.playback_duration, eager.playback_duration + 5]:
        assert lazy.recorded_time(p) == eager.recorded_time(p)
    for t in reversed([0.0, *eager.times]):
        assert lazy.playback_time(t) == eager.playback_time(t)
    assert lazy.playback_duration == eager.playback_duration
    assert list(lazy._playback) == list(eager._playback)
