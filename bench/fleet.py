"""Fleet fan-out: one host-metrics round across many sandbox hosts, over SSH or from Prometheus.

SSH mode (the default): every host gets ONE read-only probe per round on its pooled
connection, all concurrently, so 100 hosts should cost about as much wall time as a few.
Prints one JSON line: {"hosts": 100, "wall_s": …, "one_host_wall_s": …, "first_round_s": …}
(`wall_s` is a steady-state round; `first_round_s` includes the 100 SSH handshakes).

`--prometheus`: for 10, 100 and 1,000 hosts (`--sizes`), a sandbox of that size is scraped by a
throwaway Prometheus (the Debian package `prometheus`), and each size runs `--rounds` cycles of
both ways of sampling the fleet: one `PrometheusSource.sample_once()` (one instant
query per figure, whatever the fleet size) and one SSH round. Prints one JSON line with, per
size, the median and range of each, the bytes and the number of queries of a Prometheus cycle,
what the metrics screen then pays to fold the cycle's samples and sort the host table
(`fold_and_table_s`), and whether the target (<= 0.2 s per cycle at 1,000 hosts with
Prometheus) is met.

The sandbox runs in a child process (as production would be elsewhere), so its servers do not
share this event loop. Every process and temporary folder the bench starts is removed at the
end, also on ctrl+c.

    .venv/bin/python bench/fleet.py [--prometheus [--sizes 10,100,1000] [--rounds 5]]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _sandbox import exit_on_signals

from omniops_tui.config.model import PrometheusConfig, load_config
from omniops_tui.core.events import MetricSample
from omniops_tui.live.prometheus_source import PrometheusSource
from omniops_tui.live.sampler import MetricsSampler
from omniops_tui.logic.history import MetricHistory
from omniops_tui.logic.host_table import HostTable
from omniops_tui.probes.context import CheckContext

HOSTS = 100
TARGET_S = 0.2
# SIGTERM ends the `async with`, so the sandbox removes its own temporary folder.
SANDBOX = """
import asyncio, signal, sys
from pathlib import Path
from omniops_tui.sandbox import Sandbox
async def main():
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with Sandbox(hosts=int(sys.argv[1]), log_rate=1.0) as sb:
        sb.write_config(Path(sys.argv[2]))
        print("ready", sb.app_metrics_target, sb.node_metrics_target, flush=True)
        await stop.wait()
asyncio.run(main())
"""


class SandboxChild:
    """A sandbox of `hosts` hosts in a child process, with its config written to `folder`."""

    def __init__(self, hosts: int, folder: Path) -> None:
        self.config = folder / "fleet.toml"
        self.process = subprocess.Popen(
            [sys.executable, "-c", SANDBOX, str(hosts), str(self.config)], stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        try:
            words = self.process.stdout.readline().split()
        except BaseException:  # terminated while it starts: it must not outlive us
            self.stop()
            raise
        if not words or words[0] != "ready":
            self.stop()
            raise RuntimeError("the sandbox child did not start")
        self.app_target, self.node_target = words[1], words[2]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def ssh_context(config_path: Path, limit: int) -> tuple[CheckContext, MetricsSampler]:
    config = load_config(config_path)
    environment = config.environment()
    assert environment is not None
    environment.hosts = environment.hosts[:limit]
    context = CheckContext(config, environment, timeout=120)
    return context, MetricsSampler(context, None, record=lambda event: None)


async def ssh_round(context: CheckContext, sampler: MetricsSampler, *, strict: bool = True) -> float:
    """Wall time of one probe of every host; `strict`: every host must answer."""
    started = time.perf_counter()
    samples = await sampler._hosts(context)
    elapsed = time.perf_counter() - started
    failed = {s.host for s in samples if s.status == "error"}
    if strict:
        assert not failed, sorted(failed)[:3]
    elif failed:
        print(f"  ssh: {len(failed)} hosts did not answer within {context.timeout:g} s", file=sys.stderr)
    return elapsed


async def host_round(config_path: Path, limit: int, rounds: int = 3) -> tuple[float, float]:
    """(first round incl. connects, best steady round) for the first `limit` hosts."""
    context, sampler = ssh_context(config_path, limit)
    try:
        first = await ssh_round(context, sampler)
        return first, min([await ssh_round(context, sampler) for _ in range(rounds)])
    finally:
        await context.aclose()


def ssh_mode() -> None:
    with tempfile.TemporaryDirectory(prefix="omniops-bench-fleet-") as tmp:
        child = SandboxChild(HOSTS, Path(tmp))
        try:
            _first_one, one = asyncio.run(host_round(child.config, 1))
            first, steady = asyncio.run(host_round(child.config, HOSTS))
        finally:
            child.stop()
    print(
        json.dumps(
            {
                "hosts": HOSTS,
                "wall_s": round(steady, 3),
                "one_host_wall_s": round(one, 3),
                "first_round_s": round(first, 3),
            }
        )
    )


# ------------------------------------------------------------------ Prometheus mode
async def compare(config_path: Path, url: str, hosts: int, rounds: int) -> dict[str, object]:
    """`rounds` Prometheus cycles, then `rounds` SSH rounds, on a fleet of `hosts`."""
    config = load_config(config_path)
    environment = config.environment()
    assert environment is not None
    environment.prometheus = PrometheusConfig(url=url, window="10s", timeout=30)
    source = PrometheusSource.from_environment(config, environment)
    assert source is not None
    context, sampler = ssh_context(config_path, hosts)
    prometheus_s: list[float] = []
    table_s: list[float] = []
    ssh_s: list[float] = []
    sizes: list[int] = []
    history = MetricHistory()
    try:
        # Prometheus first, while the sandbox is quiet: the SSH rounds keep the sandbox's one
        # process busy enough (1,000 sessions on a small machine) to make its scrapes late.
        for _ in range(rounds):
            before = source.client.bytes_received
            started = time.perf_counter()
            samples = await source.sample_once()
            prometheus_s.append(time.perf_counter() - started)
            sizes.append(source.client.bytes_received - before)
            covered = {s.host for s in samples if s.metric == "cpu_percent" and s.value is not None}
            assert len(covered) == hosts, f"Prometheus answered for {len(covered)} of {hosts} hosts"
            table_s.append(fold_and_table(history, samples, hosts))
        # Connects every host once (1,000 handshakes on a small machine: some may time out).
        handshakes = await ssh_round(context, sampler, strict=False)
        for _ in range(rounds):
            ssh_s.append(await ssh_round(context, sampler, strict=False))
    finally:
        await context.aclose()
        await source.aclose()
    return {
        "prometheus_cycle_s": summary(prometheus_s),
        "fold_and_table_s": summary(table_s),
        "ssh_cycle_s": summary(ssh_s),
        "ssh_first_round_s": round(handshakes, 3),
        "prometheus_figures": len(source.queries),
        "prometheus_queries_per_cycle": sum(1 for q in source.queries if not q.per_host)
        + (1 if source.fleet_query() else sum(1 for q in source.queries if q.per_host)),
        "prometheus_bytes": int(statistics.median(sizes)),
    }


def fold_and_table(history: MetricHistory, samples: list[MetricSample], hosts: int) -> float:
    """The screen's side of a cycle: fold the samples, then sort the host table worst first."""
    started = time.perf_counter()
    for sample in samples:
        history.add(sample)
    rows = HostTable(history).rows()
    elapsed = time.perf_counter() - started
    assert len(rows) == hosts, f"the host table has {len(rows)} of {hosts} hosts"
    return elapsed


def summary(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 4),
        "min": round(min(values), 4),
        "max": round(max(values), 4),
    }


def prometheus_mode(sizes: list[int], rounds: int) -> None:
    from omniops_tui.sandbox.prometheus import PrometheusServer, install_prometheus

    problem = install_prometheus()
    if problem:
        raise SystemExit(problem)
    results: dict[str, object] = {}
    for hosts in sizes:
        with tempfile.TemporaryDirectory(prefix="omniops-bench-fleet-") as tmp:
            child = SandboxChild(hosts, Path(tmp))
            server = PrometheusServer(
                app_target=child.app_target, node_target=child.node_target, scrape_interval=2
            )
            try:
                server.start()
                server.wait_for(f"count(node_load1) == {hosts}", timeout=120)
                server.wait_for("min(count_over_time(up[10s])) >= 3", timeout=120)
                results[str(hosts)] = asyncio.run(compare(child.config, server.url, hosts, rounds))
                print(f"{hosts} hosts: {results[str(hosts)]}", file=sys.stderr)
            finally:
                server.stop()
                child.stop()
    largest = results.get(str(max(sizes)), {})
    median = largest.get("prometheus_cycle_s", {}).get("median") if isinstance(largest, dict) else None
    print(
        json.dumps(
            {
                "mode": "prometheus",
                "rounds": rounds,
                "target_s_at_1000": TARGET_S,
                "target_met": bool(median is not None and max(sizes) >= 1000 and median <= TARGET_S),
                "hosts": results,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--prometheus", action="store_true", help="compare Prometheus with SSH probing")
    parser.add_argument("--sizes", default="10,100,1000", help="fleet sizes of the Prometheus mode")
    parser.add_argument("--rounds", type=int, default=5, help="cycles of each way per size")
    args = parser.parse_args()
    exit_on_signals()  # SIGTERM/SIGHUP unwind the `with` blocks: no sandbox folder (or key) is left
    if args.prometheus:
        prometheus_mode([int(size) for size in args.sizes.split(",")], args.rounds)
    else:
        ssh_mode()


if __name__ == "__main__":
    main()
