"""How fast does a run's output flow through the runner? (issue 13: the log pane's 200k lines/s)

Engine level (the output pane comes with the UI redesign): `yes | head -n 2000000` is run
locally through `CommandRunner` into its bounded display buffer, with recording on (into a
counting sink, so the per-run cap and the line-end batching are exercised) and, as the
reference in the same run, the same command read straight from the pipe with no runner at all.
Several rounds of each; prints details on stderr and ONE JSON line on stdout:
`{"lines_per_s_median", "lines_per_s_range", "reference_lines_per_s_median", "ratio",
"peak_display_lines"}`.

    .venv/bin/python bench/run_output.py [--rounds 5] [--lines 2000000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time

from omniops_tui.live.run_policy import Policy, Target, plan_run
from omniops_tui.live.runner import CommandRunner
from omniops_tui.runbooks.placeholders import substitute
from omniops_tui.runbooks.safety import classify


async def through_runner(command: str) -> tuple[float, int, int]:
    recorded = 0

    def count(event: object) -> None:
        nonlocal recorded
        recorded += len(getattr(event, "text", ""))

    runner = CommandRunner(record=count)
    plan = plan_run(substitute(command), classify(command), Target.local(), Policy())
    started = time.perf_counter()
    run = await runner.run(plan, "key")
    elapsed = time.perf_counter() - started
    output = run.hosts[""].output
    assert run.exit_code == 0, run.exit_code
    return elapsed, output.total_lines, len(output.lines)


async def reference(command: str) -> tuple[float, int]:
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec("bash", "-c", command, stdout=asyncio.subprocess.PIPE)
    assert process.stdout is not None
    lines = 0
    while data := await process.stdout.read(65536):
        lines += data.count(b"\n")
    await process.wait()
    return time.perf_counter() - started, lines


async def main(rounds: int, count: int) -> None:
    command = f"yes | head -n {count}"
    ours: list[float] = []
    theirs: list[float] = []
    peak = 0
    for index in range(rounds):
        elapsed, lines, kept = await through_runner(command)
        ours.append(lines / elapsed)
        peak = max(peak, kept)
        ref_elapsed, ref_lines = await reference(command)
        theirs.append(ref_lines / ref_elapsed)
        print(
            f"round {index + 1}: runner {ours[-1]:,.0f} lines/s, pipe {theirs[-1]:,.0f} lines/s",
            file=sys.stderr,
        )
    median = statistics.median(ours)
    print(
        json.dumps(
            {
                "lines_per_s_median": round(median),
                "lines_per_s_range": [round(min(ours)), round(max(ours))],
                "reference_lines_per_s_median": round(statistics.median(theirs)),
                "ratio": round(median / statistics.median(theirs), 3),
                "peak_display_lines": peak,
            }
        )
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--lines", type=int, default=2_000_000)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.rounds, arguments.lines))
