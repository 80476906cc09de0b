"""Emergency Rollback's decision criteria, evaluated continuously on the metric samples.

"Error rate > 5% for 10+ minutes → Rollback": a criterion fires only on its own evidence (the
samples of its own figure) held for its whole duration: at least two measurements, the first
and the latest of an unbroken run of breaching ones, at least `for` apart. No single sample
fires it, not even for "database connection errors" or "critical feature broken"; time is
never extrapolated past the latest sample. A measurement within limits clears it; a sample
that could not be measured (value None) neither extends nor breaks the run.

Time is the session's offset clock (seconds), injectable through the recorder's clock, so
tests need not wait ten minutes and replay sees the same history. The evaluator is pure (no
I/O, no clock of its own): the engine feeds it samples, or a projection can fold recorded
`metric_sample` events through it, and `status()` says per criterion what to show now.
The rows a machine cannot judge (data loss, an exploited vulnerability) are shown, not evaluated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from omniops_tui.core.errors import UserError
from omniops_tui.core.thresholds import Band, thresholds
from omniops_tui.core.tomlfile import read_toml
from omniops_tui.logic.history import MetricHistory
from omniops_tui.logic.metrics import BY_NAME, Facts, format_value

CRITERIA_FILE = "rollback-criteria.toml"
OPS = ("<", "<=", ">", ">=", "==", "!=")


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


@dataclass(frozen=True, slots=True)
class CriterionStatus:
    """One criterion now: what the banner and the metrics screen show.

    `status`: "ok" (the latest measurement is within limits), "breaching" (in the band, not yet
    for its duration), "fired" (held for its duration), "no data" (never measured), "unknown"
    (the latest sample could not be measured and there is no run in progress), or "manual" (a
    human's judgement).
    `value` is the latest measurement (None when the latest sample had none: `detail` says
    why); `since` when the current breaching run started; `held_s` how long the evidence
    covers (latest breaching sample minus `since`).
    """

    criterion: Criterion
    status: str
    value: float | None = None
    value_text: str = ""
    at: float | None = None
    since: float | None = None
    held_s: float = 0.0
    samples: int = 0
    detail: str = ""
    evidence: str = ""

    @property
    def firing(self) -> bool:
        return self.status == "fired"


@dataclass(frozen=True, slots=True)
class Transition:
    criterion: Criterion
    fired: bool
    evidence: str


@dataclass(slots=True)
class _Run:
    """What one criterion has seen: the latest sample, and the current breaching run."""

    latest_value: float | None = None
    latest_t: float | None = None
    latest_detail: str = ""
    measured: bool = False  # any measurement at all
    within: bool = False  # the latest measurement was within limits
    since: float | None = None
    last_breach: float | None = None
    samples: int = 0
    firing: bool = False

    @property
    def held(self) -> float:
        if self.since is None or self.last_breach is None:
            return 0.0
        return self.last_breach - self.since


@dataclass
class CriteriaEvaluator:
    criteria: list[Criterion]
    _runs: dict[str, _Run] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._runs = {criterion.id: _Run() for criterion in self.criteria}

    def observe(
        self, metric: str, value: float | None, t: float, *, status: str = "", detail: str = ""
    ) -> None:
        """Feed one sample (offset `t` in seconds); None (unknown) is no evidence either way."""
        for criterion in self.criteria:
            if criterion.manual or criterion.source != metric or criterion.band is None:
                continue
            run = self._runs[criterion.id]
            run.latest_value, run.latest_t, run.latest_detail = value, t, detail
            if value is None:
                continue
            run.measured = True
            if criterion.band.holds(value):
                if run.since is None:
                    run.since, run.samples = t, 0
                run.last_breach = t
                run.samples += 1
                run.within = False
            else:
                run.since, run.last_breach, run.samples, run.within = None, None, 0, True

    def observe_sample(self, sample: _Sample) -> None:
        """`observe` for a `MetricSample` (or anything with metric, value, t, status, detail)."""
        self.observe(sample.metric, sample.value, sample.t, status=sample.status, detail=sample.detail)

    def evaluate(self, now: float) -> list[Transition]:
        """The criteria that fired or cleared since the last call (each fires once per run)."""
        transitions: list[Transition] = []
        for criterion in self.criteria:
            if criterion.manual:
                continue
            run = self._runs[criterion.id]
            held_long_enough = run.since is not None and run.samples >= 2 and run.held >= criterion.for_s
            if held_long_enough and not run.firing:
                run.firing = True
                transitions.append(Transition(criterion, True, self._evidence(criterion, run)))
            elif run.firing and run.within:
                run.firing = False
                transitions.append(Transition(criterion, False, self._evidence(criterion, run)))
        return transitions

    def status(self) -> list[CriterionStatus]:
        """Every criterion as it stands, in file order, with its current value."""
        return [self._status(criterion) for criterion in self.criteria]

    @property
    def states(self) -> dict[str, CriterionStatus]:
        """`status()` by criterion id."""
        return {s.criterion.id: s for s in self.status()}

    def fired(self) -> list[CriterionStatus]:
        return [s for s in self.status() if s.firing]

    def _status(self, criterion: Criterion) -> CriterionStatus:
        if criterion.manual:
            return CriterionStatus(criterion, "manual")
        run = self._runs[criterion.id]
        if run.firing:
            status = "fired"
        elif run.since is not None:
            status = "breaching"
        elif run.latest_t is None or not run.measured:
            status = "no data" if run.latest_t is None else "unknown"
        else:
            status = "ok" if run.within else "unknown"
        return CriterionStatus(
            criterion,
            status,
            value=run.latest_value,
            value_text=_value_text(criterion, run.latest_value, run.latest_detail),
            at=run.latest_t,
            since=run.since,
            held_s=run.held,
            samples=run.samples,
            detail=run.latest_detail,
            evidence=self._evidence(criterion, run),
        )

    @staticmethod
    def _evidence(criterion: Criterion, run: _Run) -> str:
        definition = BY_NAME.get(criterion.source)
        label = definition.label if definition else criterion.source
        now = _value_text(criterion, run.latest_value, run.latest_detail)
        if run.latest_t is None:
            return f"{label}: no data yet"
        if run.since is None:
            if run.latest_value is None:
                return f"{label} {now}"
            return f"{label} {now}: within limits"
        need = "" if run.firing else f" of {_duration(criterion.for_s)}"
        return f"{label} {now} {criterion.band} for {_duration(run.held)}{need}"


class _Sample(Protocol):
    metric: str
    value: float | None
    t: float
    status: str
    detail: str


def _value_text(criterion: Criterion, value: float | None, detail: str) -> str:
    if value is None:
        return f"unknown ({detail})" if detail else "unknown"
    definition = BY_NAME.get(criterion.source)
    return format_value(definition, value) if definition else f"{value:g}"


def _duration(seconds: float) -> str:
    seconds = int(max(0, seconds))
    minutes, secs = divmod(seconds, 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


# ---------------------------------------------------------------------------- loading
def load_criteria(path: Path, text: str | None = None) -> list[Criterion]:
    """Read the criteria; a row without `op`/`limit` fires while its figure is red.

    The red band comes from the one thresholds file (error rate "> 5", P95 "> 3000"), so the
    number is written once; a team's file may still give `op` and `limit` of its own.
    """
    data = read_toml(path, "rollback criteria", text)
    criteria: list[Criterion] = []
    for index, raw in enumerate(data.get("criterion", [])):
        where = f"{path}: criterion #{index + 1}"
        try:
            manual = bool(raw.get("manual", False))
            band = None if manual else _band(raw, where)
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


def _band(raw: dict[str, object], where: str) -> Band:
    source = raw["source"]
    if source not in BY_NAME:
        raise UserError(f"{where}: source '{source}' is not a known metric ({', '.join(sorted(BY_NAME))})")
    if "op" not in raw and "limit" not in raw:
        red = thresholds().limits_of(str(source)).red_band()
        if red is None:
            raise UserError(f"{where}: {source} has no red band in thresholds.toml: give op and limit")
        return red
    op = str(raw["op"])
    if op not in OPS:
        raise UserError(f"{where}: op must be one of {' '.join(OPS)}")
    limit = raw["limit"]
    if isinstance(limit, bool) or not isinstance(limit, int | float):
        raise UserError(f"{where}: limit must be a number")
    return Band(op, float(limit))


# ---------------------------------------------------------------------------- do not roll back
@dataclass(frozen=True, slots=True)
class DoNotRollbackHint:
    """What the figures say about one "DO NOT ROLLBACK IF" line, now."""

    applies: bool
    text: str


def do_not_rollback_hint(line: str, facts: Facts) -> DoNotRollbackHint | None:
    """The hint for one line of the runbook's DO NOT ROLLBACK list (None: no figure speaks to it).

    The line is matched to the thresholds file's `[[do_not_rollback]]` rows by their words (a
    team's differently worded line simply gets no hint), and judged on the latest measurement.
    """
    wanted = _normalise(line)
    row = next((r for r in thresholds().do_not_rollback if _normalise(r.words) == wanted), None)
    if row is None:
        return None
    point = facts.latest(row.metric)
    if point is None or point.value is None:
        return None
    applies = row.applies.holds(point.value)
    if row.note:
        return DoNotRollbackHint(True, row.note) if applies else None
    shown = format_value(BY_NAME[row.metric], point.value)
    return DoNotRollbackHint(applies, f"now {shown}: {'applies' if applies else 'does not apply'}")


def _normalise(text: str) -> str:
    return " ".join(text.casefold().replace("*", "").split()).rstrip(".")


# ---------------------------------------------------------------------------- from the history
def evaluate_history(
    criteria: Sequence[Criterion], history: MetricHistory, now: float
) -> dict[str, CriterionStatus]:
    """Each criterion's status at `now`, from the metric history alone.

    A pure function of the recorded samples, so the live engine (which records the firing and
    clearing) and a replay (which shows "breaching for 4m of 10m") read the same answer.
    """
    evaluator = CriteriaEvaluator(list(criteria))
    sources = {c.source for c in criteria if not c.manual}
    points = sorted(
        (
            (metric, point)
            for (metric, _host), series in history.series.items()
            if metric in sources
            for point in series
        ),
        key=lambda pair: pair[1].t,
    )
    for metric, point in points:
        evaluator.observe(metric, point.value, point.t, status=point.status, detail=point.detail)
    evaluator.evaluate(now)
    return evaluator.states
