"""The fleet as a table model: one row per host, worst first, filterable; no widget involved.

Built from the metric history (the fold), so live, resumed and replayed sessions give the same
rows. At 1,000 hosts a full rebuild costs a few milliseconds; the host table widget shows a
window of `rows()` and re-asks when samples arrive or the filter changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from omniops_tui.core.status import SEVERITY
from omniops_tui.logic.history import MetricHistory
from omniops_tui.logic.metrics import BY_NAME

HOST_FIGURES = ("cpu_percent", "mem_percent", "disk_percent", "load_per_cpu")
SORTS = ("worst", "name", *HOST_FIGURES)


@dataclass(frozen=True, slots=True)
class HostRow:
    host: str
    values: dict[str, float | None]
    statuses: dict[str, str]
    status: str  # the worst of the figures'
    worst_metric: str  # the figure that decided `status` ("" when all pass)
    sources: tuple[str, ...]  # where the figures came from: "prometheus", "ssh"
    t: float  # offset of the newest sample
    pressure: float = 0.0  # how far the deciding figure is into its band (ranks equal verdicts)

    @property
    def source(self) -> str:
        return "+".join(self.sources)


def _natural(name: str) -> tuple[object, ...]:
    """`prod-2` before `prod-10`."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name))


def _pressure(metric: str, value: float | None) -> float:
    """How far a figure is into its band: value over the green limit (1.0 at the threshold)."""
    definition = BY_NAME.get(metric)
    if value is None or definition is None or definition.green is None or not definition.green.limit:
        return 0.0
    ratio = value / definition.green.limit
    return ratio if definition.green.op in ("<", "<=") else 1 / ratio if ratio else float("inf")


class HostTable:
    """`HostTable(history).rows(sort="worst", filter="prod-1")`.

    Each host's row is computed once per instance (rows and counts share them): make a new
    table when the history has changed.
    """

    def __init__(self, history: MetricHistory) -> None:
        self.history = history
        self._rows: dict[str, HostRow] = {}
        self._hosts: list[str] | None = None

    def hosts(self) -> list[str]:
        if self._hosts is None:
            names = {host for (metric, host) in self.history.series if host and metric in HOST_FIGURES}
            self._hosts = sorted(names, key=_natural)
        return self._hosts

    def row(self, host: str) -> HostRow:
        known = self._rows.get(host)
        if known is None:
            known = self._rows[host] = self._row(host)
        return known

    def _row(self, host: str) -> HostRow:
        values: dict[str, float | None] = {}
        statuses: dict[str, str] = {}
        sources: set[str] = set()
        newest = 0.0
        for metric in HOST_FIGURES:
            point = self.history.latest(metric, host)
            values[metric] = point.value if point else None
            statuses[metric] = point.status if point else "unknown"
            if point is not None:
                sources.add(point.source or "ssh")
                newest = max(newest, point.t)
        ranked = {m: (SEVERITY.get(statuses[m], 1), _pressure(m, values[m])) for m in HOST_FIGURES}
        worst_metric = max(HOST_FIGURES, key=ranked.__getitem__)
        status = statuses[worst_metric]
        passing = status == "pass"
        return HostRow(
            host,
            values,
            statuses,
            status,
            "" if passing else worst_metric,
            tuple(sorted(sources)),
            newest,
            0.0 if passing else ranked[worst_metric][1],
        )

    def rows(
        self, sort: str = "worst", filter: str = "", statuses: frozenset[str] | None = None
    ) -> list[HostRow]:
        """Every host's row: `sort` is worst (default), name, or a figure (highest first);
        `filter` keeps hosts whose name contains it (any case); `statuses` keeps those verdicts."""
        if sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}")
        needle = filter.strip().lower()
        rows = [self.row(host) for host in self.hosts() if needle in host.lower()]
        if statuses is not None:
            rows = [row for row in rows if row.status in statuses]
        if sort == "worst":
            rows.sort(key=lambda r: (-SEVERITY.get(r.status, 1), -r.pressure, _natural(r.host)))
        elif sort == "name":
            rows.sort(key=lambda r: _natural(r.host))
        else:
            rows.sort(key=lambda r: (r.values[sort] is None, -(r.values[sort] or 0.0), _natural(r.host)))
        return rows

    def counts(self) -> dict[str, int]:
        """Hosts per verdict, for a one-line summary ("3 fail · 12 warn · 985 pass")."""
        counted: dict[str, int] = {}
        for host in self.hosts():
            status = self.row(host).status
            counted[status] = counted.get(status, 0) + 1
        return counted
