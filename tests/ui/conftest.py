"""Build the app the way the CLI does, against a throwaway sessions folder."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from omniops_tui.options import Options
from omniops_tui.sessions.recorder import Clock
from omniops_tui.ui.app import OmniOpsApp
from omniops_tui.ui.factory import build_app


class ManualClock(Clock):
    """A session clock the test moves: ten minutes of error spike without waiting ten minutes."""

    def __init__(self) -> None:
        import time
        from datetime import UTC, datetime

        self.now = time.monotonic()
        self._wall0 = datetime.now(UTC)
        self._mono0 = self.now

    def monotonic(self) -> float:
        return self.now

    def wall(self):
        from datetime import timedelta

        return self._wall0 + timedelta(seconds=self.now - self._mono0)

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def make_app(tmp_path: Path) -> Callable[..., OmniOpsApp]:
    def make(
        *,
        resume: Path | None = None,
        session_id: str = "test-session",
        runbooks: Path | None = None,
        config: Path | None = None,
        env: str | None = None,
        clock: Clock | None = None,
    ) -> OmniOpsApp:
        options = Options(
            runbooks=runbooks, sessions_dir=tmp_path / "sessions", config=config, env=env, read_only=False
        )
        return build_app(options, resume=resume, session_id=session_id if resume is None else "", clock=clock)

    return make


def session_events(app: OmniOpsApp) -> list[dict[str, Any]]:
    assert app.live is not None
    lines = Path(app.live.recorder.path).read_text().splitlines()
    return [json.loads(line) for line in lines[1:]]


async def wait_for(pilot: Any, condition: Callable[[], bool], timeout: float = 20) -> None:
    """Let the app run until `condition` holds (live checks and samples arrive in the background)."""
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await pilot.pause(0.1)


@pytest.fixture
async def sandbox() -> Any:
    """A sandbox production with two SSH hosts, started for one test."""
    from omniops_tui.sandbox import Sandbox

    async with Sandbox(hosts=2) as running:
        yield running


def widget_text(widget: Any, width: int = 200) -> str:
    """What a Static shows, as plain text (Rich renderables included)."""
    import io

    from rich.console import Console

    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None).print(widget.content)
    return buffer.getvalue()


def criteria_states(app: OmniOpsApp) -> dict[str, Any]:
    """Each rollback criterion's state now, as the metrics screen shows it."""
    from omniops_tui.logic.criteria import evaluate_history

    session = app.ctx.session
    return evaluate_history(session.basis.criteria, session.state.metrics, session.offset())
