"""The top of every screen: where you are, the environment, that you are recorded (or, while
writing fails, a persistent `NOT RECORDING: <reason>`; or that this is a replay), and, when an
Emergency Rollback criterion is met, a banner of at most two rows with the criteria's current
values and the key that opens the runbook."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from omniops_tui.core.text import visible_line
from omniops_tui.ui.context import SESSION_AWARE, ScreenContext, SessionWidget
from omniops_tui.ui.messages import SessionUpdated


class StatusBar(Vertical, SessionWidget):
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
        max-height: 2;
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

    def __init__(self, ctx: ScreenContext, location: str = "") -> None:
        super().__init__(id="status-bar", classes=SESSION_AWARE)
        self.ctx = ctx
        self.location = location
        self._problem: str | None = None
        self._firing: tuple[str, ...] = ()  # the criteria firing when the banner was last drawn

    def compose(self) -> ComposeResult:
        yield Static(id="status-line")
        if self.ctx.replay is not None:
            from omniops_tui.ui.widgets.replay_bar import ReplayBar

            yield ReplayBar(self.ctx.replay, id="replay-bar")
        yield Static(id="rollback-banner")

    def on_mount(self) -> None:
        self.refresh_text()
        self.refresh_banner()

    def session_changed(self, message: SessionUpdated) -> None:
        engine = self.ctx.engine
        problem = engine.recorder.recording_problem if engine is not None else None
        if problem != self._problem or message.touches(
            "scenario_switched", "session_started", "session_resumed", "recording"
        ):
            self.refresh_text()
        if message.touches("criterion_fired", "criterion_cleared", "metric_sample"):
            firing = tuple(self.ctx.session.state.criteria.firing)
            if firing or firing != self._firing:  # a quiet sample: no redraw, no new footer
                self.refresh_banner()
            if firing != self._firing:  # the footer's rollback key follows what fires
                self._firing = firing
                self.screen.refresh_bindings()

    def refresh_text(self) -> None:
        ctx = self.ctx
        text = Text()
        problem = ctx.engine.recording_problem if ctx.engine is not None and ctx.replay is None else None
        if problem is not None:  # first, so that no location or file name pushes it off 80 columns
            text.append(f"NOT RECORDING: {visible_line(problem)}", style="bold reverse red")
            text.append("  ")
        text.append("omniops-tui", style="bold")
        if self.location:
            text.append(f" › {visible_line(self.location)}")
        if ctx.session.basis.environment:
            text.append(f"  env:{ctx.session.basis.environment}", style="bold yellow")
        if ctx.demo is not None:
            text.append(f"  DEMO:{ctx.demo.scenario}", style="bold cyan")
        if ctx.replay is not None:
            text.append("  ▶ REPLAY (read-only)", style="bold magenta")
        elif ctx.engine is not None:
            self._problem = problem
            if problem is None:  # never "● rec" while nothing is written (issue 10 §5)
                text.append(f"  ● rec {Path(ctx.engine.recorder.path).name}", style="red")
        for line in self.query("#status-line").results(Static):  # absent while being removed
            line.update(text)

    def refresh_banner(self) -> None:
        banners = list(self.query("#rollback-banner").results(Static))
        if not banners:  # being removed with its screen
            return
        banner = banners[0]
        state = self.ctx.session.state
        fired = list(state.criteria.firing.values())
        banner.set_class(bool(fired), "firing")
        if not fired:
            banner.update("")
            return
        from omniops_tui.logic.criteria import evaluate_history  # (only while one fires: off the first paint)

        now = self.ctx.session.offset()
        statuses = evaluate_history(self.ctx.session.basis.criteria, state.metrics, now)
        parts = []
        for event in fired:
            status = statuses.get(event.criterion_id)
            value = status.value_text if status is not None and status.value_text else "?"
            held = _minutes(now - event.t)
            parts.append(f"{visible_line(event.metric)} {value} ({event.threshold}, fired {held} ago)")
        text = Text(f"🚨 ROLLBACK: {' · '.join(parts)}", no_wrap=True, overflow="ellipsis")
        text.append("\n")
        text.append(
            "R opens Emergency Rollback · m shows every criterion and the DO NOT ROLLBACK list",
            style="not bold",
        )
        banner.update(text)


def _minutes(seconds: float) -> str:
    seconds = int(max(0, seconds))
    minutes, secs = divmod(seconds, 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"
