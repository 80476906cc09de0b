"""A realistic long session for the replay bench, recorded through the real `SessionRecorder`.

Log batches, metric samples, check results, ticks, notes, wizard events and a few idle
stretches, on a fake clock so that a day-long session records in seconds.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from omniops_tui.core.events import (
    CheckResultEvent,
    CriterionCleared,
    CriterionFired,
    Event,
    ItemChecked,
    ItemUnchecked,
    LogLines,
    MetricSample,
    NoteAdded,
    RunbookStarted,
    ScreenOpened,
    SessionStarted,
    WizardAnswered,
    WizardRecommended,
    WizardStarted,
)
from omniops_tui.sessions.recorder import SessionRecorder

CHECKS = ["health", "version", "error_rate", "p95", "db_connections", "redis_ping", "backup_age", "tls"]
METRICS = ["error_rate", "p95_ms", "cpu", "memory", "cache_hit", "db_connections"]
HOSTS = ["app-1", "app-2", "db-1"]
LEVELS = ["INFO"] * 12 + ["WARN"] * 2 + ["ERROR"]


class FakeClock:
    """Advances by whatever the generator says, so a day-long session records in seconds."""

    def __init__(self) -> None:
        self.now = 0.0
        self.start = datetime(2025, 3, 14, 2, 45, tzinfo=UTC)

    def monotonic(self) -> float:
        return self.now

    def wall(self) -> datetime:
        return self.start + timedelta(seconds=self.now)


def _event(rng: random.Random, index: int, items: list[str]) -> Event:
    roll = rng.random()
    if roll < 0.40:
        host = rng.choice(HOSTS)
        lines = [
            f"2025-03-14T03:{index % 60:02d}:{rng.randrange(60):02d}Z {rng.choice(LEVELS)} "
            f"[{host}] request_id={rng.getrandbits(48):012x} GET /api/chat status=200 "
            f"duration_ms={rng.randrange(5, 900)} user={rng.randrange(10_000)}"
            for _ in range(rng.randrange(1, 16))
        ]
        return LogLines(source_id=f"{host}:app", host=host, lines=lines)
    if roll < 0.75:
        metric = rng.choice(METRICS)
        value = rng.random() * 100
        return MetricSample(
            metric=metric,
            host=rng.choice(HOSTS),
            value=round(value, 3),
            unit="%",
            status="fail" if value > 95 else "pass",
            detail=f"{metric} sampled",
        )
    if roll < 0.92:
        check = rng.choice(CHECKS)
        status = rng.choices(["pass", "warn", "fail", "error"], [80, 10, 8, 2])[0]
        return CheckResultEvent(
            check_id=check,
            kind="http",
            target="https://prod.example.com",
            status=status,
            value=round(rng.random() * 10, 3),
            unit="%",
            summary=f"{check}: {status}",
            evidence={"status_code": 200 if status == "pass" else 503, "body": "x" * rng.randrange(40)},
            duration_ms=round(rng.random() * 200, 1),
            item_ids=[rng.choice(items)],
        )
    if roll < 0.96:
        item = rng.choice(items)
        if rng.random() < 0.8:
            return ItemChecked(runbook_id="emergency-rollback", item_id=item, text=item.rsplit("/", 1)[-1])
        return ItemUnchecked(runbook_id="emergency-rollback", item_id=item, reason="re-checking")
    if roll < 0.975:
        return NoteAdded(text=f"note {index}: error rate {rng.random() * 10:.1f}% on app-1")
    if roll < 0.985:
        return ScreenOpened(screen="runbook", runbook_id="emergency-rollback", section_id="verification")
    if roll < 0.99:
        return CriterionFired(
            criterion_id="error-rate",
            metric="error_rate",
            threshold="> 5% for 10 min",
            action="Rollback",
            evidence="8.2% for 11 min",
        )
    if roll < 0.995:
        return CriterionCleared(criterion_id="error-rate", evidence="0.2%")
    if roll < 0.997:
        return WizardStarted()
    if roll < 0.999:
        return WizardAnswered(
            node_id="production-down",
            question="Is production down or severely degraded?",
            answer=True,
            source="confirmed",
            suggested=True,
            evidence="error rate 8.2%",
        )
    return WizardRecommended(
        runbook_id="emergency-rollback",
        outcome_id="use-emergency-rollback",
        text="Use EMERGENCY ROLLBACK runbook",
    )


def generate(folder: Path, count: int, seed: int = 5) -> Path:
    """Record `count` events through the real recorder; a few long idle stretches included."""
    rng = random.Random(seed)
    clock = FakeClock()
    recorder = SessionRecorder.create(folder, ["bundled"], environment="production", clock=clock)
    items = [f"emergency-rollback/verification-checklist/item-{i}" for i in range(8)]
    recorder.record(
        SessionStarted(tool_version="bench", runbook_source=["bundled"], environment="production")
    )
    recorder.record(RunbookStarted(runbook_id="emergency-rollback", title="Emergency Rollback", via="wizard"))
    for index in range(count - 2):
        clock.now += rng.expovariate(1 / 0.1)
        if rng.random() < 0.0002:
            clock.now += rng.uniform(120, 1200)  # the engineer walked away
        recorder.record(_event(rng, index, items))
    recorder.close()
    return recorder.path
