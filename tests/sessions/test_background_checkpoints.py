"""A replay opens without folding its checkpoints; a background thread builds them after.

What matters: the first state is there at once, every state (during and after the build, and
for a seek that overtakes the builder) equals a full fold, and the builder finishes.
"""

from __future__ import annotations

from omniops_tui.sessions.background import CheckpointBuilder
from omniops_tui.sessions.player import Timeline
from omniops_tui.sessions.reader import read_session
from omniops_tui.sessions.replay import ReplaySession
from omniops_tui.sessions.state import SessionState
from tests.sessions.conftest import Recorded


def fold(events: list) -> SessionState:
    state = SessionState()
    for event in events:
        state.apply(event)
    return state


def test_the_builder_gives_every_checkpoint_of_an_eager_timeline(incident: Recorded) -> None:
    session = read_session(incident.path)
    lazy = Timeline(read_session(incident.path), checkpoint_every=3, eager_checkpoints=False)
    eager = Timeline(session, checkpoint_every=3)
    assert lazy.checkpoints_built == 0
    builder = CheckpointBuilder(lazy, pause_s=0.0).start()
    # A seek far ahead while the builder runs: it folds what it needs itself, correctly.
    assert lazy.state_at_index(len(lazy)) == fold(session.events)
    assert builder.join(timeout=30)
    assert builder.error is None and builder.done
    assert len(lazy._checkpoints) == len(eager._checkpoints)
    for count in range(len(session.events) + 1):
        assert lazy.state_at_index(count) == eager.state_at_index(count), count


def test_replay_opens_at_the_start_and_builds_its_checkpoints_behind(incident: Recorded) -> None:
    replay, _notices = ReplaySession.open(incident.path)
    timeline = replay.timeline
    assert replay.state == fold(timeline.events[: timeline.index_at(0.0)])
    assert replay.checkpoints is not None
    assert replay.checkpoints.join(timeout=30) and replay.checkpoints.done
    replay.seek_fraction(1.0)
    assert replay.state == fold(replay.timeline.events)
