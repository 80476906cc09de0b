"""The incident's story, derived from a session's events: what the exports render.

One pass over the (redacted) events through the same `SessionState` fold the app uses,
noting the moments the post-mortem asks for. The rules, so a reader can trust the draft:

- **Detection** (first failure): the first `check_result` with status fail or error, the
  first `criterion_fired`, or the first `item_flagged`, whichever comes first.
- **Rollback initiated**: `runbook_started` for Emergency Rollback, or the first item ticked
  in it if that came earlier.
- **Rollback completed**: the first event at or after the rollback started that makes
  Emergency Rollback's "Version confirmed rolled back" item done (ticked by hand, or its bound
  check passing). When that item is never done, the same for "Application responding to
  requests". Without a rollback there is no completion.
- **Systems stable**: from rollback completed (or, with no rollback, from detection) the
  first moment when at least one check has reported, no check's latest result is fail or
  error (warn is tolerated), and no rollback criterion is still active (fired, not cleared).
  If a check turns failing or a criterion fires again afterwards, that is a **relapse**.
- **Impact**: duration = stable (or the end of the session) minus detection; the error-rate
  peak is the largest value of any metric sample or check whose name says error rate.
- **Root cause**: notes that mention "root cause" or "hypothesis"; otherwise left to fill in.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from omniops_tui.core.events import (
    CheckResultEvent,
    CriterionCleared,
    CriterionFired,
    DiagnosticsGathered,
    Event,
    ItemChecked,
    ItemFlagged,
    LogLines,
    MetricSample,
    RunbookStarted,
    UnknownEvent,
    WizardBack,
    WizardRestarted,
    from_record,
    to_record,
)
from omniops_tui.runbooks.model import RunbookSet
from omniops_tui.sessions.describe import QUIET_TYPES, describe
from omniops_tui.sessions.player import format_offset
from omniops_tui.sessions.reader import SessionFile
from omniops_tui.sessions.redact import Redactor
from omniops_tui.sessions.state import ItemState, SessionState

ROLLBACK_RUNBOOK = "emergency-rollback"
ROLLBACK_DONE_ITEMS = ("version-confirmed-rolled-back", "application-responding-to-requests")
FAILING = frozenset({"fail", "error"})
ROOT_CAUSE_WORDS = re.compile(r"(?i)root[ -]?cause|hypothesis")
ERROR_LINE = re.compile(r"\b(?:ERROR|FATAL|CRITICAL|PANIC)\b")
EVIDENCE_LIMIT = 4_000


@dataclass(slots=True)
class Moment:
    """A point of the incident: offset, UTC wall time, and what it was."""

    t: float
    at: str
    text: str
    by: str = ""

    @property
    def offset(self) -> str:
        return format_offset(self.t)


@dataclass(slots=True)
class Summary:
    detection: Moment | None = None
    rollback_started: Moment | None = None
    rollback_completed: Moment | None = None
    stable: Moment | None = None
    relapse: Moment | None = None
    duration_s: float | None = None
    ongoing: bool = False
    error_rate_peak: float | None = None
    error_rate_unit: str = ""
    root_cause_notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Entry:
    """One line of the full timeline."""

    t: float
    at: str
    kind: str
    text: str


@dataclass(slots=True)
class ItemReport:
    id: str
    text: str
    done: bool
    how: str
    source: str  # manual, override, check, none
    flagged: bool = False


@dataclass(slots=True)
class GroupReport:
    id: str
    title: str
    done: int
    total: int
    items: list[ItemReport]


@dataclass(slots=True)
class RunbookReport:
    id: str
    title: str
    groups: list[GroupReport]

    @property
    def done(self) -> int:
        return sum(g.done for g in self.groups)

    @property
    def total(self) -> int:
        return sum(g.total for g in self.groups)


@dataclass(slots=True)
class CheckReport:
    check_id: str
    kind: str
    target: str
    first_failed: Moment
    failures: int
    worst_status: str
    last_status: str
    summary: str
    value: Any
    unit: str
    evidence: dict[str, Any]


@dataclass(slots=True)
class PostMortem:
    session_id: str
    file: str
    user: str
    host: str
    environment: str
    tool_version: str
    started_at: str
    ended_at: str
    duration_s: float
    events: int
    summary: Summary
    timeline: list[Entry]
    runbooks: list[RunbookReport]
    notes: list[Moment]
    checks: list[CheckReport]
    wizard: dict[str, Any]
    metrics: dict[str, dict[str, Any]]
    diagnostics: list[dict[str, Any]]
    notices: list[str]
    status: str
    version: str = ""
    commit: str = ""
    backup_location: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for runbook, report in zip(data["runbooks"], self.runbooks, strict=True):
            runbook["done"], runbook["total"] = report.done, report.total
        return data


# ---------------------------------------------------------------------------- building
def redact_events(events: list[Event], redactor: Redactor | None) -> list[Event]:
    """The events as they would have been recorded through `redactor` (exports never trust the file)."""
    if redactor is None:
        return events
    return [from_record(redactor(to_record(event))) for event in events]


def build_postmortem(
    session: SessionFile, runbooks: RunbookSet | None = None, redactor: Redactor | None = None
) -> PostMortem:
    events = redact_events(session.events, redactor)
    header = session.header
    builder = _Builder(header.user)
    for event in events:
        builder.feed(event)
    state = builder.state
    end_t = events[-1].t if events else 0.0
    summary = builder.summary(end_t)
    started_at = header.started_at
    ended_at = events[-1].at if events else started_at
    return PostMortem(
        session_id=header.session_id,
        file=str(session.path),
        user=header.user,
        host=header.host,
        environment=header.environment,
        tool_version=header.tool_version,
        started_at=started_at,
        ended_at=ended_at,
        duration_s=round(end_t, 3),
        events=len(events),
        summary=summary,
        timeline=builder.entries,
        runbooks=_runbook_reports(state, runbooks, header.user),
        notes=[Moment(n.t, n.at, n.text, _where(n.runbook_id, n.section_id)) for n in state.notes],
        checks=builder.check_reports(),
        wizard=_wizard(state),
        metrics=builder.latest_metrics(),
        diagnostics=builder.diagnostics,
        notices=list(session.notices),
        status=builder.status(),
        version=builder.version,
        commit=str(header.extra.get("commit", "")),
        backup_location=builder.backup,
    )


class _Builder:
    """Folds events once, noting the moments, the timeline lines and the per-check history."""

    def __init__(self, user: str) -> None:
        self.user = user
        self.state = SessionState()
        self.entries: list[Entry] = []
        self.detection: Moment | None = None
        self.rollback_started: Moment | None = None
        self.completed: dict[str, Moment] = {}
        self.stable: Moment | None = None
        self.relapse: Moment | None = None
        self.active_criteria: dict[str, CriterionFired] = {}
        self.check_status: dict[str, str] = {}
        self.last_check: dict[str, CheckResultEvent] = {}
        self.check_first_fail: dict[str, Moment] = {}
        self.check_failures: dict[str, int] = {}
        self.check_worst: dict[str, CheckResultEvent] = {}
        self.metric_status: dict[tuple[str, str], str] = {}
        self.metrics: dict[str, MetricSample] = {}
        self.error_peak: tuple[float, str] | None = None
        self.diagnostics: list[dict[str, Any]] = []
        self.version = ""
        self.backup = ""
        self._logs: list[LogLines] = []

    # ------------------------------------------------------------------ the pass
    def feed(self, event: Event) -> None:
        self.state.apply(event)
        if isinstance(event, LogLines):
            self._logs.append(event)
            return
        line = self._line(event)
        if line is not None:
            self._flush_logs()
            self.entries.append(Entry(event.t, event.at, type(event).type, line))
        self._moments(event)

    def _flush_logs(self) -> None:
        if not self._logs:
            return
        batches, self._logs = self._logs, []
        lines = [line for batch in batches for line in batch.lines]
        errors = [line for line in lines if ERROR_LINE.search(line)]
        hosts = ", ".join(dict.fromkeys(b.host or b.source_id for b in batches))
        text = f"logs: {len(lines)} line(s) from {hosts or 'unknown'}"
        if errors:
            text += f", {len(errors)} error(s); first: {_clip(errors[0], 160)}"
        first = batches[0]
        self.entries.append(Entry(first.t, first.at, "log_lines", text))

    def _line(self, event: Event) -> str | None:
        """The timeline line for an event (the timeline screen's wording, `describe`), or None
        when it is not worth a line: repeated check or metric statuses, navigation, unknown types."""
        if isinstance(event, CheckResultEvent):
            before = self.last_check.get(event.check_id)
            if (
                before is not None
                and event.status == before.status
                and not (
                    isinstance(event.value, str) and event.value != before.value  # a new version is news
                )
            ):
                return None
            if event.status in FAILING:
                return describe(event)
            mark = "✓" if event.status == "pass" else "!"
            summary = event.summary or _value(event.value, event.unit)
            return f"{mark} {event.check_id}: {summary} ({event.status})"
        if isinstance(event, MetricSample):
            if self.metric_status.get((event.metric, event.host)) == event.status:
                return None
            where = f" on {event.host}" if event.host else ""
            origin = " from Prometheus" if event.source == "prometheus" else ""
            return f"metric {event.metric}{where}: {_value(event.value, event.unit)} ({event.status}){origin}"
        if isinstance(event, UnknownEvent) or event.type in QUIET_TYPES:
            return None
        return describe(event)

    def _moments(self, event: Event) -> None:
        moment = None
        if isinstance(event, CheckResultEvent):
            self._check(event)
            if event.status in FAILING:
                moment = Moment(
                    event.t,
                    event.at,
                    event.summary or f"{event.check_id} {event.status}",
                    f"automated check {event.check_id}",
                )
        elif isinstance(event, MetricSample):
            self.metric_status[(event.metric, event.host)] = event.status
            self.metrics[_metric_key(event.metric)] = event
            if _is_error_rate(event.metric) and isinstance(event.value, int | float):
                self._peak(float(event.value), event.unit)
        elif isinstance(event, CriterionFired):
            self.active_criteria[event.criterion_id] = event
            moment = Moment(
                event.t,
                event.at,
                event.evidence or f"{event.metric} {event.threshold}",
                f"rollback criterion {event.criterion_id}",
            )
        elif isinstance(event, CriterionCleared):
            self.active_criteria.pop(event.criterion_id, None)
        elif isinstance(event, ItemFlagged):
            moment = Moment(event.t, event.at, event.summary, f"flagged item {event.item_id}")
        elif isinstance(event, RunbookStarted) and event.runbook_id == ROLLBACK_RUNBOOK:
            title = event.title or event.runbook_id
            self._rollback_start(event, f"{title} started (via {event.via or 'app'})")
        elif isinstance(event, ItemChecked) and _in_rollback(event.item_id, event.runbook_id):
            text = event.text or event.item_id
            self._rollback_start(event, f"first Emergency Rollback item ticked: {text}")
        elif isinstance(event, DiagnosticsGathered):
            self.diagnostics.append(
                {
                    "t": event.t,
                    "at": event.at,
                    "path": event.path,
                    "files": list(event.files),
                    "problems": list(event.problems),
                }
            )
        if moment is not None:
            if self.detection is None:
                self.detection = moment
            elif self.stable is not None and self.relapse is None and moment.t >= self.stable.t:
                self.relapse = moment
        self._completion(event)
        self._stability(event)

    def _check(self, event: CheckResultEvent) -> None:
        self.check_status[event.check_id] = event.status
        self.last_check[event.check_id] = event
        name = f"{event.check_id} {event.kind}".lower()
        if _is_error_rate(name) and isinstance(event.value, int | float):
            self._peak(float(event.value), event.unit)
        if "version" in name and event.status == "pass" and isinstance(event.value, str) and event.value:
            self.version = event.value
        if ("backup" in name or event.kind == "s3") and event.status == "pass":
            location = next(
                (
                    str(event.evidence[k])
                    for k in ("location", "url", "key", "object")
                    if event.evidence.get(k)
                ),
                "",
            )
            self.backup = location or self.backup
        if event.status in FAILING:
            self.check_failures[event.check_id] = self.check_failures.get(event.check_id, 0) + 1
            self.check_first_fail.setdefault(
                event.check_id, Moment(event.t, event.at, event.summary, event.status)
            )
            worst = self.check_worst.get(event.check_id)
            # The evidence shown is the latest of the worst status seen (error beats fail).
            escalates = (worst.status, event.status) == ("fail", "error") if worst else True
            if worst is None or worst.status == event.status or escalates:
                self.check_worst[event.check_id] = event

    def _peak(self, value: float, unit: str) -> None:
        if self.error_peak is None or value > self.error_peak[0]:
            self.error_peak = (value, unit)

    def _rollback_start(self, event: Event, text: str) -> None:
        if self.rollback_started is None:
            self.rollback_started = Moment(event.t, event.at, text)

    def _completion(self, event: Event) -> None:
        if self.rollback_started is None:
            return
        for suffix in ROLLBACK_DONE_ITEMS:
            if suffix in self.completed:
                continue
            item_id = _touched_rollback_item(event, suffix)
            if item_id and self.state.is_done(item_id):
                how = "ticked by hand" if isinstance(event, ItemChecked) else f"check {event.check_id} passed"  # type: ignore[attr-defined]
                label = suffix.replace("-", " ").capitalize()
                self.completed[suffix] = Moment(event.t, event.at, f"{label} ({how})")

    @property
    def completion(self) -> Moment | None:
        for suffix in ROLLBACK_DONE_ITEMS:
            if suffix in self.completed:
                return self.completed[suffix]
        return None

    def _stability(self, event: Event) -> None:
        if self.stable is not None:
            return
        if not isinstance(event, CheckResultEvent | CriterionCleared | CriterionFired | ItemChecked):
            return
        anchor = self.completion if self.rollback_started is not None else self.detection
        if anchor is None or event.t < anchor.t:
            return
        if (
            self.check_status
            and not self.active_criteria
            and not any(status in FAILING for status in self.check_status.values())
        ):
            passing = sum(1 for status in self.check_status.values() if status == "pass")
            text = f"no check failing ({passing} passing), no criterion active"
            self.stable = Moment(event.t, event.at, text)

    # ------------------------------------------------------------------ results
    def summary(self, end_t: float) -> Summary:
        self._flush_logs()
        detection = self.detection
        stable = self.stable
        duration = None
        if detection is not None:
            duration = (stable.t if stable else end_t) - detection.t
        notes = [n.text for n in self.state.notes if ROOT_CAUSE_WORDS.search(n.text)]
        peak, unit = self.error_peak if self.error_peak else (None, "")
        return Summary(
            detection=detection,
            rollback_started=self.rollback_started,
            rollback_completed=self.completion,
            stable=stable,
            relapse=self.relapse,
            duration_s=round(duration, 3) if duration is not None else None,
            ongoing=detection is not None and stable is None,
            error_rate_peak=peak,
            error_rate_unit=unit,
            root_cause_notes=notes,
        )

    def check_reports(self) -> list[CheckReport]:
        reports = []
        for check_id, first in self.check_first_fail.items():
            worst = self.check_worst[check_id]
            evidence = worst.evidence if isinstance(worst.evidence, dict) else {"evidence": worst.evidence}
            reports.append(
                CheckReport(
                    check_id=check_id,
                    kind=worst.kind,
                    target=worst.target,
                    first_failed=first,
                    failures=self.check_failures.get(check_id, 0),
                    worst_status=worst.status,
                    last_status=self.check_status.get(check_id, ""),
                    summary=worst.summary,
                    value=worst.value,
                    unit=worst.unit,
                    evidence=evidence,
                )
            )
        return sorted(reports, key=lambda r: r.first_failed.t)

    def latest_metrics(self) -> dict[str, dict[str, Any]]:
        """The latest P95, error rate, memory and CPU, from metric samples or, failing that, checks."""
        figures: dict[str, dict[str, Any]] = {}
        for key, sample in self.metrics.items():
            figures[key] = {
                "value": sample.value,
                "unit": sample.unit,
                "at": sample.at,
                "source": "metric",
                "name": sample.metric,
                "origin": sample.source or "probe",  # where the figure came from: prometheus, probe
            }
        for check_id, check in self.state.checks.items():
            key = _metric_key(f"{check_id} {check.kind}")
            if key in _DEPLOY_METRICS and key not in figures and isinstance(check.value, int | float):
                figures[key] = {
                    "value": check.value,
                    "unit": check.unit,
                    "at": check.at,
                    "source": "check",
                    "name": check_id,
                }
        return figures

    def status(self) -> str:
        if self.rollback_started is not None:
            return "ROLLED BACK"
        if self.active_criteria or any(s in FAILING for s in self.check_status.values()):
            return "FAILED"
        return "SUCCESS"


# ---------------------------------------------------------------------------- helpers
def _touched_rollback_item(event: Event, suffix: str) -> str:
    """The rollback item (by id suffix) this event ticks or checks, or ""."""
    if isinstance(event, ItemChecked):
        if _in_rollback(event.item_id, event.runbook_id) and event.item_id.endswith("/" + suffix):
            return event.item_id
    elif isinstance(event, CheckResultEvent) and event.status == "pass":
        for item_id in event.item_ids:
            if item_id.startswith(ROLLBACK_RUNBOOK + "/") and item_id.endswith("/" + suffix):
                return item_id
    return ""


def _in_rollback(item_id: str, runbook_id: str) -> bool:
    return runbook_id == ROLLBACK_RUNBOOK or item_id.startswith(ROLLBACK_RUNBOOK + "/")


def _is_error_rate(name: str) -> bool:
    return bool(re.search(r"error[ _\-.]?rate", name.lower()))


_DEPLOY_METRICS = ("p95", "error_rate", "memory", "cpu")


def _metric_key(name: str) -> str:
    """p95 / error_rate / memory / cpu for the deploy log, else the name itself."""
    lower = name.lower()
    if "p95" in lower or "response_time" in lower or "latency" in lower:
        return "p95"
    if _is_error_rate(lower):
        return "error_rate"
    if "mem" in lower:
        return "memory"
    if "cpu" in lower:
        return "cpu"
    return name


def _value(value: Any, unit: str) -> str:
    if value is None:
        return "-"
    text = f"{value:.3f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    if not unit:
        return text
    return f"{text}{unit}" if unit in ("%", "ms", "s", "GB", "MB") else f"{text} {unit}"


def _clip(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _where(runbook_id: str, section_id: str) -> str:
    return section_id or runbook_id


def _wizard(state: SessionState) -> dict[str, Any]:
    wizard = state.wizard
    recommendation = wizard.recommendation
    return {
        "answers": [
            {
                "t": a.t,
                "at": a.at,
                "node_id": a.node_id,
                "question": a.question,
                "answer": a.answer,
                "source": a.source,
                "suggested": a.suggested,
                "evidence": a.evidence,
            }
            for a in wizard.answers
        ],
        "recommendation": None
        if recommendation is None
        else {
            "t": recommendation.t,
            "at": recommendation.at,
            "runbook_id": recommendation.runbook_id,
            "outcome_id": recommendation.outcome_id,
            "text": recommendation.text,
        },
        "restarts": sum(1 for e in wizard.history if isinstance(e, WizardRestarted)),
        "backs": sum(1 for e in wizard.history if isinstance(e, WizardBack)),
    }


def _runbook_reports(state: SessionState, runbooks: RunbookSet | None, user: str) -> list[RunbookReport]:
    """Every runbook started or touched, with each checklist group's final state."""
    touched = list(state.runbooks_started)
    for item_id in state.items:
        runbook_id = item_id.split("/", 1)[0]
        if runbook_id not in touched:
            touched.append(runbook_id)
    reports = []
    for runbook_id in touched:
        runbook = runbooks.get(runbook_id) if runbooks is not None else None
        if runbook is None:
            items = [
                ItemReport(i, i.rsplit("/", 1)[-1].replace("-", " "), *_how(state.items[i], user))
                for i in state.items
                if i.startswith(runbook_id + "/")
            ]
            group = GroupReport(
                runbook_id, "Items (runbook not loaded)", sum(i.done for i in items), len(items), items
            )
            reports.append(RunbookReport(runbook_id, runbook_id, [group] if items else []))
            continue
        groups = []
        for group in runbook.checklist_groups():
            items = []
            for item in group.items:
                item_state = state.items.get(item.id)
                if item_state is None:
                    items.append(ItemReport(item.id, item.text, False, "not done", "none"))
                else:
                    items.append(ItemReport(item.id, item.text, *_how(item_state, user)))
            title = f"{group.title} ({group.timing})" if group.timing else group.title
            groups.append(GroupReport(group.id, title, sum(i.done for i in items), len(items), items))
        reports.append(RunbookReport(runbook.id, runbook.title, groups))
    return reports


def _how(item: ItemState, user: str) -> tuple[bool, str, str, bool]:
    """(done, how, source, flagged): who or what decided the item's final state."""
    check = f"check {item.check_id} {item.check_status}"
    if item.check_summary:
        check += f": {item.check_summary}"
    if item.manual is not None and item.overridden:
        verb = "ticked" if item.manual else "unticked"
        how = f"override: {verb} by hand ({user or 'engineer'}) against {check}"
        how += f"; reason: {item.manual_reason}" if item.manual_reason else "; no reason given"
        source = "override"
    elif item.manual is True:
        how, source = f"ticked by hand ({user or 'engineer'}) at {format_offset(item.manual_at)}", "manual"
    elif item.manual is False:
        how = "unticked by hand" + (f" ({item.manual_reason})" if item.manual_reason else "")
        source = "manual"
    elif item.check_status:
        how, source = check, "check"
    else:
        how, source = "not done", "none"
    if item.flagged:
        how += f" [flagged: {item.flag_summary}]"
    return item.done, how, source, item.flagged


def wall(at: str) -> datetime | None:
    try:
        return datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        return None


def clock_time(at: str, *, with_date: bool = False) -> str:
    moment = wall(at)
    if moment is None:
        return "??:??:??"
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC" if with_date else "%H:%M:%S")


def minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f}"


def human_duration(seconds: float) -> str:
    delta = timedelta(seconds=int(seconds))
    hours, rest = divmod(delta.seconds + delta.days * 86400, 3600)
    mins, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {mins:02d}m"
    return f"{mins}m {secs:02d}s"


def runbooks_for(header_sources: list[str], explicit: Path | None = None) -> RunbookSet | None:
    """The runbook model for item texts: --runbooks if given, else the session's own sources if
    they are all still readable, else the bundled runbooks; None if none can be loaded."""
    from omniops_tui.core.errors import UserError
    from omniops_tui.runbooks import load_runbooks

    if explicit is not None:
        return load_runbooks(explicit)
    paths = [Path(s) for s in header_sources]
    if paths and all(p.is_file() for p in paths):
        try:
            merged = RunbookSet(runbooks=[])
            for path in paths:
                loaded = load_runbooks(path)
                known = {r.id for r in merged.runbooks}
                merged.runbooks.extend(r for r in loaded.runbooks if r.id not in known)
                merged.sources.extend(loaded.sources)
            return merged
        except UserError:
            pass
    try:
        return load_runbooks(None)
    except UserError:
        return None
