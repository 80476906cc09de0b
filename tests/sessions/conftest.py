"""A scripted incident recorded through the real `SessionRecorder` with a manual clock.

The story (offsets in seconds; the wall clock starts 2025-03-14 03:00:00 UTC):

    0     session started; checks pass                      (health, error_rate, version)
    60    error_rate check FAILS 8.2%  <- detection          + health errors, item flagged
    90-101 wizard: production down? yes (confirmed); complete outage? no -> Emergency Rollback
    120   rollback criterion error-rate fires
    130   Emergency Rollback opened (not a rollback by itself)
    140-  prerequisites ticked by hand
    190   step 1 "Vercel Rollback" confirmed  <- rollback initiated; 200 a note
    200 .. 1400   twenty minutes of silence (the idle limit compresses it)
    1400  version check passes v1.2.0 (ticks "Version confirmed rolled back") <- rollback completed
    1405  health passes; 1420 error_rate passes; 1430 criterion cleared
    1463  the error-rate figure passes again <- systems stable (no check, figure or criterion failing)
    1445  p95 warns; the engineer ticks its item anyway (override, with a reason)
    1460  metric samples (P95, CPU, memory); 1500 diagnostics; 1510 root-cause note; 1600 ended
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

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
    NoteAdded,
    RunbookStarted,
    ScreenOpened,
    SessionEnded,
    SessionStarted,
    StepConfirmed,
    WizardAnswered,
    WizardRecommended,
    WizardStarted,
)
from omniops_tui.sessions.recorder import Clock, Redactor, SessionRecorder

START = datetime(2025, 3, 14, 3, 0, 0, tzinfo=UTC)
ER = "emergency-rollback"
PRE = f"{ER}/prerequisites-checklist/immediate-assessment"
VER = f"{ER}/verification-checklist"
ITEM_RESPONDING = f"{VER}/application-responding-to-requests"
ITEM_ERROR_RATE = f"{VER}/error-rate-returned-to-normal-0-5"
ITEM_P95 = f"{VER}/response-times-acceptable-500ms-p95"
ITEM_VERSION = f"{VER}/version-confirmed-rolled-back"
PREREQUISITES = [
    f"{PRE}/incident-confirmed-and-severity-assessed",
    f"{PRE}/engineering-lead-notified",
    f"{PRE}/root-cause-unclear-or-fix-would-take-30-min",
    f"{PRE}/previous-version-known-to-be-stable",
    f"{PRE}/rollback-authority-granted-or-self-authorized",
]


class ManualClock(Clock):
    """The recorder's clock, moved by the test: a 30-minute incident records in milliseconds."""

    def __init__(self, start: datetime = START) -> None:
        self.now = 0.0
        self.start = start

    def monotonic(self) -> float:
        return self.now

    def wall(self) -> datetime:
        return self.start + timedelta(seconds=self.now)


@dataclass
class Recorded:
    path: Path
    events: list[Event]


def check(
    check_id: str,
    status: str,
    value: object,
    unit: str,
    summary: str,
    items: list[str],
    evidence: dict | None = None,
    kind: str = "http",
) -> CheckResultEvent:
    return CheckResultEvent(
        check_id=check_id,
        kind=kind,
        target="https://prod.example.com",
        status=status,
        value=value,
        unit=unit,
        summary=summary,
        evidence=evidence or {},
        duration_ms=12.5,
        item_ids=items,
    )


def incident_script(
    extra_log_lines: list[str] | None = None, note_text: str = "", evidence: dict | None = None
) -> list[tuple[float, Event]]:
    """The scripted incident as (offset, event) pairs; the extras let tests plant secrets."""
    failing_evidence = {"status_code": 200, "errorRate": 8.2, "url": "https://prod.example.com/api/health"}
    failing_evidence.update(evidence or {})
    script: list[tuple[float, Event]] = [
        (0, SessionStarted(tool_version="test", runbook_source=["bundled"], environment="production")),
        (2, ScreenOpened(screen="home")),
        (
            5,
            LogLines(
                source_id="app-1:app",
                host="app-1",
                lines=[
                    "2025-03-14T03:00:05Z INFO GET /api/health 200",
                    "2025-03-14T03:00:05Z INFO GET /api/chat 200",
                ],
            ),
        ),
        (10, check("health", "pass", 200, "", "health 200 OK", [ITEM_RESPONDING])),
        (12, check("error_rate", "pass", 0.05, "%", "error rate 0.05%", [ITEM_ERROR_RATE])),
        (14, check("version", "pass", "v1.3.0", "", "version v1.3.0", [], kind="version")),
        (15, MetricSample(metric="error_rate", host="app-1", value=0.05, unit="%", status="pass")),
        (
            60,
            check(
                "error_rate",
                "fail",
                8.2,
                "%",
                "error rate 8.2% > 5%",
                [ITEM_ERROR_RATE],
                evidence=failing_evidence,
            ),
        ),
        (
            61,
            check(
                "health",
                "error",
                None,
                "",
                "health: 503 Service Unavailable",
                [ITEM_RESPONDING],
                evidence={"status_code": 503, "body": "upstream timeout"},
            ),
        ),
        (
            61.5,
            ItemFlagged(
                item_id=ITEM_RESPONDING, check_id="health", summary="health: 503 Service Unavailable"
            ),
        ),
        (62, MetricSample(metric="error_rate", host="app-1", value=8.2, unit="%", status="fail")),
        (
            65,
            LogLines(
                source_id="app-1:app",
                host="app-1",
                lines=[
                    "2025-03-14T03:01:05Z ERROR pool exhausted: timeout acquiring connection",
                    "2025-03-14T03:01:05Z INFO GET /api/chat 500",
                    *(extra_log_lines or []),
                ],
            ),
        ),
        (
            66,
            LogLines(
                source_id="app-1:app", host="app-1", lines=["2025-03-14T03:01:06Z ERROR pool exhausted"]
            ),
        ),
        (90, WizardStarted()),
        (
            95,
            WizardAnswered(
                node_id="production-down",
                question="Is production down or severely degraded?",
                answer=True,
                source="confirmed",
                suggested=True,
                evidence="error rate 8.2%",
            ),
        ),
        (100, WizardAnswered(node_id="complete-outage", question="Complete outage?", answer=False)),
        (
            101,
            WizardRecommended(
                runbook_id=ER, outcome_id="use-emergency-rollback", text="Use EMERGENCY ROLLBACK runbook"
            ),
        ),
        (
            120,
            CriterionFired(
                criterion_id="error-rate",
                metric="error_rate",
                threshold="> 5% for 10+ minutes",
                action="Rollback",
                evidence="8.2% for 10 min",
            ),
        ),
        (121, MetricSample(metric="error_rate", host="app-1", value=9.7, unit="%", status="fail")),
        (130, RunbookStarted(runbook_id=ER, title="Emergency Rollback", via="wizard")),
        *[
            (140 + i, ItemChecked(runbook_id=ER, item_id=item, text=item.rsplit("/", 1)[-1]))
            for i, item in enumerate(PREREQUISITES)
        ],
        (190, StepConfirmed(runbook_id=ER, step_id=f"{ER}/step-1-vercel-rollback", title="Vercel Rollback")),
        (200, NoteAdded(text=note_text or "Rolling back to v1.2.0 with vercel rollback", runbook_id=ER)),
        (
            1400,
            check(
                "version",
                "pass",
                "v1.2.0",
                "",
                "version v1.2.0 (expected v1.2.0)",
                [ITEM_VERSION],
                kind="version",
            ),
        ),
        (1405, check("health", "pass", 200, "", "health 200 OK", [ITEM_RESPONDING])),
        (1420, check("error_rate", "pass", 0.2, "%", "error rate 0.2%", [ITEM_ERROR_RATE])),
        (1430, CriterionCleared(criterion_id="error-rate", evidence="0.2% for 5 min")),
        (1445, check("p95", "warn", 620.0, "ms", "P95 620 ms > 500 ms", [ITEM_P95])),
        (
            1450,
            ItemChecked(
                runbook_id=ER,
                item_id=ITEM_P95,
                text="Response times acceptable (< 500ms P95)",
                source="override",
                reason="dashboard shows 380 ms; probe runs from far away",
            ),
        ),
        (1460, MetricSample(metric="p95_ms", host="app-1", value=420.0, unit="ms", status="pass")),
        (1461, MetricSample(metric="cpu", host="app-1", value=35.0, unit="%", status="pass")),
        (1462, MetricSample(metric="memory", host="app-1", value=2.8, unit="GB", status="pass")),
        (1463, MetricSample(metric="error_rate", host="app-1", value=0.03, unit="%", status="pass")),
        (
            1500,
            DiagnosticsGathered(
                path="incident-diagnostics/20250314_032500",
                files=["docker-logs.txt", "timeline.md"],
                problems=["db: unreachable"],
            ),
        ),
        (1510, NoteAdded(text="Root cause hypothesis: connection pool exhaustion in v1.3.0", runbook_id=ER)),
        (1600, SessionEnded(reason="quit")),
    ]
    return script


def record_script(
    sessions_dir: Path,
    script: list[tuple[float, Event]],
    *,
    redactor: Redactor | None = None,
    clock: ManualClock | None = None,
) -> Recorded:
    clock = clock or ManualClock()
    recorder = SessionRecorder.create(
        sessions_dir, ["bundled"], environment="production", clock=clock, redactor=redactor
    )
    recorded = []
    for offset, event in script:
        clock.now = offset
        recorded.append(recorder.record(event))
    recorder.close()
    return Recorded(recorder.path, recorded)


@pytest.fixture
def incident(sessions_dir: Path) -> Recorded:
    return record_script(sessions_dir, incident_script())
