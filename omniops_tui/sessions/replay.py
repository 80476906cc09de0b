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
from omniops_tui.sessions.background import CheckpointBuilder, Reload
from omniops_tui.sessions.header import SessionHeader
from omniops_tui.sessions.index import BLOCK, tail_notice
from omniops_tui.sessions.player import Player, Timeline, TimeParseError
from omniops_tui.sessions.state import SessionState
from omniops_tui.sessions.view import Listener, Listeners, SessionBasis

REPLAY_CHECKPOINT_EVERY = 2 * BLOCK
"""A seek folds at most this many events past its checkpoint, decoding them from the file first
(two blocks), and reads its checkpoint's log windows back (`sessions.checkpoint`)."""
MAX_CHECKPOINTS = 2048
"""A checkpoint is ~100 KB (references and counters, no log lines): past this many (2M events)
they are spaced further apart."""
SYNC_FOLD_EVENTS = 2 * REPLAY_CHECKPOINT_EVERY
"""A seek past the checkpoints built so far folds this many events itself (tens of ms); further
than that, it waits for the checkpoint thread instead of blocking the UI."""
MARKERS_NOW_UP_TO = 20_000
"""Up to this many events a marker jump finds the markers itself (a few ms); beyond, it waits
for the checkpoint thread to find them."""
BACKGROUND_DELAY_S = 0.6
"""The index and checkpoint threads start this long after opening: they would take half the
interpreter from the first screen's composing and painting (~0.5 s on this machine)."""
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
        # A seek that waits for the index or the checkpoints: (where to, how to get there).
        self._pending: tuple[Callable[[], float | None], Callable[[float], SessionState | None]] | None = None
        self.announcements: list[str] = []  # for the UI to show (a marker reached while waiting, notices)
        self._reloading: Reload | None = None
        self._reopen: Callable[[], Timeline] | None = None  # the careful way, if the index fails
        self._tail_noticed = True
        self.jumped = False  # a waiting seek was done by `tick` (the UI follows its screen)
        self.jumped = False  # a waiting seek was done by `tick` (the UI follows its screen)

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
            delay_s=BACKGROUND_DELAY_S,
            idle_limit=idle_limit,
            eager_checkpoints=False,
            checkpoint_every=REPLAY_CHECKPOINT_EVERY,
            max_checkpoints=MAX_CHECKPOINTS,
        )
        loaded = replay_basis(timeline.header, runbooks_path)
        replay = cls(timeline, replace(loaded.basis, places=timeline.places()), speed=speed)
        replay.path = str(path)
        replay.checkpoints = CheckpointBuilder(timeline, delay_s=BACKGROUND_DELAY_S).start()
        replay._tail_noticed = timeline.complete  # else told when the index reaches the end
        replay._reopen = lambda: Timeline.open(
            path,
            idle_limit=idle_limit,
            eager_checkpoints=False,
            checkpoint_every=REPLAY_CHECKPOINT_EVERY,
            max_checkpoints=MAX_CHECKPOINTS,
        )
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
        self._follow_index()
        if self._pending is not None:
            self._attempt(*self._pending)
            if self._pending is not None:  # still waiting: the bar shows how far the index is
                self._moved.publish(None)
                return []
        due = self.player.advance()
        if due:
            self._deliver(due)
        self._moved.publish(None)
        return [event for event in due if isinstance(event, ScreenOpened)]

    def _follow_index(self) -> None:
        """What the index thread found: the end (a cut-off last line?), or a line only the
        careful reader takes, in which case the file is read that way behind the screen and
        the replay moves onto it at the same position."""
        timeline = self.timeline
        index = timeline.index
        if not self._tail_noticed and timeline.complete and index is not None:
            self._tail_noticed = True
            # The places checks answered in: the head's were known at open, now all of them.
            self._basis = replace(self._basis, places=timeline.places())
            self._listeners.publish(None)
            if index.truncated_tail:
                self.announcements.append(tail_notice(index))
        if timeline.failed and self._reloading is None and self._reopen is not None:
            self._reloading = Reload(self._reopen).start()
        reload = self._reloading
        if reload is None or not reload.finished:
            return
        self._reloading, self._reopen = None, None
        if reload.error is not None:
            raise reload.error
        assert reload.timeline is not None
        self._move_onto(reload.timeline)

    def close(self) -> None:
        """Stop folding checkpoints (the replay is left); the index, if still growing, ends
        and keeps its sidecar for the next open."""
        if self.checkpoints is not None:
            self.checkpoints.thaw()

    def _move_onto(self, timeline: Timeline) -> None:
        position, player = self.player.position, self.player
        if self.checkpoints is not None:
            self.checkpoints.thaw()
        self.timeline = timeline
        self.player = Player(timeline, speed=player.speed)
        self.checkpoints = CheckpointBuilder(timeline).start()
        self._basis = replace(self._basis, places=timeline.places())
        self.announcements.extend(timeline.session.notices)
        self._attempt(lambda: position, self.player.seek)
        if player.playing:
            self.player.play()

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
        self._attempt(lambda: self.player.position + seconds, self.player.seek)

    def seek_fraction(self, fraction: float) -> None:
        timeline = self.timeline
        self._attempt(
            lambda: (
                timeline.recorded_time(min(max(fraction, 0.0), 1.0) * timeline.playback_duration)
                if timeline.complete
                else None
            ),
            self.player.seek,
        )

    def seek_to(self, text: str) -> str:
        """Go to a typed time; returns a one-line problem, or "" when done (or waiting)."""
        try:
            first = self.timeline.time_for(text)
        except TimeParseError as exc:
            return str(exc)
        timeline = self.timeline
        self._attempt(
            lambda: timeline.time_for(text) if timeline.complete or first < timeline.duration else None,
            self.player.seek,
        )
        return ""

    def marker(self, forward: bool) -> str | None:
        """Jump to the next/previous marker; returns its label, "" when there is none, and
        None while the markers are still being found (the jump happens then, announced)."""
        timeline, player = self.timeline, self.player

        def target() -> float | None:
            small = timeline.complete and len(timeline) <= MARKERS_NOW_UP_TO
            if not (timeline.markers_ready or small):
                return None  # the checkpoint thread finds them: no scan on the UI thread
            found = (
                timeline.next_marker(player.position)
                if forward
                else timeline.previous_marker(player.position)
            )
            return found.t if found is not None else player.position

        def go(_t: float) -> SessionState | None:
            state = player.next_marker() if forward else player.previous_marker()
            if waiting and state is not None and player.last_marker is not None:
                self.announcements.append(player.last_marker.label)
            return state

        waiting = False
        self._attempt(target, go)
        if self._pending is not None:
            waiting = True
            return None
        return player.last_marker.label if player.last_marker is not None else ""

    # ------------------------------------------------------------------ waiting for the index
    @property
    def waiting(self) -> str:
        """What a pending seek waits for ("indexing 42 %"), or "" when none waits."""
        if self._pending is None:
            return ""
        timeline = self.timeline
        if not timeline.complete:
            return f"indexing {int(timeline.progress * 100)} %"
        if not timeline.markers_ready:
            return "finding markers"
        target = self._pending[0]()
        wanted = timeline.index_at(target) if target is not None else len(timeline)
        return f"indexing {int(100 * timeline.checkpoints_built / max(1, wanted))} %"

    def _ready(self, t: float) -> bool:
        timeline = self.timeline
        if not timeline.complete and t >= timeline.duration:
            return False
        return timeline.index_at(t) <= timeline.checkpoints_built + SYNC_FOLD_EVENTS

    def _attempt(
        self, target: Callable[[], float | None], go: Callable[[float], SessionState | None]
    ) -> None:
        """Seek now if the index and checkpoints reach there; else wait (`tick` retries)."""
        t = target()
        if t is None or not self._ready(t):
            self._pending = (target, go)
            self._moved.publish(None)
            return
        waited, self._pending = self._pending is not None, None
        self._swap(go(t))
        self.jumped = self.jumped or waited

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
