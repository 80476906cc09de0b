"""Redaction on the log ingest path: what it costs next to writing the same lines to the record.

Issue 12: redaction must stay a small fraction of log ingest. Builds 100,000 log lines the way
the sandbox hosts write them (every ordinary scenario's mix, ERROR/WARN lines included; with
`--hostile` the hostile scenario's too, where a third of the lines carry secrets), in batches
of 500 as the log hub records them. Each round times the redactor on every batch
(`Redactor.__call__` on a `log_lines` record, as the recorder calls it) and, as the
reference, `json.dumps` + encode of the same records (what the recorder does with every event
anyway). Ends with ONE JSON line:
`{"lines": …, "redact_us_per_line": {median, min, max}, "json_us_per_line": {…}, "ratio": {…}}`.

    .venv/bin/python bench/redact.py [--rounds 7] [--lines 100000] [--hostile]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from omniops_tui.sandbox.logs import COMBINED_LOG, LogSource, iso_ms
from omniops_tui.sandbox.scenarios import SCENARIOS, ProductionState
from omniops_tui.sessions.redact import build_redactor

BATCH = 500


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--hostile", action="store_true", help="add the hostile scenario's lines")
    args = parser.parse_args()
    lines = log_lines(args.lines, args.hostile)
    records = [
        {
            "seq": i,
            "t": i * 0.1,
            "at": "",
            "type": "log_lines",
            "source_id": "app",
            "host": "prod-1",
            "lines": lines[i : i + BATCH],
        }
        for i in range(0, len(lines), BATCH)
    ]
    environ = {
        "PRODUCTION_DATABASE_URL": "postgresql://omniops:Pg-pw-123456@db/omniops",
        "API_TOKEN": "tok-9f8e7d6c",
    }
    redactor = build_redactor(None, None, environ=environ)
    redact_us: list[float] = []
    json_us: list[float] = []
    ratios: list[float] = []
    for number in range(args.rounds):
        started = time.perf_counter()
        for record in records:
            redactor(record)
        redact = time.perf_counter() - started
        started = time.perf_counter()
        for record in records:
            json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        encode = time.perf_counter() - started
        redact_us.append(redact / len(lines) * 1e6)
        json_us.append(encode / len(lines) * 1e6)
        ratios.append(redact / encode)
        print(
            f"round {number + 1}: redact {redact_us[-1]:.3f} us/line, json {json_us[-1]:.3f} us/line",
            file=sys.stderr,
        )
    suspect = sum(1 for line in lines if redactor.suspect(line))
    print(
        json.dumps(
            {
                "lines": len(lines),
                "suspect_share": round(suspect / len(lines), 4),
                "redact_us_per_line": spread(redact_us),
                "json_us_per_line": spread(json_us),
                "ratio": spread(ratios),
            }
        )
    )


if __name__ == "__main__":
    main()
