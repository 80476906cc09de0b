"""Standard Release's bound checks against the sandbox: concurrent vs sequential, and one shot.

Starts the sandbox production (HTTP app + 2 SSH hosts) in its own process, as production is
another machine (`omniops-tui sandbox`; `--in-process` runs it in this event loop instead),
adds the local PostgreSQL and Redis when they answer (OMNIOPS_TEST_DATABASE_URL /
OMNIOPS_TEST_REDIS_URL, with the test defaults) and warms up once (imports, SSH handshakes).
Then, `--rounds` times, alternating:

- in this process, one concurrent sweep and the same checks one after another (DESIGN
  principle 3: concurrent ≈ the slowest check, not the sum); target concurrent ≤ 0.5x;
- whole processes: `omniops-tui check standard-release` against the runbook document's own
  response-time loop (50 `curl -w "%{time_total}"` of /api/health piped to awk), the reference
  an engineer would run by hand; target ≤ 1.0x. (verification.sh is not rewritten here.)

Prints progress on stderr and exactly one JSON line on stdout with median and range of each.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _sandbox import exit_on_signals, run, sandbox_process, stop

from omniops_tui.config.model import load_config
from omniops_tui.probes import CheckContext, specs_for_runbook, sweep
from omniops_tui.sandbox import Sandbox
from omniops_tui.sandbox.net import reachable

DATABASE_URL = os.environ.get("OMNIOPS_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("OMNIOPS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


CURL_LOOP = (
    'for i in {1..50}; do curl -w "%{time_total}\\n" -o /dev/null -s "$URL/api/health"; done'
    ' | awk \'{sum+=$1; count++} END {print "Average: " sum/count "s, Count: " count}\''
)


async def timed_process(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    await process.wait()
    return time.perf_counter() - started


async def measure(config_path: Path, variables: dict[str, str], rounds: int) -> dict[str, object]:
    config = load_config(config_path)
    environment = config.environment()
    assert environment is not None
    for key, value in variables.items():
        setattr(environment, key, value)
    context = CheckContext(config, environment)
    specs = specs_for_runbook("standard-release")
    figures: dict[str, list[float]] = {
        "concurrent_s": [],
        "sequential_s": [],
        "one_shot_s": [],
        "curl_loop_s": [],
    }
    env = {**os.environ, "URL": environment.base_url}
    one_shot = [
        sys.executable,
        "-m",
        "omniops_tui",
        "--config",
        str(config_path),
        "check",
        "standard-release",
    ]
    curl_loop = ["bash", "-c", CURL_LOOP]
    try:
        warm = await sweep(specs, context)  # imports, SSH handshakes: not what is measured
        for number in range(rounds):
            order = ("concurrent", "sequential") if number % 2 == 0 else ("sequential", "concurrent")
            for kind in order:
                started = time.perf_counter()
                results = await sweep(specs, context, concurrent=kind == "concurrent")
                figures[f"{kind}_s"].append(time.perf_counter() - started)
            pair = [("one_shot_s", one_shot), ("curl_loop_s", curl_loop)]
            for name, command in pair if number % 2 == 0 else reversed(pair):
                figures[name].append(await timed_process(command, env))
            print(
                f"round {number + 1}: " + ", ".join(f"{k} {v[-1]:.3f}" for k, v in figures.items()),
                file=sys.stderr,
            )
    finally:
        await context.aclose()
    counts: dict[str, int] = {}
    for _spec, result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    print(f"statuses: {counts}; warm-up {len(warm)} checks", file=sys.stderr)
    report: dict[str, object] = {"checks": len(results), "rounds": rounds}
    for name, values in figures.items():
        report[name] = {
            "median": round(statistics.median(values), 3),
            "min": round(min(values), 3),
            "max": round(max(values), 3),
        }
    report["concurrent_vs_sequential"] = round(
        statistics.median(figures["concurrent_s"]) / statistics.median(figures["sequential_s"]), 2
    )
    report["one_shot_vs_curl_loop"] = round(
        statistics.median(figures["one_shot_s"]) / statistics.median(figures["curl_loop_s"]), 2
    )
    return report


async def main(in_process: bool = False, rounds: int = 5) -> dict[str, object]:
    variables: dict[str, str] = {}
    if reachable(DATABASE_URL, 5432):
        os.environ["OMNIOPS_BENCH_DATABASE_URL"] = DATABASE_URL
        variables["database_url_env"] = "OMNIOPS_BENCH_DATABASE_URL"
    if reachable(REDIS_URL, 6379):
        os.environ["OMNIOPS_BENCH_REDIS_URL"] = REDIS_URL
        variables["redis_url_env"] = "OMNIOPS_BENCH_REDIS_URL"
    where = "in this process" if in_process else "in a child process"
    print(
        f"services: sandbox {where} + {', '.join(variables) or 'no local PostgreSQL/Redis'}", file=sys.stderr
    )
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        if in_process:
            async with Sandbox(scenario="healthy", hosts=2) as sandbox:
                return await measure(sandbox.write_config(folder / "config.toml"), variables, rounds)
        process, config = await sandbox_process(folder)
        try:
            return await measure(config, variables, rounds)
        finally:
            await stop(process)


if __name__ == "__main__":
    exit_on_signals()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--in-process", action="store_true", help="run the sandbox in this event loop")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(json.dumps(run(main(in_process=args.in_process, rounds=args.rounds))))
