"""The metric history: bounded series of samples per (metric, host).

A plain data structure (no session, no UI): the session fold fills it from `metric_sample`
events (sessions/projections), and the metrics screen, sparklines, rollback criteria and wizard
probes read it. Bounded per series so memory stays flat.

`metric_history` events (a figure's past, fetched from Prometheus when the session opens) are
folded in as points before the session's start (negative offsets), so the sparklines are full
and whoever reads the history sees the incident from before the tool was opened.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from omniops_tui.core.events import MetricBackfill, MetricSample
from omniops_tui.core.timefmt import parse_iso
from omniops_tui.logic.metrics import BY_NAME

SERIES_LENGTH = 240  # 1 hour at a 15 s interval


@dataclass(slots=True)
class Point:
    t: float
    value: float | None
    status: str
    detail: str = ""
    source: str = ""  # "prometheus", or "" for the tool's own probes


@dataclass
class MetricHistory:
    series: dict[tuple[str, str], deque[Point]] = field(default_factory=dict)
    # metric → the PromQL its history was read with: the screen names where a figure came from
    queries: dict[str, str] = field(default_factory=dict)

    def add(self, event: MetricSample) -> None:
        key = (event.metric, event.host)
        points = self.series.get(key)
        if points is None:
            points = self.series[key] = deque(maxlen=SERIES_LENGTH)
        points.append(Point(event.t, event.value, event.status, event.detail, event.source))

    def add_history(self, event: MetricBackfill) -> None:
        """Merge a fetched history with what the series already holds, in time order."""
        if event.query:
            self.queries[event.metric] = event.query
        for host, fetched in backfill_points(event).items():
            key = (event.metric, host)
            known = self.series.get(key, ())
            merged = sorted([*fetched, *known], key=lambda point: point.t)
            self.series[key] = deque(merged, maxlen=SERIES_LENGTH)

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
        candidates: list[tuple[str, Point, float]] = []
        for host in self.hosts(metric):
            point = self.latest(metric, host)
            if point is not None and point.value is not None:
                candidates.append((host, point, point.value))
        if not candidates:
            return None
        pick = max if higher_is_worse else min
        host, point, _value = pick(candidates, key=lambda candidate: candidate[2])
        return host, point

    def snapshot(self) -> MetricHistory:
        return MetricHistory(
            {key: deque(points, maxlen=SERIES_LENGTH) for key, points in self.series.items()},
            dict(self.queries),
        )


def backfill_points(event: MetricBackfill) -> dict[str, list[Point]]:
    """A `metric_history` event's points on the session's clock, per host (gaps left out).

    The event was recorded at offset `t` and wall time `at`; a point `k` steps after `start`
    happened `at - (start + k * step)` seconds before it, so its offset is `t` minus that.
    """
    recorded, start = parse_iso(event.at), parse_iso(event.start)
    if recorded is None or start is None or event.step_s <= 0:
        return {}
    first = event.t - (recorded - start).total_seconds()
    definition = BY_NAME.get(event.metric)
    detail = f"history from {event.source}" if event.source else "history"
    points: dict[str, list[Point]] = {}
    for host, values in event.series.items():
        points[host] = [
            Point(
                first + index * event.step_s,
                value,
                definition.status(value) if definition else "pass",
                detail,
                event.source,
            )
            for index, value in enumerate(values)
            if value is not None
        ]
    return points
