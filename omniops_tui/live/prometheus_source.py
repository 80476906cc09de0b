"""Prometheus as a metrics source: the history when the session opens, then a sample per interval.

`backfill()` asks one range query per service figure (the last `history_minutes`, 30 by
default) and turns each answer into one compact `metric_history` event; `sample_once()` asks
one instant query per service figure and turns the answers into `metric_sample` events with
`source="prometheus"`. The per-host figures (CPU, memory, disk, load) are asked together in
ONE query whatever the fleet size (`fleet_query()`): a series per host and figure, the host
named by the `host_label` label. A query that answers no series is `unknown (no series for
<query>)`, never 0; a failed one is an `error` sample carrying the server's one-line error.

Hosts of the config that Prometheus does not report (no node_exporter there) are listed by
`fallback_hosts()`, for the SSH probe to sample as before.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from omniops_tui.config.model import Config, Environment, HostConfig
from omniops_tui.core.events import MetricBackfill, MetricSample
from omniops_tui.core.status import SEVERITY
from omniops_tui.core.text import visible_line
from omniops_tui.logic.history import SERIES_LENGTH, backfill_points
from omniops_tui.logic.metrics import BY_NAME
from omniops_tui.probes.prometheus import PrometheusClient, PrometheusError, RangeSeries, Sample, shown
from omniops_tui.probes.promql_queries import BoundQuery, bound_queries, host_of

SOURCE = "prometheus"
FIGURE_LABEL = "omniops_figure"  # tags each series of the fleet query with its figure
HOST_HISTORY_POINTS = 31  # per host and figure: a sparkline, not the criteria's full history
HOST_NAME_LIMIT = 200
Asker = Callable[[str], Awaitable[list[Any]]]
PER_HOST_METRICS = ("cpu_percent", "mem_percent", "disk_percent", "load_per_cpu")


def no_series(query: str) -> str:
    return f"unknown (no series for {shown(query)})"


@dataclass
class PrometheusSource:
    """Reads the bound figures of one environment from one Prometheus server."""

    client: PrometheusClient
    queries: list[BoundQuery]
    interval: float = 15.0
    history_minutes: float = 30.0
    host_label: str = "instance"
    hosts: list[HostConfig] = field(default_factory=list)
    wall_clock: Callable[[], float] = time.time
    covered_hosts: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    rounds: int = 0
    combine_hosts: bool = True
    # label value → host name, per round: a host's four series resolve it once, not four times
    _names: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def from_environment(cls, config: Config, environment: Environment | None) -> PrometheusSource | None:
        """The source `[env.NAME.prometheus]` describes; None when the environment has none.

        A bad setting (URL, unknown figure in `queries`, a secret variable not set) is a
        `UserError` naming the config file and key: the engine shows it and goes on probing.
        """
        if environment is None or environment.prometheus is None or not environment.prometheus.url:
            return None
        settings = environment.prometheus
        where = f"{config.path}: env.{environment.name}.prometheus" if config.path else "prometheus"
        queries = bound_queries(settings, environment, where=where)
        client = PrometheusClient.from_settings(settings, config=config, environment=environment)
        return cls(
            client,
            queries,
            interval=config.interval(environment),
            history_minutes=settings.history_minutes,
            host_label=settings.host_label or "instance",
            hosts=list(environment.hosts),
        )

    # ------------------------------------------------------------------ what it covers
    @property
    def metrics(self) -> set[str]:
        """The figures read from Prometheus (the probes need not measure them)."""
        return {query.metric for query in self.queries}

    def fallback_hosts(self) -> list[HostConfig]:
        """Configured hosts the last round's per-host answers did not cover: probe them over SSH.

        Before the first round every host is covered when a per-host figure is bound (the first
        answers decide), none when no per-host figure is bound.
        """
        if not any(query.per_host for query in self.queries):
            return list(self.hosts)
        if not self.rounds:
            return []
        return [host for host in self.hosts if host.name not in self.covered_hosts]

    def _aliases(self) -> dict[str, str]:
        """Address → configured name, for addresses only one configured host has."""
        seen: dict[str, list[str]] = {}
        for host in self.hosts:
            if host.hostname:
                seen.setdefault(host.hostname, []).append(host.name)
        return {address: names[0] for address, names in seen.items() if len(names) == 1}

    # ------------------------------------------------------------------ asking
    def fleet_query(self) -> str:
        """Every per-host figure in ONE query, each series tagged with its figure: a fleet of
        any size costs one round trip for CPU, memory, disk and load together."""
        parts = [
            f'label_replace({query.query}, "{FIGURE_LABEL}", "{query.metric}", "", "")'
            for query in self.queries
            if query.per_host
        ]
        return " or ".join(parts) if len(parts) > 1 else ""

    async def _ask(self, ask: Asker, ask_hosts: Asker | None = None) -> list[Any]:
        """One answer (or PrometheusError) per bound query, in order; the per-host ones through
        the fleet query (asked with `ask_hosts` when given). When the fleet query is refused,
        the per-host queries are asked one by one from then on, so each error names its own."""
        ask_hosts = ask_hosts or ask
        fleet = self.fleet_query() if self.combine_hosts else ""
        alone = [query for query in self.queries if not (fleet and query.per_host)]
        asked = [(ask_hosts if query.per_host else ask)(query.query) for query in alone]
        if fleet:
            asked.append(ask_hosts(fleet))
        answers = await asyncio.gather(*asked, return_exceptions=True)
        by_query: dict[str, Any] = {
            query.query: answer for query, answer in zip(alone, answers, strict=False)
        }
        if fleet:
            combined = answers[-1]
            if isinstance(combined, PrometheusError) and combined.kind == "bad_query":
                self.combine_hosts = False
                return await self._ask(ask, ask_hosts)
            for query in self.queries:
                if query.per_host:
                    by_query[query.query] = (
                        combined
                        if isinstance(combined, BaseException)
                        else [item for item in combined if item.labels.get(FIGURE_LABEL) == query.metric]
                    )
        return [by_query[query.query] for query in self.queries]

    # ------------------------------------------------------------------ history
    async def backfill(self, minutes: float | None = None) -> list[MetricBackfill]:
        """One range query per figure over the last `minutes`; one event per figure.

        Events are not stamped yet: record them, then `history_samples(recorded)` gives their
        points on the session's clock (for the rollback criteria).
        """
        span = 60.0 * (self.history_minutes if minutes is None else minutes)
        if span <= 0 or not self.queries:
            return []
        end = self.wall_clock()
        # Service figures in full (the criteria judge them); hosts coarser: a sparkline's worth
        # each, so a 1,000-host fleet's history stays a few MB.
        grids = {
            per_host: _grid(end, span, max(self.interval, span / (points - 1)))
            for per_host, points in ((False, SERIES_LENGTH), (True, HOST_HISTORY_POINTS))
        }
        answers = await self._ask(
            lambda text: self.client.range(text, *grids[False]),
            lambda text: self.client.range(text, *grids[True]),
        )
        aliases = self._aliases()
        self._names = {}
        events = []
        for query, answer in zip(self.queries, answers, strict=True):
            start, _end, step = grids[query.per_host]
            event = MetricBackfill(
                metric=query.metric,
                unit=_unit(query),
                source=SOURCE,
                query=query.query,
                start=_iso(start),
                step_s=round(step, 3),
            )
            if isinstance(answer, PrometheusError):
                event.detail = str(answer)
                self.problems.append(str(answer))
            elif isinstance(answer, BaseException):
                raise answer
            elif not answer:
                event.detail = no_series(query.query)
            else:
                event.series = self._history_series(query, answer, start, step, aliases)
            events.append(event)
        return events

    def _history_series(
        self, query: BoundQuery, answer: list[RangeSeries], start: float, step: float, aliases: dict[str, str]
    ) -> dict[str, list[float | None]]:
        count = 0
        by_host: dict[str, list[tuple[float, float | None]]] = {}
        for series in answer:
            host = self._host(query, series.labels, aliases)
            if host is None:
                continue
            by_host.setdefault(host, []).extend(series.points)
        result: dict[str, list[float | None]] = {}
        for host, points in by_host.items():
            values: list[float | None] = []
            for stamp, value in sorted(points):
                index = round((stamp - start) / step)
                count = max(count, index + 1)
                values.extend([None] * (index - len(values)))
                if index == len(values):
                    values.append(None if value is None else round(value, 4))
            result[host] = values
        return result

    # ------------------------------------------------------------------ each interval
    async def sample_once(self) -> list[MetricSample]:
        """One instant query per figure, all at once; unstamped samples (record them)."""
        answers = await self._ask(self.client.instant)
        aliases = self._aliases()
        self._names = {}
        samples: list[MetricSample] = []
        covered: set[str] = set()
        self.problems = []
        for query, answer in zip(self.queries, answers, strict=True):
            if isinstance(answer, PrometheusError):
                self.problems.append(str(answer))
                samples.append(self._sample(query, None, status="error", detail=str(answer)))
            elif isinstance(answer, BaseException):
                raise answer
            elif not answer:
                samples.append(self._sample(query, None, status="unknown", detail=no_series(query.query)))
            elif query.per_host:
                for item in answer:
                    host = self._host(query, item.labels, aliases)
                    if host:
                        covered.add(host)
                        samples.append(self._sample(query, item.value, host=host))
            else:
                samples.append(self._service_sample(query, answer))
        self.covered_hosts = covered
        self.rounds += 1
        return samples

    def _service_sample(self, query: BoundQuery, answer: list[Sample]) -> MetricSample:
        """A service figure should be one series; when a query answers several, the worst one."""
        definition = BY_NAME.get(query.metric)

        def badness(item: Sample) -> tuple[int, float]:
            status = definition.status(item.value) if definition else "pass"
            return SEVERITY.get(status, 1), item.value if item.value is not None else -math.inf

        chosen = max(answer, key=badness)
        detail = f"worst of {len(answer)} series" if len(answer) > 1 else ""
        if chosen.value is None:
            return self._sample(
                query, None, status="unknown", detail=f"unknown (no value for {shown(query.query)})"
            )
        return self._sample(query, chosen.value, detail=detail)

    def _sample(
        self, query: BoundQuery, value: float | None, *, host: str = "", status: str = "", detail: str = ""
    ) -> MetricSample:
        definition = BY_NAME.get(query.metric)
        if not status:
            status = definition.status(value) if definition else ("pass" if value is not None else "unknown")
        return MetricSample(
            metric=query.metric,
            host=host,
            value=None if value is None else round(value, 4),
            unit=_unit(query),
            status=status,
            detail=detail,
            source=SOURCE,
        )

    def _host(self, query: BoundQuery, labels: dict[str, str], aliases: dict[str, str]) -> str | None:
        """The host a series is about ("" for a service figure); None when it names none."""
        if not query.per_host:
            return ""
        value = labels.get(self.host_label)
        if not value:
            return None
        name = self._names.get(value)
        if name is None:
            name = self._names[value] = visible_line(host_of(value, aliases))[:HOST_NAME_LIMIT]
        return name

    async def aclose(self) -> None:
        await self.client.aclose()


def history_samples(events: list[MetricBackfill]) -> list[MetricSample]:
    """Recorded `metric_history` events as samples on the session's clock, oldest first.

    Feed them to the rollback criteria like fresh samples (`evaluator.observe(metric, value,
    t)`, then `evaluate(now)`): a criterion whose condition has held for its duration fires at
    once, and its `since` is the moment, before the session, when the condition started.
    """
    samples = []
    for event in events:
        for host, points in backfill_points(event).items():
            for point in points:
                sample = MetricSample(
                    metric=event.metric,
                    host=host,
                    value=point.value,
                    unit=event.unit,
                    status=point.status,
                    source=event.source,
                )
                sample.t = point.t
                samples.append(sample)
    samples.sort(key=lambda sample: sample.t)
    return samples


def _grid(end: float, span: float, step: float) -> tuple[float, float, float]:
    """(start, end, step) of a range query: `span` seconds back from `end`, on whole steps."""
    return math.floor((end - span) / step) * step, end, step


def _unit(query: BoundQuery) -> str:
    definition = BY_NAME.get(query.metric)
    return definition.unit if definition else query.binding.unit


def _iso(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
