"""One line on runbook screens: the figures that decide most incidents, coloured."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from omniops_tui.logic.metrics import BY_NAME
from omniops_tui.ui.context import SESSION_AWARE, ScreenContext, SessionWidget
from omniops_tui.ui.messages import SessionUpdated
from omniops_tui.ui.widgets.figures import value_text


class MetricsStrip(Static, SessionWidget):
    """One line on runbook screens: the figures that decide most incidents, coloured."""

    DEFAULT_CSS = """
    MetricsStrip {
        height: auto;
        max-height: 2;
        padding: 0 1;
        display: none;
    }
    MetricsStrip.has-data {
        display: block;
    }
    """

    def __init__(self, ctx: ScreenContext, *, id: str | None = None) -> None:
        super().__init__(id=id, classes=SESSION_AWARE)
        self.ctx = ctx

    FIGURES = (
        ("p95_ms", "P95"),
        ("error_rate", "err"),
        ("db_connected", "DB"),
        ("redis_hit_rate", "cache"),
        ("health_ok", "health"),
    )

    def on_mount(self) -> None:
        self.refresh_strip()

    def session_changed(self, message: SessionUpdated) -> None:
        if message.touches("metric_sample"):
            self.refresh_strip()

    def refresh_strip(self) -> None:
        facts = self.ctx.session.state.metrics
        text = Text()
        for name, label in self.FIGURES:
            point = facts.latest(name)
            if point is None:
                continue
            if text:
                text.append(" · ", style="dim")
            text.append(f"{label} ")
            text.append_text(value_text(BY_NAME[name], point))
        worst = facts.worst("cpu_percent")
        if worst is not None:
            host, point = worst
            text.append(" · ", style="dim")
            text.append("CPU ")
            text.append_text(value_text(BY_NAME["cpu_percent"], point))
            text.append(f" {host}", style="dim")
        self.set_class(bool(text), "has-data")
        self.update(text)
