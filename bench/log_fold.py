"""Folding a firehose into the log projection: the cost per line on the event loop (issue 12).

Every `log_lines` event goes into its source's buffer and the merged view's. The reference, in
the same run and alternating, is what the fold did before: each batch copied line by line into
two bounded deques per buffer, and a prefixed copy of every line made for the merged view. The
fold now keeps batches by reference and prefixes the merged view's lines only when a pane
reads them. Each round folds `--lines` lines in 5,000-line batches into a 10,000-line view; the
visible pane takes its pending lines after every batch, the hidden merged view drops them.
Prints ONE JSON line: nanoseconds per line, median and range, for both, and their ratio.

    .venv/bin/python bench/log_fold.py [--rounds 5] [--lines 1000000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from omniops_tui.core.events import LogLines
from omniops_tui.sessions.state import SessionState

BATCH = 5_000
CAPACITY = 10_000
SOURCE = "prod-1:firehose.log"


def batch() -> list[str]:
    return [
        f"2026-11-30T20:00:00.{i % 1000:03d}Z INFO  [api] GET /v1/items/{i} 200 12ms" for i in range(BATCH)
    ]


def fold_now(lines: list[str], batches: int) -> float:
    state = SessionState()
    started = time.perf_counter()
    for _ in range(batches):
        state.apply(LogLines(source_id=SOURCE, host="prod-1", lines=list(lines)))
        state.logs.sources[SOURCE].buffer.take_pending()
        state.logs.merged.discard_pending()
    return time.perf_counter() - started


def fold_before(lines: list[str], batches: int) -> float:
    """The previous buffers: every line copied into the scrollback and pending deques, twice
    over with the merged view, whose lines were prefixed on arrival."""
    buffers = [(deque(maxlen=CAPACITY), deque(maxlen=CAPACITY)) for _ in range(2)]
    prefix = "prod-1 firehose.log │ "
    started = time.perf_counter()
    for _ in range(batches):
        batch_lines = list(lines)
        merged = (prefix + ("\n" + prefix).join(batch_lines)).split("\n")
        for (scrollback, pending), part in zip(buffers, (batch_lines, merged), strict=True):
            scrollback.extend(part)
            pending.extend(part)
        list(buffers[0][1])
        buffers[0][1].clear()
        buffers[1][1].clear()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--lines", type=int, default=1_000_000)
    args = parser.parse_args()
    lines, batches = batch(), max(1, args.lines // BATCH)
    total = batches * BATCH
    now: list[float] = []
    before: list[float] = []
    for _ in range(args.rounds):
        before.append(fold_before(lines, batches) / total * 1e9)
        now.append(fold_now(lines, batches) / total * 1e9)
    figure = {
        "lines": total,
        "rounds": args.rounds,
        "fold_ns_per_line": {
            "median": round(statistics.median(now), 1),
            "min": round(min(now), 1),
            "max": round(max(now), 1),
        },
        "before_ns_per_line": {
            "median": round(statistics.median(before), 1),
            "min": round(min(before), 1),
            "max": round(max(before), 1),
        },
        "ratio": round(statistics.median(now) / statistics.median(before), 3),
    }
    print(json.dumps(figure))


if __name__ == "__main__":
    main()
