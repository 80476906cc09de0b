"""Is the latency probe's P95 the server's, or our event loop's? Compared with a plain client.

The sandbox production runs in a child process (production is another machine); two CPU-bound
processes (`python3 -c 'while 1: pass'`) load the 2-core machine; this process keeps its own
event loop busy in 30 ms slices, 30 % of the time by default (the demo's TUI used 30 % of a core
when idle; `--busy 1.0` never lets it rest, `--busy 0` leaves it idle). Each round, in the same run:
- probe: the real `http_latency` check (50 GETs of /api/health, 10 at a time);
- reference: a plain blocking `http.client` client in its own process, no event loop, the same
  50 requests 10 at a time over keep-alive connections, the same nearest-rank P95;
- event_loop (for comparison only): the former way, awaiting httpx requests on this busy loop.
The order rotates between rounds. Target: ratio probe/reference <= 1.25, or a difference of
at most 50 ms. Prints progress on stderr and ONE JSON line on stdout with each figure's median
and range: {"probe_p95_ms", "reference_p95_ms", "ratio", "difference_ms", ...}.

    .venv/bin/python bench/probe_accuracy.py [--rounds 7] [--busy 0.3]
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from omniops_tui.config.model import load_config
from omniops_tui.probes.base import CheckSpec, Stopwatch
from omniops_tui.probes.context import CheckContext
from omniops_tui.probes.latency_check import percentile
from omniops_tui.probes.registry import KINDS
from omniops_tui.probes.runner import run_check

REQUESTS, CONCURRENCY = 50, 10
BURNER = "while 1: pass"
REFERENCE = r"""
import http.client, json, math, sys, threading, time, urllib.parse
url = urllib.parse.urlsplit(sys.argv[1]); n, c = int(sys.argv[2]), int(sys.argv[3])
tickets, times, lock = iter(range(n)), [], threading.Lock()
def worker():
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    while True:
        with lock:
            if next(tickets, None) is None:
                break
        start = time.perf_counter()
        conn.request("GET", url.path or "/")
        response = conn.getresponse()
        response.read()
        elapsed = (time.perf_counter() - start) * 1000
        if 200 <= response.status < 300:
            with lock:
                times.append(elapsed)
    conn.close()
threads = [threading.Thread(target=worker) for _ in range(c)]
for t in threads: t.start()
for t in threads: t.join()
times.sort()
print(json.dumps({"p95_ms": times[max(1, math.ceil(0.95 * len(times))) - 1], "ok": len(times)}))
"""


async def busy_loop(duty: float) -> None:
    """Keep this event loop busy the way a rendering UI does: 30 ms CPU slices, `duty` of the time."""
    while True:
        until = time.perf_counter() + 0.03
        while time.perf_counter() < until:
            pass
        await asyncio.sleep(0.03 * (1 - duty) / duty)


async def probe_p95(context: CheckContext) -> float:
    kind = KINDS["http_latency"]
    params = {name: p.default for name, p in kind.params.items()}
    params.update(requests=REQUESTS, concurrency=CONCURRENCY, path="/api/health")
    result = await run_check(CheckSpec(id="bench", kind="http_latency", params=params), context)
    stats = result.evidence.get("stats", {})
    if stats.get("ok") != REQUESTS:
        raise RuntimeError(f"probe: {result.summary}")
    return float(stats["p95_ms"])


async def reference_p95(url: str) -> float:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        REFERENCE,
        url,
        str(REQUESTS),
        str(CONCURRENCY),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"reference client failed: {err.decode()[-500:]}")
    answer = json.loads(out)
    if answer["ok"] != REQUESTS:
        raise RuntimeError(f"reference: {answer['ok']}/{REQUESTS} answered")
    return float(answer["p95_ms"])


async def event_loop_p95(url: str) -> float:
    """The former probe: requests awaited on this (busy) event loop, timed around the await."""
    import httpx

    gate = asyncio.Semaphore(CONCURRENCY)
    times: list[float] = []
    async with httpx.AsyncClient(timeout=30) as client:

        async def one() -> None:
            async with gate:
                watch = Stopwatch()
                response = await client.get(url)
                if 200 <= response.status_code < 300:
                    times.append(watch.ms)

        await asyncio.gather(*(one() for _ in range(REQUESTS)))
    return percentile(times, 0.95)


def sandbox_process(folder: Path) -> tuple[subprocess.Popen[bytes], Path]:
    config = folder / "config.toml"
    process = subprocess.Popen(
        [sys.executable, "-m", "omniops_tui", "sandbox", "--hosts", "1", "--config-out", str(config)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not (config.exists() and config.stat().st_size):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(
                f"the sandbox did not start: {process.stderr.read().decode() if process.stderr else ''}"
            )
        time.sleep(0.05)
    while True:  # written just before the banner: wait until it parses
        try:
            load_config(config)
            return process, config
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def spread(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 2),
        "min": round(min(values), 2),
        "max": round(max(values), 2),
    }


async def measure(config_path: Path, rounds: int, busy: float) -> dict[str, object]:
    context = CheckContext.from_config(load_config(config_path))
    url = f"{context.base_url}/api/health"
    await probe_p95(context)  # warm-up: imports, first connections
    await reference_p95(url)
    spinner = asyncio.create_task(busy_loop(busy)) if busy else None
    figures: dict[str, list[float]] = {"probe": [], "reference": [], "event_loop": []}
    order = ["probe", "reference", "event_loop"]
    try:
        for number in range(rounds):
            for name in order[number % 3 :] + order[: number % 3]:
                if name == "probe":
                    figures[name].append(await probe_p95(context))
                elif name == "reference":
                    figures[name].append(await reference_p95(url))
                else:
                    figures[name].append(await event_loop_p95(url))
            print(
                f"round {number + 1}/{rounds}: "
                + ", ".join(f"{k} P95 {v[-1]:.1f} ms" for k, v in figures.items()),
                file=sys.stderr,
            )
    finally:
        if spinner is not None:
            spinner.cancel()
        await context.aclose()
    ratios = [p / r for p, r in zip(figures["probe"], figures["reference"], strict=True) if r > 0]
    differences = [p - r for p, r in zip(figures["probe"], figures["reference"], strict=True)]
    ratio, difference = statistics.median(ratios), statistics.median(differences)
    return {
        "probe_p95_ms": round(statistics.median(figures["probe"]), 2),
        "reference_p95_ms": round(statistics.median(figures["reference"]), 2),
        "ratio": round(ratio, 3),
        "difference_ms": round(difference, 2),
        "target_met": ratio <= 1.25 or difference <= 50,
        "event_loop_p95_ms": round(statistics.median(figures["event_loop"]), 2),
        "range": {
            "probe_p95_ms": spread(figures["probe"]),
            "reference_p95_ms": spread(figures["reference"]),
            "event_loop_p95_ms": spread(figures["event_loop"]),
            "ratio": spread(ratios),
        },
        "rounds": rounds,
        "requests": REQUESTS,
        "concurrency": CONCURRENCY,
        "cpu_burners": 2,
        "event_loop_busy_share": busy,
    }


def main() -> None:
    args = sys.argv[1:]
    rounds = int(args[args.index("--rounds") + 1]) if "--rounds" in args else 7
    busy = float(args[args.index("--busy") + 1]) if "--busy" in args else 0.3
    burners = [subprocess.Popen([sys.executable, "-c", BURNER]) for _ in range(2)]
    try:
        with tempfile.TemporaryDirectory() as name:
            sandbox, config = sandbox_process(Path(name))
            try:
                result = asyncio.run(measure(config, max(1, rounds), busy))
            finally:
                sandbox.terminate()
                sandbox.wait(timeout=30)
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
