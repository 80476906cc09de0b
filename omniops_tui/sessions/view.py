"""What every screen reads, the same for a live session and a replay (DESIGN principle 1).

A live session (the engine, live/session.py) and a replay (sessions/replay.py) both offer a
`SessionView`: the folded `SessionState`, the `SessionBasis` it was recorded with (runbooks,
decision tree, rollback criteria), the session clock, and change notifications. The UI builds
every screen on a `SessionView`, so the log panes, the checklists, the criteria and the wizard
in a replay are the live ones, fed by the player instead of the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from omniops_tui.core.events import Event
from omniops_tui.logic.criteria import Criterion
from omniops_tui.logic.decision import DecisionTree
from omniops_tui.runbooks.model import RunbookSet
from omniops_tui.sessions.state import SessionState

Listener = Callable[[Sequence[Event] | None], None]
"""Told what was just folded; `None` means the whole state was replaced (a replay seek)."""


@dataclass(frozen=True, slots=True)
class SessionBasis:
    """What a session is about: its runbooks, and the logic that came with them."""

    runbooks: RunbookSet
    tree: DecisionTree | None
    criteria: tuple[Criterion, ...] = ()
    environment: str = ""
    interval: float = 0.0
    notices: tuple[str, ...] = field(default=())
    places: frozenset[str] = frozenset()  # steps/sections that show checks' live answers


class SessionView(Protocol):
    """The read side of a session: state, basis, clock and changes."""

    @property
    def basis(self) -> SessionBasis: ...

    @property
    def state(self) -> SessionState: ...

    @property
    def writable(self) -> bool:
        """False in a replay (and after a live session ended): screens offer no edits."""
        ...

    def offset(self) -> float:
        """Seconds since the session started ("checked 12 s ago"; a replay's position)."""
        ...

    def listen(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` after every fold; returns the function that stops it."""
        ...


class Listeners:
    """Who wants to hear about changes: add one, tell them all."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def add(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)

        def remove() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return remove

    def publish(self, events: Sequence[Event] | None) -> None:
        for listener in list(self._listeners):
            listener(events)
