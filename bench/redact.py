"""Recording every log line: what redaction and encoding cost per line, next to the plain way.

Issue 12: with the record keeping every line (no cap), the session must still take 800k lines/s,
so the record path may cost only a fraction of a microsecond a line. Builds 100,000 log lines
the way the sandbox hosts write them (every ordinary scenario's mix, ERROR/WARN lines included;
with `--hostile` the hostile scenario's too, where a third of the lines carry secrets) at their
`firehose.log` lengths, in batches of `--batch` lines (the log service's `BATCH_LINES`). Each
round times, alternating, on the same batches:

- `record_us_per_line`: what the recorder does with a batch now: the cap's accounting
  (`LogRecordCap.admit`), the redactor on the `log_lines` record (`Redactor.__call__`: the
  batch fast path, sessions/redact_batch.py) and its encoding (`encode_record`);
  `redact_us_per_line` and `encode_us_per_line` are its two big parts;
- the reference, `plain_us_per_line`: the obviously right way, `Redactor.text` on each line and
  `json.dumps` of the record (the same output: checked once before the rounds);
  `json_us_per_line` is its json.dumps part.

CPU time of this process (the machine is shared: wall time would measure the neighbours).
Ends with ONE JSON line: the median and range of each figure and of `ratio` (record / plain).

    .venv/bin/python bench/redact.py [--rounds 7] [--lines 100000] [--batch 2000] [--hostile]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from omniops_tui.live.logs import BATCH_LINES
from omniops_tui.sandbox.logs import COMBINED_LOG, LogSource, iso_ms
from omniops_tui.sandbox.scenarios import SCENARIOS, ProductionState
from omniops_tui.sessions.log_record import LogRecordCap
from omniops_tui.sessions.record_json import encode_record
from omniops_tui.sessions.redact import build_redactor


def log_lines(count: int, hostile: bool = False) -> list[str]:
    """`count` lines, an equal share from every scenario's combined.log."""
    scenarios = [s for s in SCENARIOS if hostile or s != "hostile"]
    lines: list[str] = []
    per = count // len(scenarios) + 1
    for scenario in scenarios:
        source = LogSource(ProductionState(scenario), host_index=0, rate=20.0)
        lines += [f"{iso_ms(1.7e9 + seq / 20)} {source.body(COMBINED_LOG, seq)}" for seq in range(per)]
    return lines[:count]


def spread(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
    }


def plain_dumps(record: dict[str, object]) -> bytes:
    return (json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=BATCH_LINES)
    parser.add_argument("--hostile", action="store_true", help="add the hostile scenario's lines")
    args = parser.parse_args()
    lines = log_lines(args.lines, args.hostile)
    records = [
        {
            "seq": i,
            "t": i * 0.1,
            "at": "2026-03-14T03:00:05.123Z",
            "type": "log_lines",
            "source_id": "app",
            "host": "prod-1",
            "lines": lines[i : i + args.batch],
            "errors_only": False,
        }
        for i in range(0, len(lines), args.batch)
    ]
    environ = {
        "PRODUCTION_DATABASE_URL": "postgresql://omniops:Pg-pw-123456@db/omniops",
        "API_TOKEN": "tok-9f8e7d6c",
    }
    redactor = build_redactor(None, None, environ=environ)

    def record_path() -> None:
        cap = LogRecordCap(1 << 62)
        for record in records:
            cap.admit(record["lines"])  # type: ignore[arg-type]
            encode_record(redactor(record))

    def plain_path() -> None:
        for record in records:
            plain_dumps({**record, "lines": [redactor.text(line) for line in record["lines"]]})  # type: ignore[attr-defined]

    def redact_only() -> None:
        for record in records:
            redactor(record)

    def encode_only() -> None:
        for record in records:
            encode_record(record)

    def json_only() -> None:
        for record in records:
            plain_dumps(record)

    for record in records:  # the same bytes either way, or the comparison means nothing
        plain = {**record, "lines": [redactor.text(line) for line in record["lines"]]}  # type: ignore[attr-defined]
        assert encode_record(redactor(record)) == plain_dumps(plain)

    timed: dict[str, Callable[[], None]] = {
        "record_us_per_line": record_path,
        "plain_us_per_line": plain_path,
        "redact_us_per_line": redact_only,
        "encode_us_per_line": encode_only,
        "json_us_per_line": json_only,
    }
    figures: dict[str, list[float]] = {name: [] for name in timed}
    ratios: list[float] = []
    for number in range(args.rounds):
        for name, work in timed.items():
            started = time.process_time()
            work()
            figures[name].append((time.process_time() - started) / len(lines) * 1e6)
        ratios.append(figures["record_us_per_line"][-1] / figures["plain_us_per_line"][-1])
        shown = ", ".join(f"{name[:-12]} {values[-1]:.3f}" for name, values in figures.items())
        print(f"round {number + 1}: {shown} us/line", file=sys.stderr)
    suspect = sum(1 for line in lines if redactor.suspect(line))
    report: dict[str, object] = {
        "lines": len(lines),
        "batch": args.batch,
        "suspect_share": round(suspect / len(lines), 4),
    }
    report.update({name: spread(values) for name, values in figures.items()})
    report["ratio"] = spread(ratios)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
