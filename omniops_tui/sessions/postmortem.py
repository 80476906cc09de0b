"""The incident's story, derived from a session's events: what the exports render.

One pass over the (redacted) events through the same `SessionState` fold the app uses. The
incident's moments (detection, rollback, resolution, record gaps) come from
`incident.IncidentAnalysis`, whose rules are stated there; every one cites its event. This
module adds what the draft shows besides: the timeline lines (the timeline screen's wording,
with repeated statuses and log batches folded), the per-check failure history, the latest
figures for the deploy log, the error-rate peak, root-cause notes; the lists (checklists,
wizard, commands run) are built in `reports`.

- **Impact**: the error-rate peak is the largest value of any metric sample or check whose
  name says error rate (a percentage, never a status code: figures are validated upstream).
- **Root cause**: notes that mention "root cause" or "hypothesis"; otherwise a TODO.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from omniops_tui.core.events import (
    CheckResultEvent,
    DiagnosticsGathered,
    Event,
    LogLines,
    MetricSample,
    UnknownEvent,
    from_record,
    to_record,
)
from omniops_tui.runbooks.model import RunbookSet
from omniops_tui.sessions.describe import QUIET_TYPES, describe
from omniops_tui.sessions.incident import Incident, IncidentAnalysis, Moment
from omniops_tui.sessions.reader import SessionFile
from omniops_tui.sessions.redact import Redactor
from omniops_tui.sessions.reports import (
    CheckReport,
    CommandReport,
    RefusedReport,
    RunbookReport,
    command_reports,
    runbook_reports,
    wizard_report,
)
from omniops_tui.sessions.state import SessionState

FAILING = frozenset({"fail", "error"})
ROOT_CAUSE_WORDS = re.compile(r"(?i)root[ -]?cause|hypothesis")
ERROR_LINE = re.compile(r"\b(?:ERROR|FATAL|CRITICAL|PANIC)\b")

__all__ = ["Moment", "PostMortem", "Summary", "build_postmortem"]


@dataclass(slots=True)
class Summary(Incident):
    """The incident's findings plus the figures and notes the draft's Impact and Root Cause use."""

    error_rate_peak: float | None = None
    error_rate_unit: str = ""
    root_cause_notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Entry:
    """One line of the full timeline; `seq` is the event it comes from."""

    t: float
    at: str
    kind: str
    text: str
    seq: int = 0


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
    commands: list[CommandReport] = field(default_factory=list)
    refused: list[RefusedReport] = field(default_factory=list)
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
    builder = _Builder()
    for event in events:
        builder.feed(event)
    state = builder.state
    end_t = events[-1].t if events else 0.0
    summary = builder.summary()
    started_at = header.started_at
    ended_at = events[-1].at if events else started_at
    runs, refused = command_reports(state, header.user)
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
        runbooks=runbook_reports(state, runbooks, header.user),
        notes=[Moment.of(n, n.text, n.section_id or n.runbook_id) for n in state.notes],
        checks=builder.check_reports(),
        wizard=wizard_report(state),
        metrics=builder.latest_metrics(),
        diagnostics=builder.diagnostics,
        notices=list(session.notices),
        status=builder.status(summary),
        commands=runs,
        refused=refused,
        version=builder.version,
        commit=str(header.extra.get("commit", "")),
        backup_location=builder.backup,
    )


class _Builder:
    """Folds events once, feeding the incident analysis, noting the timeline lines and the
    per-check history."""

    def __init__(self) -> None:
        self.state = SessionState()
        self.incident = IncidentAnalysis()
        self.entries: list[Entry] = []
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
        self.incident.feed(event, self.state)
        if isinstance(event, LogLines):
            self._logs.append(event)
            return
        line = self._line(event)
        if line is not None:
            self._flush_logs()
            self.entries.append(Entry(event.t, event.at, type(event).type, line, event.seq))
        if isinstance(event, CheckResultEvent):
            self._check(event)
        elif isinstance(event, MetricSample):
            self.metric_status[(event.metric, event.host)] = event.status
            self.metrics[_metric_key(event.metric)] = event
            if _is_error_rate(event.metric) and isinstance(event.value, int | float):
                self._peak(float(event.value), event.unit)
        elif isinstance(event, DiagnosticsGathered):
            self.diagnostics.append(
                {
                    "t": event.t,
                    "at": event.at,
                    "seq": event.seq,
                    "path": event.path,
                    "files": list(event.files),
                    "problems": list(event.problems),
                }
            )

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
        self.entries.append(Entry(first.t, first.at, "log_lines", text, first.seq))

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
            self.check_first_fail.setdefault(event.check_id, Moment.of(event, event.summary, event.status))
            worst = self.check_worst.get(event.check_id)
            # The evidence shown is the latest of the worst status seen (error beats fail).
            escalates = (worst.status, event.status) == ("fail", "error") if worst else True
            if worst is None or worst.status == event.status or escalates:
                self.check_worst[event.check_id] = event

    def _peak(self, value: float, unit: str) -> None:
        if self.error_peak is None or value > self.error_peak[0]:
            self.error_peak = (value, unit)

    # ------------------------------------------------------------------ results
    def summary(self) -> Summary:
        self._flush_logs()
        found = self.incident.finish()
        notes = [n.text for n in self.state.notes if ROOT_CAUSE_WORDS.search(n.text)]
        peak, unit = self.error_peak if self.error_peak else (None, "")
        values = {f.name: getattr(found, f.name) for f in fields(Incident)}
        if notes:
            values["todos"] = [t for t in found.todos if t != "affected requests and the root cause"]
            values["todos"].append("affected requests")
        return Summary(**values, error_rate_peak=peak, error_rate_unit=unit, root_cause_notes=notes)

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

    def status(self, summary: Summary) -> str:
        if summary.rollback_started is not None:
            return "ROLLED BACK"
        if self.state.criteria.firing or any(s in FAILING for s in self.check_status.values()):
            return "FAILED"
        return "SUCCESS"


# ---------------------------------------------------------------------------- helpers
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
