"""Metric sampling: the figures the runbooks set thresholds on, every interval, as events.

Service figures come from the bindings' own checks (one definition of each probe: the health
check that ticks "Health endpoint returns 200 OK" is the one that samples `health_ok`); host
figures come from ONE read-only command per host per round (load, cores, memory, disk, CPU),
so a fleet of 100 hosts costs one exec on each pooled connection, all at once.
Every sample becomes a `metric_sample` event; the metric history, the rollback criteria and
the wizard's probes are all derived from those events.

A sample is a measurement in the figure's unit and range, or `value=None`, `status="unknown"`
and the reason in `detail`: an outage's HTTP 503 is not an error rate of 503 %, an unanswered
health check says nothing about the database.
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
class ServiceFigure:
    """`metric` is read from the result of the bindings' check `check_id` (or an ad-hoc spec).

    `read`: "value" (the check's number), "ok" (1 when the check passes, 0 when it fails or
    errs: the failure itself is the evidence, e.g. health or chat), or "verdict" (1 on pass, 0
    only on a failure that measured something, e.g. "running v1.2.0, expected v1.3.0"; an
    endpoint that did not answer leaves the figure unknown).
    """

    metric: str
    check_id: str
    read: str = "value"
    adhoc: dict[str, Any] | None = None  # kind + params when the bindings have no such check

    @property
    def key(self) -> tuple[str, str]:
        return self.metric, self.check_id


SERVICE_FIGURES: tuple[ServiceFigure, ...] = (
    ServiceFigure("health_ok", "health", "ok"),
    ServiceFigure("error_rate", "error-rate"),
    ServiceFigure("response_avg_ms", "app-response-time"),
    ServiceFigure("p95_ms", "app-p95"),
    ServiceFigure(
        "uptime_s",
        "uptime",
        adhoc={"kind": "http_json", "field": "uptime", "unit": "s", "judged_by": "uptime_s"},
    ),
    ServiceFigure("version_ok", "version", "verdict"),
    ServiceFigure("chat_ok", "smoke-chat", "ok"),
    ServiceFigure("db_connections_pct", "db-connections"),
    ServiceFigure("db_query_p95_ms", "db-query-p95"),
    ServiceFigure("unused_indexes", "db-unused-indexes"),
    ServiceFigure("largest_tables", "db-largest-tables"),
    ServiceFigure("redis_hit_rate", "redis-hit-rate"),
    ServiceFigure("redis_memory_mb", "redis-memory"),
)
# "Database connected" is the database's own answer (SELECT 1), or the health body's when no
# database check is configured and the body names the database (see `database_sample`).
DATABASE_PING = ServiceFigure("db_connected", "db-ping", "ok")
DATABASE_IN_BODY = ServiceFigure("db_connected", "health-database", "verdict")
# Every service figure's check, the database's two included (what a Prometheus round may skip).
PROBED_FIGURES = (*SERVICE_FIGURES, DATABASE_PING, DATABASE_IN_BODY)
HOST_FIGURES = ("cpu_percent", "mem_percent", "disk_percent", "load_per_cpu")


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
    def _spec(self, wanted: ServiceFigure) -> CheckSpec | None:
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
        wanted = [(figure, spec) for figure in PROBED_FIGURES if (spec := self._spec(figure))]
        results = await asyncio.gather(*(run_check(spec, context) for _figure, spec in wanted))
        answers = {figure.key: result for (figure, _spec), result in zip(wanted, results, strict=True)}
        samples = [
            service_sample(figure, answers[figure.key]) for figure in SERVICE_FIGURES if figure.key in answers
        ]
        samples.append(database_sample(answers.get(DATABASE_PING.key), answers.get(DATABASE_IN_BODY.key)))
        return samples

    # ------------------------------------------------------------------ host figures
    async def _hosts(self, context: CheckContext) -> list[MetricSample]:
        rounds = await asyncio.gather(*(self._host(context, host) for host in context.hosts))
        return [sample for samples in rounds for sample in samples]

    async def _host(self, context: CheckContext, host: HostConfig) -> list[MetricSample]:
        try:
            async with asyncio.timeout(context.timeout):
                ran = await run(context, host, HOST_PROBE)
        except Exception as exc:  # unreachable, refused key, timeout: every figure unknown, and why
            reason = "timed out" if isinstance(exc, TimeoutError) else (str(exc) or type(exc).__name__)
            return host_samples(host.name, None, f"unreachable: {reason}"[:200])
        if not ran.ok and not ran.stdout:
            reason = f"probe failed: {ran.stderr or 'no output'}"[:200]
            return host_samples(host.name, None, reason, reachable=True)
        return host_samples(host.name, parse_host_probe(ran.stdout))


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def service_sample(wanted: ServiceFigure, result: CheckResult) -> MetricSample:
    """One figure from one check result: a measurement, or unknown with the reason.

    Never a number the check did not measure (an HTTP status is not an error rate), never a
    number outside the figure's range (`MetricDef.measure`), never green without a value.
    """
    definition = BY_NAME[wanted.metric]
    raw: float | None = None
    reason = result.summary
    if wanted.read == "ok":
        if result.status in ("pass", "warn"):
            raw = 1.0
        elif result.status in ("fail", "error"):
            raw = 0.0
    elif wanted.read == "verdict":
        if result.status in ("pass", "warn"):
            raw = 1.0
        elif result.status == "fail" and result.value is not None:
            raw = 0.0
    elif result.status != "error":
        raw = _number(result.value)
        if raw is not None and result.unit == "bytes":
            raw = round(raw / 1048576, 2)
        foreign = result.unit not in ("", "bytes", definition.unit) and bool(definition.unit)
        if raw is not None and foreign:  # e.g. Redis memory as % of maxmemory, not MB
            raw, reason = None, f"measured in {result.unit}, not {definition.unit}: {result.summary}"
    measured = definition.measure(raw, reason)
    detail = result.summary if measured.value is not None else _why(measured.reason, result.summary)
    return MetricSample(
        metric=wanted.metric,
        value=measured.value,
        unit=definition.unit,
        status=measured.status,
        detail=detail,
    )


def _why(reason: str, summary: str) -> str:
    """The reason a figure is unknown, with what the check said when that adds something."""
    if not summary or summary in reason:
        return reason or "not measured"
    return f"{reason} ({summary})" if reason.startswith("out of range") else reason


# What a health body's database field must say to count: connected, or one of these words.
# Anything else ("unknown", "degraded", hostile text) says nothing either way.
_DOWN_WORDS = frozenset({"disconnected", "down", "error", "failed", "unreachable", "unavailable", "timeout"})


def _says(body: CheckResult | None) -> str | None:
    """ "connected" or a down word from the health body's database field, else None."""
    if body is None or body.status not in ("pass", "fail") or not isinstance(body.value, str):
        return None
    said = body.value.strip().casefold()
    return said if said == "connected" or said in _DOWN_WORDS else None


def database_sample(ping: CheckResult | None, body: CheckResult | None) -> MetricSample:
    """ "Database connected" from the database's own answer, or from the health body when it says.

    A failed or unparseable health answer (an HTTP 500, an outage's HTML page) says nothing
    about the database: unknown, not "no". The application saying it cannot reach the database
    is evidence even when SELECT 1 from here answers (its connection errors are the criterion).
    """
    says = _says(body)
    if ping is not None and ping.status in ("pass", "warn"):
        if says is not None and says != "connected":
            value, detail = 0.0, f"the application reports database: {says} (SELECT 1 from here answers)"
        else:
            value, detail = 1.0, ping.summary
    elif ping is not None and ping.status in ("fail", "error"):
        value, detail = 0.0, f"database check: {ping.summary}"
    elif says is not None:
        value, detail = (1.0 if says == "connected" else 0.0), f"health answer: database {says}"
    else:
        heard = body.summary if body is not None else "no health check"
        return MetricSample(
            metric="db_connected",
            value=None,
            unit="",
            status="unknown",
            detail=f"no database check answered and the health answer does not say ({heard})",
        )
    status = BY_NAME["db_connected"].status(value)
    return MetricSample(metric="db_connected", value=value, unit="", status=status, detail=detail)


def host_samples(
    host: str, figures: HostFigures | None, reason: str = "", *, reachable: bool | None = None
) -> list[MetricSample]:
    """A host's figures (unknown, with `reason`, when there are none), and whether it answered."""
    answered = figures is not None if reachable is None else reachable
    samples = [
        MetricSample(
            metric="host_reachable",
            host=host,
            value=1.0 if answered else 0.0,
            unit="",
            status="pass" if answered else "fail",
            detail=reason or (figures.detail if figures else ""),
        )
    ]
    for name in HOST_FIGURES:
        definition = BY_NAME[name]
        raw = getattr(figures, name) if figures is not None else None
        measured = definition.measure(raw, reason or "not in the probe's output")
        samples.append(
            MetricSample(
                metric=name,
                host=host,
                value=measured.value,
                unit=definition.unit,
                status=measured.status,
                detail=figures.detail if measured.value is not None and figures else measured.reason,
            )
        )
    return samples
