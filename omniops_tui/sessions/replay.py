"""A recorded session played back: the same `SessionView` a live session offers, driven by a player.

`ReplaySession` folds the events the `Player` hands out into its state and tells its listeners,
exactly as the live engine does after `record()`; a seek replaces the state with the one rebuilt
from the nearest checkpoint (listeners hear `None`). The UI builds the same screens on it, so a
replay is the live screens fed by the player. Nothing here is Textual: the UI calls `tick()`
from a timer.

Which runbooks and logic: the header records the decision tree and rollback criteria the
session used (path, content hash, and a copy of the text), and the runbook files (path and
hash). Replay uses the recorded copies; when a recorded runbook file is missing or changed it
says so and uses what it can find (the file as it is now, or the bundled document), never
silently the wrong one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from omniops_tui.core.errors import UserError
from omniops_tui.core.events import Event, ScreenOpened
from omniops_tui.logic.criteria import CRITERIA_FILE, Criterion, load_criteria
from omniops_tui.logic.decision import TREE_FILE, DecisionTree, load_tree
from omniops_tui.runbooks.loader import BUNDLED_DIR, load_runbooks
from omniops_tui.runbooks.model import RunbookSet
from omniops_tui.sessions.background import CheckpointBuilder
from omniops_tui.sessions.header import SessionHeader
from omniops_tui.sessions.index import BLOCK
from omniops_tui.sessions.player import Player, Timeline, TimeParseError
from omniops_tui.sessions.state import SessionState
from omniops_tui.sessions.view import Listener, Listeners, SessionBasis

REPLAY_CHECKPOINT_EVERY = 2 * BLOCK
"""A seek folds at most this many events past its checkpoint, decoding them from the file first
(two blocks): 2,000 took a p99 of ~230 ms at 100k events on a loaded machine, 512 ~30 ms but
a snapshot each (~0.4 MB); 1,024 is the middle."""
MAX_CHECKPOINTS = 128
"""Each checkpoint is a snapshot of the state (~2 MB with full log buffers): past this many
(131,072 events), memory wins over seek time and the checkpoints are spaced further apart."""
PUBLISH_EACH_UP_TO = 40  # beyond this many events in one tick, one "everything changed" instead


@dataclass
class ReplayBasis:
    basis: SessionBasis
    notices: list[str] = field(default_factory=list)


class ReplaySession:
    """A recording as a read-only session: play, pause, seek, markers, speeds."""

    def __init__(self, timeline: Timeline, basis: SessionBasis, *, speed: float = 1.0) -> None:
        self.timeline = timeline
        self.player = Player(timeline, speed=speed)
        self._basis = basis
        self._state = timeline.state_at(0.0)
        self._listeners = Listeners()
        self._moved = Listeners()
        self.path = ""
        self.checkpoints: CheckpointBuilder | None = None

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        runbooks_path: Path | None = None,
        speed: float = 1.0,
        idle_limit: float | None = None,
    ) -> tuple[ReplaySession, list[str]]:
        """Read a recording and what it was recorded with; returns the replay and its notices."""
        # The first screen needs the state at the start only: the file is indexed, not decoded
        # (`sessions.index`), and markers and checkpoints (for seeks) are found on a background
        # thread after it is shown, instead of before.
        timeline = Timeline.open(
            path,
            lazy=True,
            idle_limit=idle_limit,
            eager_checkpoints=False,
            checkpoint_every=REPLAY_CHECKPOINT_EVERY,
            max_checkpoints=MAX_CHECKPOINTS,
        )
        loaded = replay_basis(timeline.header, runbooks_path)
        replay = cls(timeline, replace(loaded.basis, places=timeline.places()), speed=speed)
        replay.path = str(path)
        replay.checkpoints = CheckpointBuilder(timeline).start()
        return replay, list(timeline.session.notices) + loaded.notices

    # ------------------------------------------------------------------ SessionView
    @property
    def basis(self) -> SessionBasis:
        return self._basis

    @property
    def state(self) -> SessionState:
        return self._state

    @property
    def writable(self) -> bool:
        return False

    def offset(self) -> float:
        return self.player.position

    def listen(self, listener: Listener) -> Callable[[], None]:
        return self._listeners.add(listener)

    def on_moved(self, listener: Callable[[Any], None]) -> Callable[[], None]:
        """Told after every tick and seek (the timeline bar redraws)."""
        return self._moved.add(listener)

    # ------------------------------------------------------------------ playing
    def start(self, *, play: bool = True) -> None:
        if play:
            self.player.play()

    def tick(self) -> list[ScreenOpened]:
        """Deliver what became due; returns the screens the engineer opened meanwhile.

        A line the background thread could not decode (hand-edited inside) ends the replay
        here with its one-line error, as reading it whole would have before the first screen.
        """
        if self.checkpoints is not None and isinstance(self.checkpoints.error, UserError):
            raise self.checkpoints.error
        due = self.player.advance()
        if due:
            self._deliver(due)
        self._moved.publish(None)
        return [event for event in due if isinstance(event, ScreenOpened)]

    def _deliver(self, due: list[Event]) -> None:
        state = self._state
        for event in due:
            state.apply(event)
        self._listeners.publish(due if len(due) <= PUBLISH_EACH_UP_TO else None)

    def _swap(self, state: SessionState | None) -> bool:
        if state is None:
            return False
        self._state = state
        self._listeners.publish(None)
        self._moved.publish(None)
        return True

    def toggle(self) -> None:
        if self.player.finished and not self.player.playing:
            self._swap(self.player.seek(0))
        self.player.toggle()
        self._moved.publish(None)

    def seek_by(self, seconds: float) -> None:
        self._swap(self.player.seek_by(seconds))

    def seek_fraction(self, fraction: float) -> None:
        self._swap(self.player.seek_fraction(fraction))

    def seek_to(self, text: str) -> str:
        """Go to a typed time; returns a one-line problem, or "" when done."""
        try:
            self._swap(self.player.seek_to(text))
        except TimeParseError as exc:
            return str(exc)
        return ""

    def marker(self, forward: bool) -> str:
        """Jump to the next/previous marker; returns its label, or "" when there is none."""
        state = self.player.next_marker() if forward else self.player.previous_marker()
        if not self._swap(state) or self.player.last_marker is None:
            return ""
        return self.player.last_marker.label

    def faster(self, up: bool) -> None:
        if up:
            self.player.faster()
        else:
            self.player.slower()
        self._moved.publish(None)

    @property
    def screen(self) -> ScreenOpened | None:
        """The screen the engineer had open at the current position."""
        return self._state.screen


# ---------------------------------------------------------------------------- what it was recorded with
def replay_basis(header: SessionHeader, runbooks_path: Path | None = None) -> ReplayBasis:
    """The runbooks, tree and criteria a recording was made with, as far as they can be had."""
    notices: list[str] = []
    logic = {entry.get("kind"): entry for entry in header.extra.get("logic", []) if isinstance(entry, dict)}
    runbooks = _runbooks(header, runbooks_path, logic, notices)
    tree = _recorded_tree(logic.get("tree"), runbooks, notices)
    criteria = _recorded_criteria(logic.get("criteria"), runbooks, notices)
    basis = SessionBasis(
        runbooks=runbooks, tree=tree, criteria=tuple(criteria), environment=header.environment
    )
    return ReplayBasis(basis, notices)


def _runbooks(
    header: SessionHeader, runbooks_path: Path | None, logic: dict[Any, dict[str, Any]], notices: list[str]
) -> RunbookSet:
    if runbooks_path is not None:
        return load_runbooks(runbooks_path)
    recorded = [Path(p) for p in header.runbook_source if p]
    if not recorded or all(p.parent == BUNDLED_DIR for p in recorded):
        return load_runbooks(None)
    missing = [str(p) for p in recorded if not p.exists()]
    if missing:
        notices.append(
            f"the recorded runbooks are not here ({', '.join(missing)}); showing the bundled runbooks "
            "(pass --runbooks to use others)"
        )
        return load_runbooks(None)
    for entry in logic.values():
        if entry.get("kind") == "runbook" and Path(str(entry.get("path"))).exists():
            current = hashlib.sha256(Path(str(entry["path"])).read_bytes()).hexdigest()
            if current != entry.get("sha256"):
                notices.append(f"{entry['path']} changed since the recording; showing it as it is now")
    try:
        return load_runbooks(recorded[0] if len(recorded) == 1 else recorded[0].parent)
    except UserError as exc:
        notices.append(f"the recorded runbooks cannot be loaded ({exc.message}); showing the bundled ones")
        return load_runbooks(None)


def _recorded_tree(
    entry: dict[str, Any] | None, runbooks: RunbookSet, notices: list[str]
) -> DecisionTree | None:
    if entry is not None and entry.get("text"):
        try:
            return load_tree(Path(str(entry.get("path", TREE_FILE))), text=str(entry["text"]))
        except UserError as exc:
            notices.append(f"the recorded decision tree cannot be read ({exc.message})")
    elif entry is None:
        notices.append("this recording does not say which decision tree it used; using the bundled one")
    bundled = load_tree(BUNDLED_DIR / TREE_FILE)
    return bundled if bundled.runbook_ids() <= {r.id for r in runbooks.runbooks} else None


def _recorded_criteria(
    entry: dict[str, Any] | None, runbooks: RunbookSet, notices: list[str]
) -> list[Criterion]:
    if entry is not None and entry.get("text"):
        try:
            return load_criteria(Path(str(entry.get("path", CRITERIA_FILE))), text=str(entry["text"]))
        except UserError as exc:
            notices.append(f"the recorded rollback criteria cannot be read ({exc.message})")
    if runbooks.get("emergency-rollback") is None:
        return []
    return load_criteria(BUNDLED_DIR / CRITERIA_FILE)
