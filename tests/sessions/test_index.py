"""Replay's lazy reading: an indexed file plays exactly like one read whole, and keeps the rules.

Blocks are made tiny here so that the recorded incident spans many of them and the cache
drops some: the decode-on-demand path is the one exercised, not one big block.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from omniops_tui.core.errors import UserError
from omniops_tui.sessions import lazy_events as index_module
from omniops_tui.sessions.index import LazyEvents, index_session
from omniops_tui.sessions.reader import read_session
from omniops_tui.sessions.replay import ReplaySession
from omniops_tui.sessions.timeline import Timeline
from tests.sessions.conftest import Recorded


@pytest.fixture(autouse=True)
def tiny_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_module, "BLOCK", 3)
    monkeypatch.setattr(index_module, "CACHED_BLOCKS", 2)


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def test_an_indexed_session_replays_exactly_like_one_read_whole(incident: Recorded) -> None:
    lazy = Timeline.open(incident.path, lazy=True, idle_limit=30.0)
    eager = Timeline.open(incident.path, idle_limit=30.0)
    assert isinstance(lazy.events, LazyEvents)
    assert list(lazy.events) == list(eager.events) == lazy.events[:]
    assert [lazy.events[i] for i in range(-1, -len(eager.events) - 1, -1)] == list(eager.events)[::-1]
    assert lazy.markers == eager.markers and lazy.markers
    assert lazy.places() == eager.places()
    assert list(lazy.times) == list(eager.times) and lazy.playback_duration == eager.playback_duration
    for t in [0.0, *eager.times, eager.duration + 5]:
        assert lazy.state_at(t) == eager.state_at(t)
        assert lazy.playback_time(t) == eager.playback_time(t) and lazy.wall_at(t) == eager.wall_at(t)
    assert lazy.session.notices == eager.session.notices == []


def test_a_corrupt_or_blank_line_means_the_careful_reader_with_its_notice(
    incident: Recorded, tmp_path: Path
) -> None:
    lines = lines_of(incident.path)
    for damage in (b"{not json\n", b"\n", b'{"seq":99,"t":1.0,"at":"x","type":"from_the_future"}\n'):
        path = tmp_path / "damaged.jsonl"
        path.write_bytes(b"".join([*lines[:4], damage, *lines[4:]]))
        assert index_session(path) is None
        timeline = Timeline.open(path, lazy=True)
        assert not isinstance(timeline.events, LazyEvents)
        assert timeline.session.notices == read_session(path).notices


def test_a_cut_off_last_line_is_noticed_as_the_reader_does(incident: Recorded, tmp_path: Path) -> None:
    path = tmp_path / "cut.jsonl"
    path.write_bytes(incident.path.read_bytes() + b'{"seq":999,"t":1700.0,"at":"2025-03-14T03:')
    timeline = Timeline.open(path, lazy=True)
    assert isinstance(timeline.events, LazyEvents)
    assert timeline.session.notices == read_session(path).notices
    assert "last line is incomplete" in timeline.session.notices[0]
    assert list(timeline.events) == read_session(path).events


def test_a_bad_field_past_the_scan_is_refused_naming_its_line(incident: Recorded, tmp_path: Path) -> None:
    lines = lines_of(incident.path)
    number = next(i for i, line in enumerate(lines) if b'"type":"check_result"' in line)
    lines[number] = lines[number].replace(b'"status":"', b'"status":5,"was":"', 1)
    path = tmp_path / "edited.jsonl"
    path.write_bytes(b"".join(lines))
    with pytest.raises(UserError) as whole:
        read_session(path)
    assert f"{path}:{number + 1}: " in whole.value.message
    timeline = Timeline.open(path, lazy=True)  # the scan cannot see inside the line
    with pytest.raises(UserError) as lazily:
        timeline.final_state()
    assert lazily.value.message == whole.value.message
    replay, _notices = ReplaySession.open(path)
    assert replay.checkpoints is not None and replay.checkpoints.join(30)
    with pytest.raises(UserError):  # the replay ends with that line, as an open would have
        replay.tick()


def test_a_long_session_keeps_a_bounded_number_of_checkpoints(incident: Recorded) -> None:
    count = len(Timeline.open(incident.path).events)
    spaced = Timeline.open(incident.path, lazy=True, checkpoint_every=2, max_checkpoints=3)
    assert spaced.checkpoint_every % 2 == 0 and count // spaced.checkpoint_every <= 3
    assert spaced.final_state() == Timeline.open(incident.path).final_state()
    assert Timeline.open(incident.path, checkpoint_every=2, max_checkpoints=count).checkpoint_every == 2
