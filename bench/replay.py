"""Replay speed: open a long recording to its first painted screen, and seek anywhere in it.

Generates a realistic long session (log batches, metric samples, check results, ticks, notes,
wizard events, idle stretches) through the real `SessionRecorder`, then, several rounds:

- `first_paint_s`: `omniops-tui sessions replay FILE` in a real 80x24 pseudo-terminal
  (`_terminal.py`), from launch until the replay screen shows; `peak_rss_mb` of that process
  (VmHWM) a few seconds later, when its checkpoints are being built;
- `parse_floor_s`, the reference in the same run: reading the file and `json.loads` of every
  line, nothing else (what any tool that loads every event pays at least);
- seeks in this process through `ReplaySession`: `first_seek_ms` to the end right after opening
  (the checkpoints are still being built), then `--seeks` random seeks, marker jumps and steps
  once they are (median, p95, p99, max).

Prints progress on stderr and exactly one JSON line with median and range of each figure.
Targets (issue 12): 100k events first paint <= 0.5 s; 1M <= 3 s and <= 400 MB; seek p99 <= 50 ms.

    .venv/bin/python bench/replay.py [--events N] [--rounds 3] [--seeks N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _terminal import Terminal, isolated_env

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


def seeks(path: Path, count: int, seed: int = 7) -> tuple[float, list[float], dict[str, float]]:
    """The first seek (to the end) right after opening, then `count` moves once checkpoints are built."""
    from omniops_tui.sessions.replay import ReplaySession

    began = time.perf_counter()
    replay, _notices = ReplaySession.open(path, idle_limit=5.0)
    opened = time.perf_counter() - began
    began = time.perf_counter()
    replay.seek_fraction(1.0)
    first = time.perf_counter() - began
    assert replay.checkpoints is not None
    replay.checkpoints.join()
    rng = random.Random(seed)
    timeline = replay.timeline
    player = replay.player
    moves = [
        lambda: player.seek(rng.uniform(0, timeline.duration)),
        lambda: player.seek_by(-10),
        lambda: player.seek_by(+10),
        lambda: player.seek_by(-60),
        lambda: player.seek_by(+60),
        player.next_marker,
        player.previous_marker,
        lambda: player.seek(timeline.duration),
        lambda: player.seek(0.0),
    ]
    times: list[float] = []
    for index in range(count):
        move = moves[index % len(moves)] if index % 3 else moves[0]
        began = time.perf_counter()
        move()
        times.append(time.perf_counter() - began)
    return first, times, {"open_in_process_s": opened, "markers": len(timeline.markers)}


def parse_floor(path: Path) -> float:
    """Read the file and parse every line as JSON, keeping nothing: the reference."""
    began = time.perf_counter()
    loads = json.loads
    with open(path, "rb") as handle:
        for line in handle:
            loads(line)
    return time.perf_counter() - began


def first_paint(path: Path, home: Path) -> tuple[float, float]:
    """Seconds from launch to the replay screen, and the process's peak RSS (MB) 3 s later."""
    command = [sys.executable, "-m", "omniops_tui", "sessions", "replay", str(path)]
    with Terminal(command, isolated_env(home)) as term:
        term.wait_text("REPLAY (read-only)", 300)
        painted = time.perf_counter() - term.started
        term.drain(3.0)
        status = Path(f"/proc/{term.process.pid}/status").read_text()
        peak_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))
        term.press("ctrl+q")
        term.wait_exit(60)
    return painted, peak_kb / 1024


def spread(values: list[float], scale: float = 1.0, digits: int = 3) -> dict[str, float]:
    ordered = sorted(v * scale for v in values)
    return {
        "median": round(statistics.median(ordered), digits),
        "min": round(ordered[0], digits),
        "max": round(ordered[-1], digits),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seeks", type=int, default=200)
    parser.add_argument("--keep", type=Path, default=None, help="write the session here and keep it")
    args = parser.parse_args()
    figures: dict[str, list[float]] = {"first_paint_s": [], "parse_floor_s": [], "peak_rss_mb": []}
    first_seeks: list[float] = []
    all_seeks: list[float] = []
    with tempfile.TemporaryDirectory(prefix="omniops-bench-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        existing = sorted(folder.glob("*.jsonl")) if args.keep else []
        began = time.perf_counter()
        path = existing[0] if existing else generate(folder, args.events)
        size_mb = path.stat().st_size / 1e6
        print(
            f"{args.events} events ({size_mb:.1f} MB) in {time.perf_counter() - began:.1f} s", file=sys.stderr
        )
        for number in range(args.rounds):
            figures["parse_floor_s"].append(parse_floor(path))
            painted, rss = first_paint(path, Path(tmp) / f"home-{number}")
            figures["first_paint_s"].append(painted)
            figures["peak_rss_mb"].append(rss)
            first, moves, extra = seeks(path, args.seeks, seed=7 + number)
            first_seeks.append(first)
            all_seeks.extend(moves)
            print(
                f"round {number + 1}: first paint {painted:.3f} s "
                f"(floor {figures['parse_floor_s'][-1]:.3f} s), "
                f"rss {rss:.0f} MB, first seek {first * 1000:.0f} ms, "
                f"open in process {extra['open_in_process_s']:.3f} s, {extra['markers']} markers",
                file=sys.stderr,
            )
    ordered = sorted(all_seeks)
    report: dict[str, object] = {"events": args.events, "file_mb": round(size_mb, 1), "rounds": args.rounds}
    report.update({name: spread(values) for name, values in figures.items()})
    report["first_seek_ms"] = spread(first_seeks, 1000.0, 1)
    report["seek_ms"] = {
        "median": round(statistics.median(ordered) * 1000, 2),
        "p95": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 2),
        "p99": round(ordered[int(0.99 * (len(ordered) - 1))] * 1000, 2),
        "max": round(ordered[-1] * 1000, 2),
        "n": len(ordered),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
