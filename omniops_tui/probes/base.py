"""The vocabulary of checks: a spec says what to probe, a result says what came back.

Kept free of any client library so the bindings, the runner and the UI can import it at
start-up for nothing; the modules that talk to the outside world (http, postgres, …) are
imported only when a check of their kind actually runs.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from omniops_tui.config.secrets import mask_url
from omniops_tui.core.status import SEVERITY, STATUSES, Status  # noqa: F401  (re-exported)

NOT_CONFIGURED = "not configured"
ANSWER_LIMIT = 600


@dataclass(slots=True)
class CheckResult:
    """One answer of one check: what the checklist row shows and the record keeps.

    `summary` is one short line for a checklist row ("200 OK in 12 ms", "P95 612 ms >= 500 ms");
    `evidence` says what was asked and what came back, so a red item can be trusted or doubted.
    """

    status: Status
    value: Any = None
    unit: str = ""
    summary: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)
    duration_ms: float = 0.0

    @classmethod
    def unknown(cls, summary: str, **evidence: Any) -> CheckResult:
        return cls("unknown", None, "", summary, dict(evidence))

    @classmethod
    def not_configured(cls, reason: str) -> CheckResult:
        """A target the config does not name: never a crash, never red."""
        return cls("unknown", None, "", NOT_CONFIGURED, {"reason": reason})

    @classmethod
    def error(cls, summary: str, **evidence: Any) -> CheckResult:
        return cls("error", None, "", summary, dict(evidence))

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "value": self.value,
            "unit": self.unit,
            "summary": self.summary,
            "evidence": self.evidence,
            "duration_ms": round(self.duration_ms, 1),
        }


def worst(statuses: Iterable[Status]) -> Status:
    """The most severe status of several (pass when there are none)."""
    return max(statuses, key=lambda s: SEVERITY.get(s, 1), default="pass")


@dataclass(frozen=True, slots=True)
class Threshold:
    """Where a number turns amber or red, in the runbooks' words.

    `below = 500` reads "P95 < 500 ms" (pass only under 500); `above = 80` reads "cache hit >
    80 %". `warn_above` / `warn_below` turn a passing value amber before it fails.
    """

    below: float | None = None
    above: float | None = None
    warn_above: float | None = None
    warn_below: float | None = None

    @property
    def empty(self) -> bool:
        return all(v is None for v in (self.below, self.above, self.warn_above, self.warn_below))

    def judge(self, value: float) -> Status:
        if isinstance(value, float) and math.isnan(value):
            return "unknown"
        if self.below is not None and value >= self.below:
            return "fail"
        if self.above is not None and value <= self.above:
            return "fail"
        if self.warn_above is not None and value > self.warn_above:
            return "warn"
        if self.warn_below is not None and value < self.warn_below:
            return "warn"
        return "pass"

    def describe(self, label: str, value: float, unit: str = "") -> str:
        """`P95 612 ms >= 500 ms`: the value and the bound that decided its colour."""
        shown = f"{label} {fmt_number(value)}{_unit(unit)}".strip()
        status = self.judge(value)

        def bound(sign: str, limit: float) -> str:
            return f"{shown} {sign} {fmt_number(limit)}{_unit(unit)}"

        if status == "fail":
            if self.below is not None and value >= self.below:
                return bound(">=", self.below)
            return bound("<=", self.above)  # type: ignore[arg-type]
        if status == "warn":
            if self.warn_above is not None and value > self.warn_above:
                return bound(">", self.warn_above)
            return bound("<", self.warn_below)  # type: ignore[arg-type]
        if self.below is not None:
            return bound("<", self.below)
        if self.above is not None:
            return bound(">", self.above)
        if self.warn_above is not None:
            return bound("<=", self.warn_above)
        if self.warn_below is not None:
            return bound(">=", self.warn_below)
        return shown

    def to_dict(self) -> dict[str, float]:
        return {
            k: v
            for k in ("below", "above", "warn_above", "warn_below")
            if (v := getattr(self, k)) is not None
        }


def _unit(unit: str) -> str:
    return f" {unit}" if unit else ""


def fmt_number(value: float | int | None) -> str:
    """Numbers as people write them in a runbook: 12, 0.03, 612, 1.5."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}".rstrip("0").rstrip(".")
    if magnitude >= 0.1:
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{value:.3g}"


def fmt_bytes(size: float | int) -> str:
    step = 1024.0
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(value) < step or unit == "TB":
            return f"{fmt_number(round(value, 1))} {unit}"
        value /= step
    return f"{value} TB"  # pragma: no cover - the loop always returns


def truncate(text: str, limit: int = ANSWER_LIMIT) -> str:
    """Bound what goes into evidence: the record keeps the start of an answer, not megabytes."""
    text = text.replace("\r\n", "\n")
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…(truncated, {len(text)} chars)"


def error_text(exc: BaseException) -> str:
    """One line for an exception: its message, or its class when it has none."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return mask_url(truncate(text or type(exc).__name__, 200))


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """What to probe, defined once in bindings.toml and shared by every item it verifies.

    `item_ids` are the checklist items it ticks; `places` are sections or steps where it is
    shown without ticking anything (e.g. Disaster Recovery's "Assess Damage"). `host` is set
    when the runner expands an SSH check to one spec per configured host.
    """

    id: str
    kind: str
    title: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    threshold: Threshold | None = None
    timeout: float | None = None
    item_ids: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    host: str = ""
    line: int = 0

    @property
    def base_id(self) -> str:
        """The id in bindings.toml, without the `@host` of an expanded SSH check."""
        return self.id.split("@", 1)[0]

    def param(self, name: str, default: Any = None) -> Any:
        value = self.params.get(name)
        return default if value is None else value

    def for_host(self, host: str) -> CheckSpec:
        return replace(self, id=f"{self.base_id}@{host}", host=host)

    def with_items(self, item_ids: tuple[str, ...], places: tuple[str, ...]) -> CheckSpec:
        return replace(self, item_ids=item_ids, places=places)


class Stopwatch:
    """Milliseconds since creation, on the monotonic clock."""

    __slots__ = ("start",)

    def __init__(self) -> None:
        self.start = time.perf_counter()

    @property
    def ms(self) -> float:
        return (time.perf_counter() - self.start) * 1000.0
