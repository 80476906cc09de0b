"""Garbage collection where no key waits for it.

Python's cyclic collector ran a full collection every few seconds of use (each screen popped
leaves its widgets as cycles), and a full collection walks every object the process holds: the
runbooks, the styles, Textual, and in the demo the sandbox's servers and their libraries. On a
loaded 2-core machine that was a 100-500 ms pause, and every key figure's tail (p99 of opening a
runbook, switching a section, `m`) was a key that fell into one (issue 9 D).

So, once the app is mounted, and again once it has warmed up (warmup.py): what exists then lives
as long as the app and is frozen out of the collector's sight (`gc.freeze`); the collector's own
full collections become rare (a backstop); and full collections run when the keys have paused,
if the young collections since the last one say there is something to find. On exit all of it is undone
(a test process builds many apps one after another).
"""

from __future__ import annotations

import gc
import time
from typing import Any

IDLE_S = 1.0  # no key for this long: a full collection may run
CHECK_S = 0.5  # how often the pause is looked for
DUE_AFTER = 4  # young (generation 1) collections since the last full one before one is due
BACKSTOP = 100  # the collector's own threshold for a full collection (Python's default: 10)


class IdleCollector:
    """Full collections at pauses of the keys; see the module's docstring."""

    def __init__(self) -> None:
        self.key_at = time.monotonic()
        self.collections = 0  # full collections run at a pause (tests read it)
        self._thresholds: tuple[int, int, int] | None = None
        self._timer: Any = None

    def start(self, app: Any) -> None:
        """Freeze what exists, make the collector's full collections rare, look for pauses."""
        if self._thresholds is not None:
            return
        gc.freeze()
        self._thresholds = gc.get_threshold()
        young, middle, _ = self._thresholds
        gc.set_threshold(young, middle, BACKSTOP)
        self._timer = app.set_interval(CHECK_S, self.tick, name="idle-gc")

    def freeze(self) -> None:
        """What exists now lives as long as the app: out of every full collection's walk."""
        if self._thresholds is not None:
            gc.freeze()

    def key(self) -> None:
        """A key arrived: no collection of ours until the keys pause again."""
        self.key_at = time.monotonic()

    def tick(self) -> None:
        if time.monotonic() - self.key_at < IDLE_S or gc.get_count()[2] < DUE_AFTER:
            return
        gc.collect()
        self.collections += 1

    def stop(self) -> None:
        """As Python had it: thresholds back, the frozen objects collectable again."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            self._thresholds = None
            gc.unfreeze()
