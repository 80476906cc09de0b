"""Emergency Rollback's decision criteria, evaluated continuously on the metric history.

"Error rate > 5% for 10+ minutes → Rollback": a criterion fires when its condition has held
for its whole duration, on the samples recorded so far, and clears when a sample no longer
breaches. Time is the session's offset clock (seconds), which is injectable through the
recorder's clock, so tests need not wait ten minutes and replay sees the same history.
The rows a machine cannot judge (data loss, an exploited vulnerability) are shown, not evaluated.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from omniops_tui.core.errors import UserError
from omniops_tui.logic.history import MetricHistory
from omniops_tui.logic.metrics import BY_NAME, Band, format_value

CRITERIA_FILE = "rollback-criteria.toml"


@dataclass(frozen=True, slots=True)
class Criterion:
    id: str
    metric: str
    threshold: str
    action: str
    source: str = ""
    band: Band | None = None
    for_s: float = 0.0
    manual: bool = False


@dataclass(slots=True)
class CriterionState:
    criterion: Criterion
    status: str = "no data"  # ok, breaching, fired, no data, manual
    since: float | None = None
    last_value: float | None = None
    evidence: str = ""


@dataclass(frozen=True, slots=True)
class Transition:
    criterion: Criterion
    fired: bool
    evidence: str


@dataclass
class CriteriaEvaluator:
    criteria: list[Criterion]
    states: dict[str, CriterionState] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for criterion in self.criteria:
            self.states[criterion.id] = CriterionState(
                criterion, status="manual" if criterion.manual else "no data"
            )

    def observe(self, metric: str, value: float | None, t: float) -> None:
        """Feed one sample (offset `t` in seconds). Several hosts' samples may share a metric."""
        for state in self.states.values():
            criterion = state.criterion
            if criterion.manual or criterion.source != metric or criterion.band is None:
                continue
            if value is None:
                continue
            state.last_value = value
            if criterion.band.holds(value):
                if state.since is None:
                    state.since = t
                if state.status not in ("fired",):
                    state.status = "breaching"
            else:
                state.since = None
                state.status = "ok" if state.status != "fired" else "clearing"

    def evaluate(self, now: float) -> list[Transition]:
        """Advance to `now`; return the criteria that fired or cleared since the last call."""
        transitions: list[Transition] = []
        for state in self.states.values():
            criterion = state.criterion
            if criterion.manual:
                continue
            if (
                state.status == "breaching"
                and state.since is not None
                and (now - state.since >= criterion.for_s)
            ):
                state.status = "fired"
                state.evidence = self._evidence(state, now)
                transitions.append(Transition(criterion, True, state.evidence))
            elif state.status == "clearing":
                state.status = "ok"
                state.evidence = self._evidence(state, now)
                transitions.append(Transition(criterion, False, state.evidence))
            elif state.status in ("breaching", "fired") or state.status == "ok":
                state.evidence = self._evidence(state, now)
        return transitions

    def fired(self) -> list[CriterionState]:
        return [s for s in self.states.values() if s.status == "fired"]

    @staticmethod
    def _evidence(state: CriterionState, now: float) -> str:
        criterion = state.criterion
        definition = BY_NAME.get(criterion.source)
        value = format_value(definition, state.last_value) if definition else str(state.last_value)
        label = definition.label if definition else criterion.source
        if state.since is None:
            return f"{label} {value}: within limits"
        held = now - state.since
        need = f" of {_duration(criterion.for_s)}" if state.status == "breaching" else ""
        return f"{label} {value} {criterion.band} for {_duration(held)}{need}"


def _duration(seconds: float) -> str:
    seconds = int(max(0, seconds))
    minutes, secs = divmod(seconds, 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def load_criteria(path: Path, text: str | None = None) -> list[Criterion]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8") if text is None else text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: invalid TOML: {exc}") from exc
    except OSError as exc:
        raise UserError(f"{path}: cannot read rollback criteria ({exc.strerror})") from exc
    criteria: list[Criterion] = []
    for index, raw in enumerate(data.get("criterion", [])):
        where = f"{path}: criterion #{index + 1}"
        try:
            manual = bool(raw.get("manual", False))
            band = None
            if not manual:
                if raw["source"] not in BY_NAME:
                    raise UserError(
                        f"{where}: source '{raw['source']}' is not a known metric "
                        f"({', '.join(sorted(BY_NAME))})"
                    )
                band = Band(str(raw["op"]), float(raw["limit"]))
                if band.op not in ("<", "<=", ">", ">=", "==", "!="):
                    raise UserError(f"{where}: op must be one of < <= > >= == !=")
            criteria.append(
                Criterion(
                    id=str(raw["id"]),
                    metric=str(raw["metric"]),
                    threshold=str(raw["threshold"]),
                    action=str(raw["action"]),
                    source=str(raw.get("source", "")),
                    band=band,
                    for_s=float(raw.get("for_minutes", 0)) * 60,
                    manual=manual,
                )
            )
        except KeyError as exc:
            raise UserError(f"{where}: missing key {exc}") from exc
    return criteria


def evaluate_history(
    criteria: Sequence[Criterion], history: MetricHistory, now: float
) -> dict[str, CriterionState]:
    """Each criterion's state at `now`, from the metric history alone.

    A pure function of the recorded samples, so the live engine (which records the firing and
    clearing) and a replay (which shows "breaching for 4m of 10m") read the same answer.
    """
    evaluator = CriteriaEvaluator(list(criteria))
    sources = {c.source for c in criteria if not c.manual}
    points = sorted(
        (point.t, metric, point.value)
        for (metric, _host), series in history.series.items()
        if metric in sources
        for point in series
    )
    for t, metric, value in points:
        evaluator.observe(metric, value, t)
    evaluator.evaluate(now)
    return evaluator.states
