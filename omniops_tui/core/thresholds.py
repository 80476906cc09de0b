"""The numbers every figure is judged by, read once from `thresholds.toml`, with their words.

One data file holds every threshold (DESIGN: thresholds live once, in data, with the document's
words beside them). It sits in `core` because everything reads it: the metric catalogue and
the rollback criteria (logic), the check kinds' defaults (probes) and the wizard's probes.

Each entry also says what a measurement of it can be (`kind`: a percentage is 0–100, a
duration >= 0, a yes/no figure 0 or 1). A number outside that range is not a measurement (an
HTTP status read as an error rate, a negative duration): `Limits.judge` calls it unknown and
`Limits.out_of_range` says why, so it is never drawn green.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from omniops_tui.core.errors import UserError
from omniops_tui.core.tomlfile import read_toml

THRESHOLDS_FILE = Path(__file__).with_name("thresholds.toml")

_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
_COMPLEMENT = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
_BAND = re.compile(r"^\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$")

#: kind -> (lowest, highest, how a value of it is called in "out of range" messages)
KINDS: dict[str, tuple[float | None, float | None, str]] = {
    "percent": (0.0, 100.0, "a percentage (0–100)"),
    "duration": (0.0, None, "a duration (>= 0)"),
    "count": (0.0, None, "a count (a whole number >= 0)"),
    "size": (0.0, None, "a size (>= 0)"),
    "ratio": (0.0, None, "a ratio (>= 0)"),
    "boolean": (0.0, 1.0, "a yes/no figure (0 or 1)"),
    "number": (None, None, "a number"),
}
CHECK_MODES = ("pass", "pass+warn", "warn")


@dataclass(frozen=True, slots=True)
class Band:
    """`value <op> limit` is true inside this band ("< 500" reads "P95 < 500ms")."""

    op: str
    limit: float

    def holds(self, value: float) -> bool:
        return _OPS[self.op](value, self.limit)

    def __str__(self) -> str:
        return f"{self.op} {self.limit:g}"

    @classmethod
    def parse(cls, text: str) -> Band:
        """`"< 500"` -> Band("<", 500.0); ValueError names what is accepted."""
        match = _BAND.match(text)
        if match is None:
            raise ValueError(f"'{text}' is not a band like \"< 500\" (one of < <= > >= == != and a number)")
        return cls(match.group(1), float(match.group(2)))


@dataclass(frozen=True, slots=True)
class Limits:
    """Where one figure turns amber and red, what its values can be, and the document's words."""

    name: str
    kind: str = "number"
    pass_band: Band | None = None
    warn_band: Band | None = None
    words: str = ""
    source: str = ""
    check: str = "pass"

    def out_of_range(self, value: float) -> str:
        """Why `value` cannot be a measurement of this figure ("" when it can)."""
        low, high, called = KINDS[self.kind]
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"not a number: {value!r}"
        if math.isnan(value) or math.isinf(value):
            return f"not a number: {value}"
        outside = (low is not None and value < low) or (high is not None and value > high)
        if self.kind == "boolean" and value not in (0, 1):
            outside = True
        if self.kind == "count" and not float(value).is_integer():
            outside = True
        return f"out of range: {value:g} for {called}" if outside else ""

    def judge(self, value: float | None) -> str:
        """pass (green), warn (amber), fail (red), or unknown (no value, or not a measurement)."""
        if value is None or self.out_of_range(value):
            return "unknown"
        if self.pass_band is None or self.pass_band.holds(value):
            return "pass"
        if self.warn_band is not None and self.warn_band.holds(value):
            return "warn"
        return "fail"

    def red_band(self) -> Band | None:
        """The band beyond both pass and warn: where the figure is red (None: never red)."""
        edge = self.warn_band or self.pass_band
        if edge is None:
            return None
        if self.kind == "boolean" and edge.op == "==" and edge.limit in (0, 1):
            return Band("==", 1 - edge.limit)
        return Band(_COMPLEMENT[edge.op], edge.limit)

    def red(self, value: float | None) -> bool:
        """True only for a real measurement in the red band (the rollback criteria's numbers)."""
        return self.judge(value) == "fail"

    def check_threshold(self) -> dict[str, float]:
        """The entry as a check's threshold (`below`, `above`, `warn_above`, `warn_below`).

        `check = "pass"`: outside the pass band fails. `"pass+warn"`: the amber band warns and
        beyond it fails. `"warn"`: outside the pass band only warns. Only bands a check's
        threshold expresses exactly are accepted (validated when the file is read).
        """
        return _as_check_threshold(self)


@dataclass(frozen=True, slots=True)
class MetricEntry:
    """A figure of the metrics screen: how it is named and shown, and its limits."""

    name: str
    label: str
    unit: str
    limits: Limits
    per_host: bool = False


@dataclass(frozen=True, slots=True)
class WizardSettings:
    health_window: int = 3
    evidence_max_age_s: float = 300.0
    words: str = ""


@dataclass(frozen=True, slots=True)
class DoNotRollback:
    """One "DO NOT ROLLBACK IF" line a figure speaks to: it applies while `metric <applies>`."""

    words: str
    metric: str
    applies: Band
    note: str = ""


@dataclass(frozen=True, slots=True)
class Thresholds:
    metrics: dict[str, MetricEntry]
    limits: dict[str, Limits]  # every entry, metrics included
    wizard: WizardSettings = field(default_factory=WizardSettings)
    do_not_rollback: tuple[DoNotRollback, ...] = ()
    path: Path | None = None

    def limits_of(self, name: str) -> Limits:
        try:
            return self.limits[name]
        except KeyError:
            known = ", ".join(sorted(self.limits))
            raise KeyError(f"no threshold named '{name}' in {self.path} ({known})") from None


@cache
def thresholds() -> Thresholds:
    """The bundled thresholds, read once per process."""
    return load_thresholds(THRESHOLDS_FILE)


def load_thresholds(path: Path) -> Thresholds:
    """Read and validate a thresholds file; every mistake is one line naming the file and entry."""
    data = read_toml(path, "thresholds")
    metrics: dict[str, MetricEntry] = {}
    limits: dict[str, Limits] = {}
    for section in ("metrics", "limits"):
        for name, raw in _tables(data, section, path).items():
            where = f"{path}: [{section}.{name}]"
            entry = _limits(name, raw, where)
            if name in limits:
                raise UserError(f"{where}: the name is used twice")
            limits[name] = entry
            if section == "metrics":
                metrics[name] = MetricEntry(
                    name,
                    str(raw.get("label", name)),
                    str(raw.get("unit", "")),
                    entry,
                    bool(raw.get("per_host", False)),
                )
    wizard_raw = data.get("wizard", {})
    wizard = WizardSettings(
        int(wizard_raw.get("health_window", 3)),
        float(wizard_raw.get("evidence_max_age_s", 300)),
        str(wizard_raw.get("words", "")),
    )
    rows = []
    for index, raw in enumerate(data.get("do_not_rollback", [])):
        where = f"{path}: do_not_rollback #{index + 1}"
        try:
            if raw["metric"] not in metrics:
                raise UserError(f"{where}: metric '{raw['metric']}' is not in [metrics.*]")
            rows.append(
                DoNotRollback(
                    str(raw["words"]),
                    str(raw["metric"]),
                    Band.parse(str(raw["applies"])),
                    str(raw.get("note", "")),
                )
            )
        except KeyError as exc:
            raise UserError(f"{where}: missing key {exc}") from exc
        except ValueError as exc:
            raise UserError(f"{where}: applies: {exc}") from exc
    return Thresholds(metrics, limits, wizard, tuple(rows), path)


def _tables(data: dict[str, Any], section: str, path: Path) -> dict[str, dict[str, Any]]:
    tables = data.get(section, {})
    if not isinstance(tables, dict) or not all(isinstance(v, dict) for v in tables.values()):
        raise UserError(f"{path}: [{section}.NAME] entries must be tables")
    return tables


def _limits(name: str, raw: dict[str, Any], where: str) -> Limits:
    kind = str(raw.get("kind", "number"))
    if kind not in KINDS:
        raise UserError(f"{where}: kind '{kind}' is not one of {', '.join(KINDS)}")
    check = str(raw.get("check", "pass"))
    if check not in CHECK_MODES:
        raise UserError(f"{where}: check '{check}' is not one of {', '.join(CHECK_MODES)}")
    try:
        pass_band = Band.parse(str(raw["pass"])) if "pass" in raw else None
        warn_band = Band.parse(str(raw["warn"])) if "warn" in raw else None
    except ValueError as exc:
        raise UserError(f"{where}: {exc}") from exc
    if warn_band is not None and pass_band is None:
        raise UserError(f"{where}: a warn band needs a pass band")
    entry = Limits(
        name, kind, pass_band, warn_band, str(raw.get("words", "")), str(raw.get("source", "")), check
    )
    if pass_band is not None:
        try:
            _as_check_threshold(entry)
        except ValueError as exc:
            raise UserError(f"{where}: {exc}") from exc
    return entry


def _as_check_threshold(entry: Limits) -> dict[str, float]:
    """Translate bands into a check threshold, exactly, or say why it cannot be done.

    A check's threshold fails at `value >= below` / `value <= above` and warns past
    `warn_above` / under `warn_below`, so a failing pass band must be strict ("< 500") and a
    warning pass band inclusive ("<= 75").
    """
    band, warn = entry.pass_band, entry.warn_band
    if band is None:
        return {}
    lower_is_better = band.op in ("<", "<=")
    higher_is_better = band.op in (">", ">=")
    if entry.check == "pass" or (entry.check == "pass+warn" and warn is None):
        if band.op == "<":
            return {"below": band.limit}
        if band.op == ">":
            return {"above": band.limit}
        if band.op == "==" and entry.kind == "boolean":
            return {"above": band.limit - 1} if band.limit == 1 else {"below": band.limit + 1}
        raise ValueError(f'check = "pass" needs a strict pass band ("<" or ">"), not "{band}"')
    if band.op not in ("<=", ">="):
        raise ValueError(f'check = "{entry.check}" needs an inclusive pass band ("<=" or ">="), not "{band}"')
    result = {"warn_above": band.limit} if lower_is_better else {"warn_below": band.limit}
    if entry.check == "warn":
        return result
    assert warn is not None  # pass+warn without a warn band was handled above
    if lower_is_better and warn.op == "<":
        return {**result, "below": warn.limit}
    if higher_is_better and warn.op == ">":
        return {**result, "above": warn.limit}
    raise ValueError(f'the warn band "{warn}" must be strict and on the same side as the pass band "{band}"')
