"""The first frame of a live start, drawn before the engine exists (issue 12).

Importing the engine (the session's event vocabulary, the rules, the checks' clients) and
building it cost more than Textual's own start, and home needs none of it: it shows the
runbooks and the environment. So the App starts on a `StartingView` (a stand-in for the
session view with the real runbooks, an empty state and nothing recorded yet) and a `Starting`
that knows how to build the engine; once home is painted, the App builds the engine and swaps
it in (`OmniOpsApp._attach_engine`). Keys pressed meanwhile are held and replayed, so nothing
typed in that moment is lost or sent to a half-built session.

Nothing here imports the engine; keep it that way: this module is on the path to the first paint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from omniops_tui.live.session import LiveSession
    from omniops_tui.runbooks.model import RunbookSet
    from omniops_tui.ui.home_index import HomeIndex


class StartingBasis:
    """The fields of `SessionBasis` home and the status bar read, without the rules' modules.

    `runbooks` is read at its first use: a start whose home is drawn from its index
    (ui/home_index.py) loads the model after the first frame, when the details or a key need it.
    (A plain class, not a dataclass: it is on the path to the first paint, and so is its import.)
    """

    tree = None
    criteria: tuple[Any, ...] = ()
    interval = 0.0
    notices: tuple[str, ...] = ()
    places: frozenset[str] = frozenset()

    def __init__(self, runbooks: Callable[[], RunbookSet], environment: str = "") -> None:
        self._load = runbooks
        self._runbooks: RunbookSet | None = None
        self.environment = environment

    @property
    def runbooks(self) -> RunbookSet:
        if self._runbooks is None:
            self._runbooks = self._load()
        return self._runbooks

    @property
    def runbooks_loaded(self) -> bool:
        return self._runbooks is not None


class _NothingFiring:
    def __init__(self) -> None:
        self.firing: dict[str, Any] = {}


class StartingState:
    """A session with nothing recorded yet: no item done, no criterion firing."""

    def __init__(self) -> None:
        self.criteria = _NothingFiring()

    def is_done(self, item_id: str) -> bool:
        return False

    def progress(self, item_ids: list[str]) -> tuple[int, int]:
        return 0, len(item_ids)


class StartingView:
    """The read side of a session about to start (a `SessionView` by shape: read-only, empty)."""

    writable = False

    def __init__(
        self,
        runbooks: Callable[[], RunbookSet],
        environment: str = "",
        *,
        index: HomeIndex | None = None,
        keep_index: Callable[[HomeIndex], None] | None = None,
    ) -> None:
        self.basis = StartingBasis(runbooks, environment)
        self.state = StartingState()
        # Home's rows, drawn before the runbooks are read (ui/home_index.py), and how home keeps
        # them for the next start when it drew them from the runbooks.
        self.index = index
        self.keep_index = keep_index

    def offset(self) -> float:
        return 0.0

    def listen(self, listener: Callable[..., None]) -> Callable[[], None]:
        return lambda: None


class Starting:
    """What a deferred live start has before its first paint, and how to build the rest."""

    def __init__(
        self,
        view: StartingView,
        build: Callable[[], LiveSession],  # raises `UserError` for what only the full set-up checks
    ) -> None:
        self.view = view
        self.build = build
