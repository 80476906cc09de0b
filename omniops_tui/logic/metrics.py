"""The figures the runbooks set thresholds on, and how each one is coloured.

One catalogue for the metrics screen, the compact panel, the rollback criteria and the wizard's
probes. Thresholds quote the document where it gives one ("P95 < 500ms", "Redis cache hit rate >
80%", "CPU usage < 70%", "Error Rate > 5% for 10+ minutes → rollback"); where it gives none the
default is marked `source = "tool default"` so nobody mistakes it for team policy.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass

Status = str  # "pass" (green), "warn" (amber), "fail" (red), "unknown"

_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


@dataclass(frozen=True, slots=True)
class Band:
    """`value <op> limit` is true inside this band."""

    op: str
    limit: float

    def holds(self, value: float) -> bool:
        return _OPS[self.op](value, self.limit)

    def __str__(self) -> str:
        return f"{self.op} {self.limit:g}"


@dataclass(frozen=True, slots=True)
class MetricDef:
    name: str
    label: str
    unit: str
    green: Band | None = None
    amber: Band | None = None
    per_host: bool = False
    source: str = ""

    def status(self, value: float | None) -> Status:
        if value is None:
            return "unknown"
        if self.green is None:
            return "pass"
        if self.green.holds(value):
            return "pass"
        if self.amber is not None and self.amber.holds(value):
            return "warn"
        return "fail"

    def threshold_text(self) -> str:
        """The green band, the runbooks' target ("< 500 ms"); yes/no figures say "yes"."""
        if self.green is None:
            return ""
        if self.green.op == "==" and self.green.limit == 1:
            return "yes"
        return f"{self.green}{self.unit_suffix}"

    @property
    def unit_suffix(self) -> str:
        return "" if not self.unit else (self.unit if self.unit == "%" else f" {self.unit}")


CATALOGUE: tuple[MetricDef, ...] = (
    MetricDef(
        "response_avg_ms",
        "Response time (avg)",
        "ms",
        Band("<", 100),
        Band("<", 500),
        source="Standard Release step 8: Target < 100ms average",
    ),
    MetricDef(
        "p95_ms",
        "Response time P95",
        "ms",
        Band("<", 500),
        Band("<=", 3000),
        source="Verification: P95 < 500ms; Emergency Rollback: P95 > 3s → investigate",
    ),
    MetricDef(
        "error_rate",
        "Error rate",
        "%",
        Band("<", 0.1),
        Band("<=", 5),
        source="Verification: < 0.1%; Emergency Rollback: > 5% → rollback",
    ),
    MetricDef(
        "health_ok",
        "Health endpoint",
        "",
        Band("==", 1),
        source="Verification: health endpoint returns 200 OK",
    ),
    MetricDef("uptime_s", "Uptime", "s", source="/api/health uptime"),
    MetricDef(
        "version_ok",
        "Version matches",
        "",
        Band("==", 1),
        source="Hotfix step 4: /api/version should show the new version",
    ),
    MetricDef(
        "db_connected",
        "Database connected",
        "",
        Band("==", 1),
        source="Emergency Rollback: database connection errors → rollback",
    ),
    MetricDef(
        "db_connections_pct",
        "DB connections of max",
        "%",
        Band("<", 80),
        Band("<", 95),
        source="tool default (Expected Metrics: DB Connections 12/100)",
    ),
    MetricDef(
        "db_query_p95_ms",
        "DB query time (P95)",
        "ms",
        Band("<", 100),
        Band("<", 1000),
        source="Verification: database queries < 100ms P95; step 9: mean_exec_time > 1000",
    ),
    MetricDef(
        "unused_indexes",
        "Indexes never scanned",
        "",
        Band("==", 0),
        Band("<", 10),
        source="First-Time Deploy troubleshooting: idx_scan = 0",
    ),
    MetricDef("largest_tables", "Largest table", "MB", source="Standard Release step 4: table sizes"),
    MetricDef(
        "redis_hit_rate",
        "Redis hit rate",
        "%",
        Band(">", 80),
        Band(">=", 50),
        source="Verification: Redis cache hit rate > 80%",
    ),
    MetricDef("redis_memory_mb", "Redis used memory", "MB", source="INFO used_memory"),
    MetricDef(
        "chat_ok",
        "Chat (critical flow)",
        "",
        Band("==", 1),
        source="Emergency Rollback: critical feature completely broken → rollback",
    ),
    MetricDef(
        "cpu_percent",
        "CPU",
        "%",
        Band("<", 70),
        Band("<", 90),
        per_host=True,
        source="Verification: CPU usage < 70%",
    ),
    MetricDef(
        "mem_percent",
        "Memory",
        "%",
        Band("<", 80),
        Band("<", 90),
        per_host=True,
        source="tool default (Expected Metrics: Memory 2.8GB / 8GB)",
    ),
    MetricDef(
        "disk_percent",
        "Disk /",
        "%",
        Band("<", 80),
        Band("<", 90),
        per_host=True,
        source="tool default (Database Migration: sufficient disk space confirmed)",
    ),
    MetricDef(
        "load_per_cpu",
        "Load (1 min) per CPU",
        "",
        Band("<", 1.0),
        Band("<", 2.0),
        per_host=True,
        source="tool default",
    ),
)

BY_NAME: dict[str, MetricDef] = {metric.name: metric for metric in CATALOGUE}


def metric(name: str) -> MetricDef:
    return BY_NAME[name]


def format_value(definition: MetricDef, value: float | None) -> str:
    if value is None:
        return "—"
    if definition.green is not None and definition.green.op == "==" and definition.green.limit == 1:
        return "yes" if value >= 1 else "no"
    if definition.unit == "s" and value >= 3600:
        return f"{value / 3600:.1f} h"
    if definition.unit == "%":
        return f"{value:.2f}%" if value < 1 else f"{value:.1f}%"
    if definition.unit == "ms":
        return f"{value:.0f} ms"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.2f}{definition.unit_suffix}"
    return f"{value:g}{definition.unit_suffix}"
