"""Every runbook's bound checks against the sandbox: concurrent vs sequential, and the one shot.

Starts the sandbox production (HTTP app + 2 SSH hosts) in its own process, as production is
another machine (`omniops-tui sandbox`; `--in-process` runs it in this event loop instead, where
it competes with the checks for the loop: not an honest figure), adds the local PostgreSQL and
Redis when they answer (OMNIOPS_TEST_DATABASE_URL / OMNIOPS_TEST_REDIS_URL, with the test
defaults) to the config FILE, so the one-shot process runs the very checks the sweep runs, and
warms up once (imports, SSH handshakes, bytecode). Then, `--rounds` times, alternating:

- in this process, as the TUI does: each runbook's bound checks swept concurrently, and the same
  checks one after another (DESIGN principle 3: concurrent ≈ the slowest check, not the sum),
  summed over every runbook that has bound checks; target concurrent ≤ 0.5x sequential;
- whole processes: `omniops-tui check standard-release` against what the runbook document has
  an engineer run by hand for the same verification: its response-time loop (50
  `curl -w "%{time_total}"` of /api/health piped to awk) and its verification.sh (chat, widget,
  admin, GDPR export, with jq), rewritten against the sandbox; target ≤ 1.0x.

Each whole process is also measured in CPU seconds (its own and its children's, from
getrusage): on a machine other work loads, wall time says as much about the neighbours. The
sweeps' CPU is this process's (threads included) plus the latency probe's own process
(latency_worker.py, where the probe's requests run), so work moved out of this process still
counts; the sandbox's, PostgreSQL's and Redis's are not ours and are not counted.
Child processes get their own XDG folders and a bytecode cache of their own (filled by the
warm-up: an installed tool has its .pyc files, whatever PYTHONDONTWRITEBYTECODE says here).
Prints progress on stderr and exactly one JSON line on stdout with median and range of each,
and the machine's 1-minute load average before and after (the neighbours' share of the cores:
with the cores busy, no sweep can run concurrently, whatever it does).

The floor: over loopback nothing waits, every check is CPU (ours, the sandbox's, PostgreSQL's,
the kernel's), so a concurrent sweep cannot take less wall time than the whole machine's busy
CPU during it (/proc/stat) spread over every core. `floor_ratio` = median(concurrent sweep's
`machine_busy_cpu_s`) / (cores × median(sequential wall)) is the best `concurrent_vs_sequential`
this machine allows, however the sweep is written (null off Linux).

A network between: production is other machines, and every answer crosses a network; that wait
is what concurrency hides. A second sandbox process whose HTTP and SSH answers each wait
`--answer-delay-ms` (default 1 ms; 0 leaves it out) is swept in the same rounds, alternating the
same way, and reported under `with_answer_delay`; PostgreSQL and Redis are the same local,
undelayed servers in both. The one shot and `concurrent_vs_sequential` stay on loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

from _sandbox import exit_on_signals, run, sandbox_process, stop
from _sweep_figures import floor_ratio, machine_busy_s, ratio, spent, summary

from omniops_tui.config.model import load_config
from omniops_tui.probes import CheckContext, sweep
from omniops_tui.probes.base import CheckSpec
from omniops_tui.probes.bindings import bundled_bindings
from omniops_tui.probes.latency_client import LatencyWorker, context_worker
from omniops_tui.sandbox import Sandbox
from omniops_tui.sandbox.net import reachable

DATABASE_URL = os.environ.get("OMNIOPS_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("OMNIOPS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

# The document's "8. Performance Verification" loop, as written (the URL substituted).
CURL_LOOP = (
    'for i in {1..50}; do curl -w "%{time_total}\\n" -o /dev/null -s "$URL/api/health"; done'
    ' | awk \'{sum+=$1; count++} END {print "Average: " sum/count "s, Count: " count}\''
)

# The document's "9. Functional Verification" script, as written (BASE_URL from the sandbox).
VERIFICATION_SH = """#!/bin/bash
set -e

BASE_URL="$URL"

echo "1. Testing chat conversation..."
RESPONSE=$(curl -s -X POST "$BASE_URL/api/chat" \\
  -H "Content-Type: application/json" \\
  -d '{"message": "What are your hours?", "domain": "yourdomain.com"}')
echo "$RESPONSE" | jq -e '.response' > /dev/null || exit 1

echo "2. Testing widget embed..."
curl -f "$BASE_URL/embed.js" > /dev/null || exit 1
curl -f "$BASE_URL/embed?domain=yourdomain.com" > /dev/null || exit 1

echo "3. Testing admin dashboard..."
curl -f "$BASE_URL/admin" > /dev/null || exit 1

echo "4. Testing GDPR export..."
curl -s -X POST "$BASE_URL/api/gdpr/export" \\
  -H "Content-Type: application/json" \\
  -d '{"email": "test@example.com"}' | jq -e '.data' > /dev/null || exit 1

echo "✓ All critical flows working"
"""


def children_cpu() -> float:
    """CPU seconds (user + system) of the children waited for so far, and of theirs."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def timed_process(command: list[str], env: dict[str, str]) -> tuple[float, int, float]:
    """Wall time of one whole process, its exit status and its CPU (with its children's: the
    curls of the reference). CPU is the steadier figure on a machine other work loads."""
    cpu = children_cpu()
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    code = await process.wait()
    return time.perf_counter() - started, code, children_cpu() - cpu


def child_env(folder: Path, url: str) -> dict[str, str]:
    """Own XDG folders and bytecode cache; the sandbox URL for the reference scripts."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    for name in ("CONFIG", "STATE", "CACHE", "DATA"):
        env[f"XDG_{name}_HOME"] = str(folder / "home" / name.lower())
    env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    env["URL"] = url
    return env


def add_stores(config_path: Path, variables: dict[str, str]) -> None:
    """Name the database and Redis variables in the environment's table of the config file."""
    text = config_path.read_text()
    lines = "".join(f'{key} = "{value}"\n' for key, value in variables.items())
    config_path.write_text(re.sub(r"(?m)^(\[env\.[^.\]]+\]\n)", lambda m: m.group(1) + lines, text, count=1))


def runbook_specs() -> dict[str, list[CheckSpec]]:
    """Every runbook with bound checks, and its checks (what the TUI sweeps when it is open)."""
    bindings = bundled_bindings()
    return {runbook: bindings.specs_for_runbook(runbook) for runbook in sorted(bindings.runbook_ids())}


def process_cpu(pid: int | None) -> float:
    """CPU seconds (user + system) of a running process of ours (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def sweep_all(
    specs: dict[str, list[CheckSpec]], context: CheckContext, concurrent: bool, worker: int | None
) -> tuple[float, float, float | None]:
    """Wall and CPU seconds (this process and the latency probe's) of every runbook's sweep, and
    the whole machine's busy CPU seconds meanwhile (None off Linux)."""
    cpu = time.process_time() + process_cpu(worker)
    machine = machine_busy_s()
    started = time.perf_counter()
    for checks in specs.values():
        await sweep(checks, context, concurrent=concurrent)
    elapsed = time.perf_counter() - started
    return elapsed, time.process_time() + process_cpu(worker) - cpu, spent(machine, machine_busy_s())


class Sweeps:
    """One sandbox's sweeps, concurrent and sequential, which goes first alternating by round."""

    def __init__(self, specs: dict[str, list[CheckSpec]], config_path: Path) -> None:
        config = load_config(config_path)
        environment = config.environment()
        assert environment is not None
        self.environment = environment
        self.specs = specs
        self.context = CheckContext(config, environment)
        self.wall: dict[bool, list[float]] = {True: [], False: []}
        self.cpu: dict[bool, list[float]] = {True: [], False: []}
        self.busy: dict[bool, list[float | None]] = {True: [], False: []}
        self.worker: int | None = None
        self.statuses: dict[str, int] = {}

    async def warm_up(self) -> None:
        """Imports, SSH handshakes, the latency probe's process: none of it is timed."""
        for checks in self.specs.values():
            for _spec, result in await sweep(checks, self.context):
                self.statuses[result.status] = self.statuses.get(result.status, 0) + 1
        worker: LatencyWorker = await context_worker(self.context)
        self.worker = worker.pid

    async def round(self, number: int) -> None:
        for concurrent in (True, False) if number % 2 == 0 else (False, True):
            elapsed, cpu, busy = await sweep_all(self.specs, self.context, concurrent, self.worker)
            self.wall[concurrent].append(elapsed)
            self.cpu[concurrent].append(cpu)
            self.busy[concurrent].append(busy)

    def last(self) -> str:
        """This round's figures, for the progress line."""
        busy = [self.busy[mode][-1] for mode in (True, False)]
        shown = " / ".join("-" if value is None else f"{value:.3f}" for value in busy)
        return f"concurrent {self.wall[True][-1]:.3f}, sequential {self.wall[False][-1]:.3f}, busy {shown}"

    def busy_report(self) -> dict[str, object]:
        return {"concurrent": summary(self.busy[True]), "sequential": summary(self.busy[False])}


async def measure(
    config_path: Path, folder: Path, rounds: int, delayed: tuple[int, Path] | None
) -> dict[str, object]:
    """`rounds` rounds on the sandbox at `config_path` (and the delayed one's, when given)."""
    specs = runbook_specs()
    loopback = Sweeps(specs, config_path)
    across = Sweeps(specs, delayed[1]) if delayed else None
    figures: dict[str, list[float]] = {
        name: [] for name in ("one_shot_s", "reference_s", "one_shot_cpu_s", "reference_cpu_s")
    }
    env = child_env(folder, loopback.environment.base_url)
    script = folder / "verification.sh"
    script.write_text(VERIFICATION_SH)
    script.chmod(0o755)
    one_shot = [sys.executable, "-m", "omniops_tui", "--config", str(config_path)]
    one_shot += ["check", "standard-release"]
    reference = ["bash", "-c", f"{CURL_LOOP} && {script}"]
    codes: dict[str, set[int]] = {"one_shot_s": set(), "reference_s": set()}
    load_before = os.getloadavg()[0]
    try:
        for sweeps in (loopback, across):
            if sweeps is not None:
                await sweeps.warm_up()
        for name, command in (("one_shot_s", one_shot), ("reference_s", reference)):
            codes[name].add((await timed_process(command, env))[1])  # warm-up: bytecode, caches
        for number in range(rounds):
            await loopback.round(number)
            if across is not None:
                await across.round(number)
            pair = [("one_shot_s", one_shot), ("reference_s", reference)]
            for name, command in pair if number % 2 == 0 else reversed(pair):
                elapsed, code, cpu = await timed_process(command, env)
                figures[name].append(elapsed)
                figures[name.removesuffix("_s") + "_cpu_s"].append(cpu)
                codes[name].add(code)
            line = f"round {number + 1}: {loopback.last()}; "
            line += f"delayed: {across.last()}; " if across is not None else ""
            print(line + ", ".join(f"{k} {v[-1]:.3f}" for k, v in figures.items()), file=sys.stderr)
    finally:
        for sweeps in (loopback, across):
            if sweeps is not None:
                await sweeps.context.aclose()
    print(f"statuses (warm-up sweep): {loopback.statuses}; exit codes {codes}", file=sys.stderr)
    if across is not None:
        print(f"statuses (warm-up sweep, delayed): {across.statuses}", file=sys.stderr)
    cores = os.cpu_count()
    wall, cpu = loopback.wall, loopback.cpu
    report: dict[str, object] = {
        "runbooks": len(specs),
        "checks": sum(len(checks) for checks in specs.values()),
        "rounds": rounds,
        "concurrent_s": summary(wall[True]),
        "sequential_s": summary(wall[False]),
        "concurrent_cpu_s": summary(cpu[True]),
        "sequential_cpu_s": summary(cpu[False]),
        "machine_busy_cpu_s": loopback.busy_report(),
        "cores": cores,
    }
    report.update({name: summary(values) for name, values in figures.items()})
    report["concurrent_vs_sequential"] = ratio(wall[True], wall[False])
    report["floor_ratio"] = floor_ratio(loopback.busy[True], wall[False], cores)
    report["with_answer_delay"] = None
    if delayed is not None and across is not None:
        report["with_answer_delay"] = {
            "delay_ms": delayed[0],
            "concurrent_s": summary(across.wall[True]),
            "sequential_s": summary(across.wall[False]),
            "ratio": ratio(across.wall[True], across.wall[False]),
            "machine_busy_cpu_s": across.busy_report(),
        }
    report["one_shot_vs_reference"] = ratio(figures["one_shot_s"], figures["reference_s"])
    report["one_shot_vs_reference_cpu"] = ratio(figures["one_shot_cpu_s"], figures["reference_cpu_s"])
    report["exit_codes"] = {name: sorted(values) for name, values in codes.items()}
    report["load_average"] = {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)}
    return report


async def main(in_process: bool = False, rounds: int = 5, answer_delay_ms: int = 1) -> dict[str, object]:
    variables: dict[str, str] = {}
    if reachable(DATABASE_URL, 5432):
        os.environ["OMNIOPS_BENCH_DATABASE_URL"] = DATABASE_URL
        variables["database_url_env"] = "OMNIOPS_BENCH_DATABASE_URL"
    if reachable(REDIS_URL, 6379):
        os.environ["OMNIOPS_BENCH_REDIS_URL"] = REDIS_URL
        variables["redis_url_env"] = "OMNIOPS_BENCH_REDIS_URL"
    where = "in this process" if in_process else "in a child process"
    delay = f" (and one whose answers wait {answer_delay_ms} ms)" if answer_delay_ms else ""
    print(
        f"services: sandbox {where}{delay} + {', '.join(variables) or 'no local PostgreSQL/Redis'}",
        file=sys.stderr,
    )
    delays = [0, answer_delay_ms] if answer_delay_ms else [0]
    with tempfile.TemporaryDirectory(prefix="omniops-check-sweep-") as name:
        folder = Path(name)
        async with contextlib.AsyncExitStack() as stack:
            configs: list[Path] = []
            for delay_ms in delays:
                where_to = folder / f"sandbox-{delay_ms}ms"
                if in_process:
                    sandbox = await stack.enter_async_context(
                        Sandbox(scenario="healthy", hosts=2, answer_delay_ms=delay_ms)
                    )
                    config = sandbox.write_config(where_to / "config.toml")
                else:
                    where_to.mkdir()
                    process, config = await sandbox_process(where_to, answer_delay_ms=delay_ms)
                    stack.push_async_callback(stop, process)
                add_stores(config, variables)
                configs.append(config)
            delayed = (answer_delay_ms, configs[1]) if answer_delay_ms else None
            return await measure(configs[0], folder, rounds, delayed)


def delay_ms(text: str) -> int:
    """A whole number of milliseconds from 0 to 1000 (what the sandbox accepts)."""
    value = int(text)
    if not 0 <= value <= 1000:
        raise ValueError(text)
    return value


if __name__ == "__main__":
    exit_on_signals()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--in-process", action="store_true", help="run the sandbox in this event loop")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--answer-delay-ms",
        type=delay_ms,
        default=1,
        metavar="N",
        help="also sweep a sandbox whose answers wait N ms, as across a network (0: do not)",
    )
    args = parser.parse_args()
    figures = main(in_process=args.in_process, rounds=args.rounds, answer_delay_ms=args.answer_delay_ms)
    print(json.dumps(run(figures)))
