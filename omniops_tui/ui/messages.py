"""The typed messages the App sends its screens (toolong's `messages.py` is the model).

Bursts coalesce in the receiving screen's queue through `can_replace`: a sampling round or a
sweep of 40 checks becomes one redraw, with no hand-made debounce timers.
"""

from __future__ import annotations

from textual.message import Message

EVERYTHING = "*"
"""The kind that means "the whole state changed" (a replay seek, a mode switch)."""


class SessionUpdated(Message):
    """Events were folded into the session state; `kinds` says which event types (or `*`)."""

    def __init__(self, kinds: set[str]) -> None:
        super().__init__()
        self.kinds = kinds

    def can_replace(self, message: Message) -> bool:
        if isinstance(message, SessionUpdated):
            message.kinds |= self.kinds  # the newer message carries both on
            return True
        return False

    def touches(self, *kinds: str) -> bool:
        return EVERYTHING in self.kinds or not self.kinds.isdisjoint(kinds)


class ChecksRunning(Message):
    """The checklist items whose checks are running now (spinners)."""

    def __init__(self, items: frozenset[str]) -> None:
        super().__init__()
        self.items = items

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ChecksRunning)


class ReplayMoved(Message):
    """The replay's position, speed or play state changed (the timeline bar redraws)."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ReplayMoved)


class ReplaySeek(Message):
    """The timeline bar was clicked: go to this fraction of the recording."""

    def __init__(self, fraction: float) -> None:
        super().__init__()
        self.fraction = fraction
