"""The figures the runbooks set thresholds on, and how each one is coloured.

One catalogue for the metrics screen, the status strip, the sampler, the rollback criteria and
the wizard's probes, built from the one thresholds file (`core/thresholds.toml`): each figure's
label, unit, what its values can be, its green and amber bands, and the document's words.

A value that is not a measurement of the figure (a percentage of 503, a negative duration) is
`unknown` with the reason, never a number and never green: `MetricDef.measure` is the one
place a raw number becomes a figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from omniops_tui.core.thresholds import Band, Limits, MetricEntry, thresholds

__all__ = [
    "BY_NAME",
    "CATALOGUE",
    "Band",
    "Facts",
    "Measured",
    "MetricDef",
    "Point",
    "format_value",
    "metric",
]


class Point(Protocol):
    """One recorded sample of a figure (the metric history's points satisfy it)."""

    t: float
    value: float | None
    status: str
    detail: str


class Facts(Protocol):
    """What the figures so far can tell: the metric history projection satisfies it, so the
    logic reads the session's figures without importing the sessions layer."""

    def latest(self, metric: str, host: str = "") -> Point | None: ...

    def recent(self, metric: str, host: str = "") -> Sequence[Point]: ...

    def hosts(self, metric: str) -> list[str]: ...

    def worst(self, metric: str, higher_is_worse: bool = True) -> tuple[str, Point] | None: ...


@dataclass(frozen=True, slots=True)
class Measured:
    """A raw number made a figure: the value (None when it is not one), its status, why."""

    value: float | None
    status: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class MetricDef:
    name: str
    label: str
    unit: str
    limits: Limits
    per_host: bool = False

    @classmethod
    def from_entry(cls, entry: MetricEntry) -> MetricDef:
        return cls(entry.name, entry.label, entry.unit, entry.limits, entry.per_host)

    @property
    def green(self) -> Band | None:
        return self.limits.pass_band

    @property
    def amber(self) -> Band | None:
        return self.limits.warn_band

    @property
    def source(self) -> str:
        return self.limits.source

    @property
    def words(self) -> str:
        return self.limits.words

    @property
    def kind(self) -> str:
        return self.limits.kind

    def status(self, value: float | None) -> str:
        """pass (green), warn (amber), fail (red); unknown without a value or out of range."""
        return self.limits.judge(value)

    def measure(self, value: float | None, reason: str = "") -> Measured:
        """`value` as a figure: unknown (with the reason) when missing or out of range."""
        if value is None:
            return Measured(None, "unknown", reason or "not measured")
        problem = self.limits.out_of_range(value)
        if problem:
            return Measured(None, "unknown", problem)
        return Measured(float(value), self.limits.judge(value), reason)

    def threshold_text(self) -> str:
        """The green band, the runbooks' target ("< 500 ms"); yes/no figures say "yes"."""
        if self.green is None:
            return ""
        if self.kind == "boolean":
            return "yes" if self.green.holds(1) else "no"
        return f"{self.green}{self.unit_suffix}"

    @property
    def unit_suffix(self) -> str:
        return "" if not self.unit else (self.unit if self.unit == "%" else f" {self.unit}")


CATALOGUE: tuple[MetricDef, ...] = tuple(MetricDef.from_entry(e) for e in thresholds().metrics.values())
BY_NAME: dict[str, MetricDef] = {definition.name: definition for definition in CATALOGUE}


def metric(name: str) -> MetricDef:
    return BY_NAME[name]


def format_value(definition: MetricDef, value: float | None) -> str:
    if value is None:
        return "—"
    if definition.kind == "boolean":
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
