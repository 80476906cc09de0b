"""The top of every screen: where you are, the environment, that you are recorded, and, when
an Emergency Rollback criterion is met, a red banner with the key that opens the runbook."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from omniops_tui.core.events import Event
from omniops_tui.sessions.projections.criteria import firing


class StatusBar(Vertical):
    """One line: app · location · env · recording file (or REPLAY); plus the rollback banner."""

    DEFAULT_CSS = """
    StatusBar {
        height: auto;
    }
    StatusBar #status-line {
        height: 1;
        background: $primary-darken-2;
        color: $text;
        padding: 0 1;
    }
    StatusBar #rollback-banner {
        height: auto;
        background: $error;
        color: $text;
        text-style: bold;
        padding: 0 1;
        display: none;
    }
    StatusBar #rollback-banner.firing {
        display: block;
    }
    """

    def __init__(self, location: str = "") -> None:
        super().__init__(id="status-bar")
        self.location = location

    def compose(self) -> ComposeResult:
        yield Static(id="status-line")
        if getattr(self.app.context, "replay", False):
            from omniops_tui.ui.screens.replay import ReplayBar

            yield ReplayBar(id="replay-bar")
        yield Static(id="rollback-banner")

    def on_mount(self) -> None:
        self.refresh_text()
        self.refresh_banner()
        self.app.session_changed.subscribe(self, self._on_event)

    def _on_event(self, event: Event | None) -> None:
        if event is not None and event.type == "scenario_switched":
            self.refresh_text()
        if event is None or event.type in ("criterion_fired", "criterion_cleared"):
            self.refresh_banner()
            self.screen.refresh_bindings()

    def refresh_text(self) -> None:
        app = self.app
        text = Text()
        text.append("omniops-tui", style="bold")
        if self.location:
            text.append(f" › {self.location}")
        environment = getattr(app.context, "environment", None)
        if environment is not None:
            text.append(f"  env:{environment.name}", style="bold yellow")
        demo = getattr(app.context, "demo", None)
        if demo is not None:
            text.append(f"  DEMO:{demo.scenario}", style="bold cyan")
        recorder = app.recorder
        if getattr(app.context, "replay", False):
            text.append("  ▶ REPLAY (read-only)", style="bold magenta")
        elif recorder is not None:
            text.append(f"  ● rec {Path(recorder.path).name}", style="red")
        for line in self.query("#status-line").results(Static):  # absent while being removed
            line.update(text)

    def refresh_banner(self) -> None:
        fired = list(firing(self.app.state).firing.values())
        banners = list(self.query("#rollback-banner").results(Static))
        if not banners:  # being removed with its screen
            return
        banner = banners[0]
        banner.set_class(bool(fired), "firing")
        if not fired:
            banner.update("")
            return
        text = Text()
        for event in fired:
            text.append(f"🚨 ROLLBACK CRITERION: {event.metric} {event.threshold} → {event.action}\n")
            text.append(f"   {event.evidence}\n", style="not bold")
        text.append(
            "   R opens Emergency Rollback · its DO NOT ROLLBACK list is on the Decision Criteria section",
            style="not bold",
        )
        banner.update(text)
