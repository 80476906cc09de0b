"""Keys typed right after a key that opens a screen go to that screen, not to the one it leaves.

Over SSH, keys often arrive together: `enter` on home's table and the `down down` meant for
the runbook it opens came in one read. Textual hands each key to the focused widget's queue as
it arrives, and `enter` only asks home to open the runbook (a message to the screen), so the
`down`s had already moved home's cursor by the time the runbook screen was up: the next
`enter` opened another runbook than the one the engineer was looking at. A screen names the
keys that open another (`OPENS_ON_KEYS`); after one of them the App holds what follows until
the screen on top changes, then hands it over in order. Never for long: after `HOLD_MAX_S`
(a key that opened nothing) the held keys go where they would have gone.
"""

from __future__ import annotations

import time

from textual import events
from textual.app import App
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input

HOLD_MAX_S = 1.0
CHECK_EVERY_S = 0.02


class TypeAhead:
    """The App's hold on the keys that follow a screen-opening key."""

    def __init__(self, app: App[None]) -> None:
        self._app = app
        self._leaving: Screen[object] | None = None
        self._since = 0.0
        self._held: list[events.Key] = []
        self._timer: Timer | None = None

    def take(self, event: events.Event) -> bool:
        """True when `event` is held; notes an opening key (which itself goes on as usual)."""
        # A forwarded key is one the App already handed on, bubbling back up to it (the opening
        # key itself, or one handed on just before it): never held, or it would come twice.
        if not isinstance(event, events.Key) or event.is_forwarded or not self._app.screen_stack:
            return False
        if self._leaving is not None:
            self._held.append(event)
            return True
        screen = self._app.screen
        if event.key in getattr(screen, "OPENS_ON_KEYS", ()) and not isinstance(self._app.focused, Input):
            self._leaving, self._since = screen, time.monotonic()
            self._timer = self._app.set_interval(CHECK_EVERY_S, self._check)
        return False

    def _check(self) -> None:
        stack = self._app.screen_stack
        if stack and stack[-1] is self._leaving and time.monotonic() - self._since < HOLD_MAX_S:
            return
        held, self._held, self._leaving = self._held, [], None
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if stack:  # (none: the App is leaving, and so are the keys)
            for event in held:
                self._app.post_message(event)
