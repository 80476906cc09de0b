"""Redact a firehose of clean log lines: does the redactor keep up with 50k lines/s?

50k lines/s is the ingestion target, and every log batch goes through the redactor before it
is recorded. Each round redacts 50,000 clean lines in batches of 200 and, as the reference in
the same run, serialises the same batches to JSON (what the recorder does with them anyway).
Prints ONE JSON line with the medians and ranges: {"redact_ms", "json_ms", "ratio", ...}.
Target: redact_ms < 500 (a small part of a second's budget).
"""

from __future__ import annotations

import json
import random
import statistics
import time

from omniops_tui.config.model import Config, Environment
from omniops_tui.sessions.redact import build_redactor

ENVIRON = {
    "PAGERDUTY_TOKEN": "pd-token-8f3a9c71e2",
    "STRIPE_SECRET": "sk_live_51HxYz0123",
    "PRODUCTION_DATABASE_URL": "postgresql://omniops:Db-Pa55word!@db.internal:5432/omniops",
}


def main(rounds: int = 7) -> None:
    redactor = build_redactor(
        Config(secrets=["literal-from-config-42"]),
        Environment(name="production", database_url_env="PRODUCTION_DATABASE_URL"),
        environ=ENVIRON,
    )
    rng = random.Random(5)
    lines = [
        f"2025-03-14T03:{i % 60:02d}:{rng.randrange(60):02d}Z INFO [app-1] request_id="
        f"{rng.getrandbits(48):012x} GET /api/chat status=200 duration_ms={rng.randrange(900)}"
        for i in range(50_000)
    ]
    batches = [
        {"type": "log_lines", "source_id": "app", "lines": lines[i : i + 200]}
        for i in range(0, len(lines), 200)
    ]
    redact_ms: list[float] = []
    json_ms: list[float] = []
    for _ in range(rounds):
        started = time.perf_counter()
        for batch in batches:
            redactor(batch)
        redact_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        for batch in batches:
            json.dumps(batch)
        json_ms.append((time.perf_counter() - started) * 1000)
    ratios = [r / j for r, j in zip(redact_ms, json_ms, strict=True)]
    print(
        json.dumps(
            {
                "redact_ms": round(statistics.median(redact_ms), 1),
                "json_ms": round(statistics.median(json_ms), 1),
                "ratio": round(statistics.median(ratios), 2),
                "target_met": statistics.median(redact_ms) < 500,
                "range": {
                    "redact_ms": [round(min(redact_ms), 1), round(max(redact_ms), 1)],
                    "json_ms": [round(min(json_ms), 1), round(max(json_ms), 1)],
                    "ratio": [round(min(ratios), 2), round(max(ratios), 2)],
                },
                "lines": len(lines),
                "rounds": rounds,
            }
        )
    )


if __name__ == "__main__":
    main()
