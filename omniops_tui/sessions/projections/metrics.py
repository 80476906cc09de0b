"""The metric history folded from `metric_sample` events: what the metrics screen, sparklines,
rollback criteria and wizard probes read. Bounded per series so memory stays flat."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from omniops_tui.core.events import MetricSample
from omniops_tui.sessions.state import SessionState, register_handler

SERIES_LENGTH = 240  # 1 hour at a 15 s interval


@dataclass(slots=True)
class Point:
    t: float
    value: float | None
    status: str
    detail: str = ""


@dataclass
class MetricHistory:
    series: dict[tuple[str, str], deque[Point]] = field(default_factory=dict)

    def add(self, event: MetricSample) -> None:
        key = (event.metric, event.host)
        points = self.series.get(key)
        if points is None:
            points = self.series[key] = deque(maxlen=SERIES_LENGTH)
        points.append(Point(event.t, event.value, event.status, event.detail))

    def latest(self, metric: str, host: str = "") -> Point | None:
        points = self.series.get((metric, host))
        return points[-1] if points else None

    def recent(self, metric: str, host: str = "") -> list[Point]:
        """Every kept point of one series, oldest first (measured or not)."""
        return list(self.series.get((metric, host), ()))

    def values(self, metric: str, host: str = "") -> list[float]:
        return [p.value for p in self.series.get((metric, host), ()) if p.value is not None]

    def hosts(self, metric: str) -> list[str]:
        return sorted(host for (name, host) in self.series if name == metric and host)

    def worst(self, metric: str, higher_is_worse: bool = True) -> tuple[str, Point] | None:
        """The worst host's latest point of a per-host metric."""
        candidates = [(host, self.latest(metric, host)) for host in self.hosts(metric)]
        candidates = [(h, p) for h, p in candidates if p is not None and p.value is not None]
        if not candidates:
            return None
        pick = max if higher_is_worse else min
        return pick(candidates, key=lambda hp: hp[1].value)  # type: ignore[arg-type, return-value]

    def snapshot(self) -> MetricHistory:
        return MetricHistory(
            {key: deque(points, maxlen=SERIES_LENGTH) for key, points in self.series.items()}
        )


def history(state: SessionState) -> MetricHistory:
    found = state.extra.get("metrics")
    if found is None:
        found = state.extra["metrics"] = MetricHistory()
    return found


def _apply(state: SessionState, event: MetricSample) -> None:
    history(state).add(event)


register_handler(MetricSample, _apply)
