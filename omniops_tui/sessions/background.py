"""A replay's checkpoints, built on a background thread after the first screen is up.

Opening a long recording used to fold every event into checkpoints before anything was shown
(40 % of opening 100,000 events). The first screen only needs the state at the start; the
markers and checkpoints only make later jumps cheap. So the timeline opens with none, and this
thread finds the markers, then folds the checkpoints one at a time (a few milliseconds each,
the lock released in between), so a seek that arrives first takes the lock and folds just as
far as it needs, and the event loop keeps its share of the interpreter. The thread is a daemon
and stops on `stop()` or when done.
"""

from __future__ import annotations

import threading
import time

from omniops_tui.sessions.player import Timeline


class CheckpointBuilder:
    """Folds `timeline`'s checkpoints forward on a daemon thread until all are built."""

    def __init__(self, timeline: Timeline, *, pause_s: float = 0.001) -> None:
        self.timeline = timeline
        self.pause_s = pause_s  # between checkpoints: lets the UI thread take the interpreter
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="replay-checkpoints", daemon=True)
        self.error: BaseException | None = None

    def start(self) -> CheckpointBuilder:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait until every checkpoint is built (or the builder stopped); True when it ended."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def done(self) -> bool:
        """Every checkpoint a seek can ask for is built (the last one may cover < K events)."""
        timeline = self.timeline
        return timeline.checkpoints_built + timeline.checkpoint_every > len(timeline)

    def _run(self) -> None:
        timeline = self.timeline
        every = timeline.checkpoint_every
        try:
            timeline.markers  # noqa: B018  (found here, not at the first `]`)
            while not self._stop.is_set() and not self.done:
                timeline._ensure_checkpoints(timeline.checkpoints_built + every)
                if self.pause_s:
                    time.sleep(self.pause_s)
        except Exception as exc:  # a seek folds what it needs itself: never fatal here
            self.error = exc
