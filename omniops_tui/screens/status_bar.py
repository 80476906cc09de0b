"""The top line of every screen: where you are, the environment, and that you are recorded."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.widgets import Static


class StatusBar(Static):
    """One line: app · location · env · recording file (or REPLAY)."""

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        background: $primary-darken-2;
        color: $text;
        padding: 0 1;
    }
    """

    def __init__(self, location: str = "") -> None:
        super().__init__(id="status-bar")
        self.location = location

    def on_mount(self) -> None:
        self.refresh_text()

    def refresh_text(self) -> None:
        app = self.app
        text = Text()
        text.append("omniops-tui", style="bold")
        if self.location:
            text.append(f" › {self.location}")
        environment = getattr(app.context, "environment", None)
        if environment is not None:
            text.append(f"  env:{environment.name}", style="bold yellow")
        recorder = app.recorder
        if getattr(app.context, "replay", False):
            text.append("  ▶ REPLAY (read-only)", style="bold magenta")
        elif recorder is not None:
            text.append(f"  ● rec {Path(recorder.path).name}", style="red")
        self.update(text)
