"""A replay's checkpoints, built on a background thread after the first screen is up.

Opening a long recording used to fold every event into checkpoints before anything was shown
(40 % of opening 100,000 events). The first screen only needs the state at the start; the
markers and checkpoints only make later jumps cheap. So the timeline opens with none, and this
thread folds the checkpoints one at a time as the index grows, and finds the markers once
it is complete (a few milliseconds each,
the lock released in between), so a seek that arrives first takes the lock and folds just as
far as it needs, and the event loop keeps its share of the interpreter. The thread is a daemon
and stops on `stop()` or when done.

What the fold keeps (the checkpoints, the shared lists of events, markers) is long-lived and
large: ~300,000 objects at 1M events, which each full collection of the cycle collector walked,
0.3-1 s a time, every few seeks (each seek leaves a state's worth of survivors): the seek's p99
and the longest tick. So the builder moves what exists to the collector's permanent generation
(`gc.freeze`) every `FREEZE_EVERY` checkpoints and when done, as runbooks/deferred.py does for
the model (process-wide: the cost is that cyclic garbage of those moments is kept). The
replay's own structures are freed by reference counting (tests/sessions/test_replay_reads_back);
`thaw` (the replay is closed) gives everything back to the collector, so that widgets alive then
and dropped since are collected as usual.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable

from omniops_tui.sessions.player import Timeline

FREEZE_EVERY = 64  # checkpoints between two freezes while building (~65,000 events at 1M)


class CheckpointBuilder:
    """Folds `timeline`'s checkpoints forward on a daemon thread until all are built."""

    def __init__(self, timeline: Timeline, *, pause_s: float = 0.001, delay_s: float = 0.0) -> None:
        self.timeline = timeline
        self.pause_s = pause_s  # between checkpoints: lets the UI thread take the interpreter
        self.delay_s = delay_s  # before the first: the first screen is painted meanwhile
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="replay-checkpoints", daemon=True)
        self.error: BaseException | None = None
        self.froze = False  # the builder froze the collector's view at least once

    def start(self) -> CheckpointBuilder:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def thaw(self) -> None:
        """Give what was frozen back to the cycle collector (the replay is left)."""
        self.stop()
        if self._thread.is_alive():  # between two checkpoints (a few ms): it may be freezing
            self._thread.join(0.5)
        if self.froze:
            self.froze = False
            gc.unfreeze()

    def _freeze(self) -> None:
        if not self._stop.is_set():
            gc.freeze()
            self.froze = True

    def join(self, timeout: float | None = None) -> bool:
        """Wait until every checkpoint is built (or the builder stopped); True when it ended."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def done(self) -> bool:
        """Every checkpoint a seek can ask for is built (the last one may cover < K events)."""
        timeline = self.timeline
        return timeline.complete and timeline.checkpoints_built + timeline.checkpoint_every > len(timeline)

    def _run(self) -> None:
        timeline = self.timeline
        every = timeline.checkpoint_every
        self._stop.wait(self.delay_s)
        try:
            while not self._stop.is_set():
                complete = timeline.complete  # before the length: complete means it is final
                if complete and not timeline.markers_ready:
                    timeline.markers  # noqa: B018  (found here, not at the first `]`)
                if timeline.failed:
                    return  # the replay reloads the careful way, with its own builder
                if not complete:
                    time.sleep(0.05)  # the index first: it is what lets a seek go anywhere
                elif timeline.checkpoints_built + every <= len(timeline):
                    timeline._ensure_checkpoints(timeline.checkpoints_built + every)
                    if (timeline.checkpoints_built // every) % FREEZE_EVERY == 0:
                        self._freeze()
                    if self.pause_s:
                        time.sleep(self.pause_s)
                else:
                    self._freeze()
                    return
        except Exception as exc:  # a seek folds what it needs itself: never fatal here
            self.error = exc


class Reload:
    """Reads a session the careful way on a daemon thread (its index met a line that needs it)."""

    def __init__(self, open_timeline: Callable[[], Timeline]) -> None:
        self._open = open_timeline
        self.timeline: Timeline | None = None
        self.error: BaseException | None = None
        self._done = threading.Event()

    def start(self) -> Reload:
        threading.Thread(target=self._run, name="replay-reload", daemon=True).start()
        return self

    @property
    def finished(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def _run(self) -> None:
        try:
            self.timeline = self._open()
        except BaseException as exc:  # a UserError names the file and line: the replay shows it
            self.error = exc
        finally:
            self._done.set()
