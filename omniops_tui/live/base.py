"""What the engine's parts share: notices, services, and the session core they work against.

The live checks, the metrics, the logs, the wizard and diagnostics each need a little of the
session (its one write path, its state, its clock, its connections); they get it through
`SessionCore`, a protocol `LiveSession` satisfies, so none of them imports the session and the
session imports all of them: the dependencies point one way.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from omniops_tui.core.events import Event
from omniops_tui.live.setup import LiveSetup
from omniops_tui.probes.context import CheckContext
from omniops_tui.sessions.recorder import SessionRecorder
from omniops_tui.sessions.state import SessionState
from omniops_tui.sessions.view import SessionBasis


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the engineer should see now (a toast). `text` may hold outside text: show it
    literally, never as markup."""

    text: str
    severity: Literal["information", "warning", "error"] = "information"
    title: str = ""
    timeout: float = 6.0


@dataclass(frozen=True, slots=True)
class Service:
    """A long-running piece of the engine; the host runs `run()` and restarts it if it fails."""

    name: str
    run: Callable[[], Coroutine[Any, Any, None]]


class DemoControl(Protocol):
    """What the engine needs of the demo's sandbox (sandbox/demo.py `DemoServices`)."""

    @property
    def scenario(self) -> str:
        """The production's scenario now (it may change without `set_scenario`: a restart)."""
        ...

    def set_scenario(self, name: str) -> None: ...


class SessionCore(Protocol):
    """The part of a live session its services use."""

    setup: LiveSetup
    recorder: SessionRecorder

    @property
    def basis(self) -> SessionBasis: ...

    @property
    def state(self) -> SessionState: ...

    @property
    def writable(self) -> bool: ...

    @property
    def session_path(self) -> Path: ...

    def offset(self) -> float: ...

    def record(self, event: Event) -> Event: ...

    def write_only(self, event: Event) -> None: ...

    def show_only(self, event: Event) -> None: ...

    def fold_quietly(self, event: Event) -> None: ...

    def notify(self, notice: Notice) -> None: ...

    def running_changed(self, items: frozenset[str]) -> None: ...

    def check_context(self) -> CheckContext: ...

    def database_url(self) -> str | None: ...
