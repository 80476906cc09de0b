"""Build the app the way the CLI does, against a throwaway sessions folder."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from omniops_tui.app import OmniOpsApp, build_app
from omniops_tui.cli import Options


@pytest.fixture
def make_app(tmp_path: Path) -> Callable[..., OmniOpsApp]:
    def make(*, resume: Path | None = None, session_id: str = "test-session",
             runbooks: Path | None = None, config: Path | None = None, env: str | None = None,
             ) -> OmniOpsApp:
        options = Options(runbooks=runbooks, sessions_dir=tmp_path / "sessions", config=config,
                          env=env, read_only=False)
        return build_app(options, resume=resume, session_id=session_id if resume is None else "")

    return make


def session_events(app: OmniOpsApp) -> list[dict[str, Any]]:
    assert app.recorder is not None
    lines = Path(app.recorder.path).read_text().splitlines()
    return [json.loads(line) for line in lines[1:]]


def widget_text(widget: Any, width: int = 200) -> str:
    """What a Static shows, as plain text (Rich renderables included)."""
    import io

    from rich.console import Console

    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None).print(widget.content)
    return buffer.getvalue()
