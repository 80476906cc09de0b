"""Sweep Standard Release's bound checks against the sandbox: concurrently, then one by one.

Starts the sandbox production (HTTP app + 2 SSH hosts) in its own process, as production is
another machine (`omniops-tui sandbox`; `--in-process` runs it in this event loop instead),
adds the local PostgreSQL and Redis when they answer (OMNIOPS_TEST_DATABASE_URL /
OMNIOPS_TEST_REDIS_URL, with the test defaults), warms up once (imports, SSH handshakes), then
times one concurrent sweep and the same checks run one after another. DESIGN principle 3 in
numbers: concurrent ≈ the slowest check, not the sum. Prints progress on stderr and exactly
one JSON line on stdout: {"checks": n, "concurrent_s": …, "sequential_s": …}
"""

from __future__ import annotations

import json
import os
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


async def measure(config_path: Path, variables: dict[str, str]) -> dict[str, float | int]:
    config = load_config(config_path)
    environment = config.environment()
    assert environment is not None
    for key, value in variables.items():
        setattr(environment, key, value)
    context = CheckContext(config, environment)
    specs = specs_for_runbook("standard-release")
    try:
        warm = await sweep(specs, context)  # imports, SSH handshakes: not what is measured
        started = time.perf_counter()
        concurrent = await sweep(specs, context)
        concurrent_s = time.perf_counter() - started
        started = time.perf_counter()
        sequential = await sweep(specs, context, concurrent=False)
        sequential_s = time.perf_counter() - started
    finally:
        await context.aclose()
    counts: dict[str, int] = {}
    for _spec, result in concurrent:
        counts[result.status] = counts.get(result.status, 0) + 1
    print(
        f"statuses: {counts}; warm-up {len(warm)} checks; sequential {len(sequential)} checks",
        file=sys.stderr,
    )
    return {
        "checks": len(concurrent),
        "concurrent_s": round(concurrent_s, 3),
        "sequential_s": round(sequential_s, 3),
    }


async def main(in_process: bool = False) -> dict[str, float | int]:
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
                return await measure(sandbox.write_config(folder / "config.toml"), variables)
        process, config = await sandbox_process(folder)
        try:
            return await measure(config, variables)
        finally:
            await stop(process)


if __name__ == "__main__":
    exit_on_signals()
    print(json.dumps(run(main(in_process="--in-process" in sys.argv[1:]))))
