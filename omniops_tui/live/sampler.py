"""Metric sampling: the figures the runbooks set thresholds on, every interval, as events.

Service figures come from the bindings' own checks (one definition of each probe: the health
check that ticks "Health endpoint returns 200 OK" is the one that samples `health_ok`); host
figures come from ONE read-only command per host per round (load, cores, memory, disk, CPU),
so a fleet of 100 hosts costs one exec on each pooled connection, all at once.
Every sample becomes a `metric_sample` event; the metric history, the rollback criteria and
the wizard's probes are all derived from those events.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from omniops_tui.config.model import HostConfig
from omniops_tui.core.events import Event, MetricSample
from omniops_tui.logic.metrics import BY_NAME
from omniops_tui.probes.base import CheckResult, CheckSpec
from omniops_tui.probes.bindings import Bindings
from omniops_tui.probes.context import CheckContext
from omniops_tui.probes.registry import KINDS
from omniops_tui.probes.runner import preload_clients, run_check, wait_or_wake
from omniops_tui.probes.ssh import parse_df, parse_free, parse_loadavg, parse_top_cpu, run

HOST_PROBE = (
    "cat /proc/loadavg; echo @@; nproc; echo @@; free -m; echo @@; df -P /; echo @@; top -bn1 | head -5"
)


@dataclass(frozen=True, slots=True)
class ServiceMetric:
    """`metric` is read from the result of the bindings' check `check_id` (or an ad-hoc spec)."""

    metric: str
    check_id: str
    read: str = "value"  # "value", or "ok": 1 when the check passes, 0 when it fails
    adhoc: dict[str, Any] | None = None  # kind + params when the bindings have no such check


SERVICE_METRICS: tuple[ServiceMetric, ...] = (
    ServiceMetric("health_ok", "health", "ok"),
    ServiceMetric("error_rate", "error-rate"),
    ServiceMetric("response_avg_ms", "app-response-time"),
    ServiceMetric("p95_ms", "app-p95"),
    ServiceMetric("uptime_s", "uptime", adhoc={"kind": "http_json", "field": "uptime", "unit": "s"}),
    ServiceMetric("version_ok", "version", "ok"),
    ServiceMetric("db_connected", "health-database", "ok"),
    ServiceMetric("chat_ok", "smoke-chat", "ok"),
    ServiceMetric("db_connections_pct", "db-connections"),
    ServiceMetric("db_query_p95_ms", "db-query-p95"),
    ServiceMetric("unused_indexes", "db-unused-indexes"),
    ServiceMetric("largest_tables", "db-largest-tables"),
    ServiceMetric("redis_hit_rate", "redis-hit-rate"),
    ServiceMetric("redis_memory_mb", "redis-memory"),
)


@dataclass
class HostFigures:
    cpu_percent: float | None = None
    mem_percent: float | None = None
    disk_percent: float | None = None
    load_per_cpu: float | None = None
    detail: str = ""


def parse_host_probe(output: str) -> HostFigures:
    """The combined probe's sections, parsed with the same parsers as the host checks."""
    parts = (output.split("@@") + [""] * 5)[:5]
    loadavg_text, nproc_text, free_text, df_text, top_text = parts
    figures = HostFigures()
    load = parse_loadavg(loadavg_text.strip() + " ")
    cores = int(nproc_text.strip()) if nproc_text.strip().isdigit() else 0
    if load is not None and cores:
        figures.load_per_cpu = round(load[0] / cores, 2)
    memory = parse_free(free_text)
    if memory and memory.get("total"):
        total = memory["total"]
        used = total - memory["available"] if "available" in memory else memory.get("used", 0)
        figures.mem_percent = round(100.0 * used / total, 1)
    disk = parse_df(df_text.strip())
    if disk:
        figures.disk_percent = float(disk["percent"])
    figures.cpu_percent = parse_top_cpu(top_text)
    if figures.cpu_percent is None and figures.load_per_cpu is not None:
        figures.cpu_percent = round(min(100.0, 100 * figures.load_per_cpu), 1)
    if load is not None:
        figures.detail = f"load {load[0]:g} {load[1]:g} {load[2]:g} on {cores or '?'} CPUs"
    return figures


@dataclass
class MetricsSampler:
    context: CheckContext
    bindings: Bindings | None
    record: Callable[[Event], object]
    interval: float = 15.0
    after_round: Callable[[list[MetricSample]], None] = lambda samples: None
    rounds: int = 0
    _wake: asyncio.Event = field(default_factory=asyncio.Event)

    def sample_now(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        await preload_clients()
        while True:
            samples = await self.sample_once()
            self.after_round(samples)
            await wait_or_wake(self._wake, self.interval)

    async def sample_once(self) -> list[MetricSample]:
        """One round: every service figure and every host, concurrently; each under its timeout."""
        run_context = self.context.fork()
        try:
            service, hosts = await asyncio.gather(self._service(run_context), self._hosts(run_context))
        finally:
            await run_context.close_http()
        samples = [*service, *hosts]
        for sample in samples:
            self.record(sample)
        self.rounds += 1
        return samples

    # ------------------------------------------------------------------ service figures
    def _spec(self, wanted: ServiceMetric) -> CheckSpec | None:
        spec = self.bindings.checks.get(wanted.check_id) if self.bindings else None
        if spec is not None:
            return replace(spec, item_ids=(), places=())
        if wanted.adhoc is None:
            return None
        kind = KINDS[wanted.adhoc["kind"]]
        params = {name: p.default for name, p in kind.params.items()}
        params.update({k: v for k, v in wanted.adhoc.items() if k != "kind"})
        return CheckSpec(id=f"metric:{wanted.metric}", kind=kind.name, params=params)

    async def _service(self, context: CheckContext) -> list[MetricSample]:
        wanted = [(metric, spec) for metric in SERVICE_METRICS if (spec := self._spec(metric))]
        results = await asyncio.gather(*(run_check(spec, context) for _metric, spec in wanted))
        return [
            _service_sample(metric, result) for (metric, _spec), result in zip(wanted, results, strict=True)
        ]

    # ------------------------------------------------------------------ host figures
    async def _hosts(self, context: CheckContext) -> list[MetricSample]:
        rounds = await asyncio.gather(*(self._host(context, host) for host in context.hosts))
        return [sample for samples in rounds for sample in samples]

    async def _host(self, context: CheckContext, host: HostConfig) -> list[MetricSample]:
        try:
            async with asyncio.timeout(context.timeout):
                ran = await run(context, host, HOST_PROBE)
        except Exception as exc:  # unreachable, refused key, timeout: one sample per figure, in error
            reason = "timed out" if isinstance(exc, TimeoutError) else (str(exc) or type(exc).__name__)
            return _host_samples(host.name, HostFigures(detail=reason[:200]), status="error")
        if not ran.ok and not ran.stdout:
            return _host_samples(
                host.name, HostFigures(detail=(ran.stderr or "probe failed")[:200]), status="error"
            )
        return _host_samples(host.name, parse_host_probe(ran.stdout))


def _service_sample(wanted: ServiceMetric, result: CheckResult) -> MetricSample:
    """One figure from one check result: a number, or 1/0 for "does it work"."""
    definition = BY_NAME.get(wanted.metric)
    unit = definition.unit if definition else ""
    if result.status == "unknown" and result.value is None:  # not configured, or no data yet
        return MetricSample(
            metric=wanted.metric, value=None, unit=unit, status="unknown", detail=result.summary
        )
    value: float | None
    if wanted.read == "ok":
        value = 1.0 if result.status in ("pass", "warn") else 0.0
    elif isinstance(result.value, int | float) and not isinstance(result.value, bool):
        value = float(result.value)
    else:
        value = None
    if value is not None and result.unit == "bytes":
        value = round(value / 1048576, 2)
    if wanted.metric == "redis_memory_mb" and result.unit == "%":
        value = None  # maxmemory is set: the check judges a percentage; the summary says it
    if value is None:
        status = "error" if result.status in ("fail", "error") else result.status
    else:
        status = definition.status(value) if definition else result.status
    return MetricSample(metric=wanted.metric, value=value, unit=unit, status=status, detail=result.summary)


def _host_samples(host: str, figures: HostFigures, status: str = "") -> list[MetricSample]:
    samples = []
    for metric in ("cpu_percent", "mem_percent", "disk_percent", "load_per_cpu"):
        value = getattr(figures, metric)
        definition = BY_NAME[metric]
        samples.append(
            MetricSample(
                metric=metric,
                host=host,
                value=value,
                unit=definition.unit,
                status=status or definition.status(value),
                detail=figures.detail,
            )
        )
    return samples
