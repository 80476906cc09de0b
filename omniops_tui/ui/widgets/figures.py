"""A figure as the screens show it: a coloured value with its verdict mark, and a sparkline."""

from __future__ import annotations

from rich.text import Text

from omniops_tui.logic.history import Point
from omniops_tui.logic.metrics import MetricDef, format_value

STATUS_STYLES = {"pass": "green", "warn": "yellow", "fail": "bold red", "error": "red", "unknown": "dim"}
SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float], width: int = 12) -> str:
    values = values[-width:]
    if not values:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    return "".join(SPARKS[min(7, int((v - low) / span * 7.999))] for v in values)


def value_text(definition: MetricDef, point: Point | None) -> Text:
    """`● 120 ms` (green), `✖ 8.2%` (red), `unknown …`: never a number that was not measured."""
    if point is None:
        return Text("—", style="dim")
    if point.value is None:
        label = (
            "not configured"
            if "not configured" in point.detail
            else ("unreachable" if point.detail.startswith("unreachable") else "unknown")
        )
        return Text(label, style=STATUS_STYLES.get(point.status, "dim"))
    mark = {"pass": "● ", "warn": "▲ ", "fail": "✖ ", "error": "✖ "}.get(point.status, "")
    return Text(mark + format_value(definition, point.value), style=STATUS_STYLES.get(point.status, ""))
