"""What checking recorded events' field types costs when a session is opened.

Session files come from other machines, so `from_record` checks every field's JSON type
(core/event_codec.py, issue 10 §11). Opening a 100,000-event session must stay under a second: this
generates one (bench/replay.py's generator, through the real recorder), decodes its lines
once, and in each round builds every event with the check and, as the reference, without it
(the same `from_record` with `check_fields` made a no-op). Ends with ONE JSON line:
`{"events": …, "with_check_s": {median, min, max}, "without_check_s": {…}, "added_us_per_event": {…}}`.

    .venv/bin/python bench/event_fields.py [--events 100000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from replay import generate

from omniops_tui.core import event_codec, events


def spread(values: list[float], digits: int = 3) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
    }


def build_all(records: list[dict[str, object]]) -> float:
    copies = [dict(record) for record in records]
    started = time.perf_counter()
    for record in copies:
        events.from_record(record, consume=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="omniops-bench-") as tmp:
        path = generate(Path(tmp), args.events)
        records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[1:]]
    check = event_codec.check_fields
    with_check: list[float] = []
    without: list[float] = []
    for number in range(args.rounds):
        event_codec.check_fields = check
        with_check.append(build_all(records))
        event_codec.check_fields = lambda cls, record: None  # the reference: no type check
        without.append(build_all(records))
        event_codec.check_fields = check
        print(
            f"round {number + 1}: {with_check[-1]:.3f} s with the check, {without[-1]:.3f} s without",
            file=sys.stderr,
        )
    added = [(a - b) / len(records) * 1e6 for a, b in zip(with_check, without, strict=True)]
    print(
        json.dumps(
            {
                "events": len(records),
                "with_check_s": spread(with_check),
                "without_check_s": spread(without),
                "added_us_per_event": spread(added, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
