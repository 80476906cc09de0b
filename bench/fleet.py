"""Fleet fan-out: one host-metrics round across 100 sandbox SSH hosts versus one host.

Every host gets ONE read-only probe per round on its pooled connection, all concurrently, so
100 hosts should cost about as much wall time as a few. The sandbox runs in a child process
(as production would be elsewhere), so its SSH server work does not share this event loop.
Prints one JSON line: {"hosts": 100, "wall_s": …, "one_host_wall_s": …, "first_round_s": …}
(`wall_s` is a steady-state round; `first_round_s` includes the 100 SSH handshakes).
The sandbox is `omniops-tui sandbox`, stopped with SIGTERM: its folder (private key included)
is removed on every exit path, also when this bench is terminated.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _sandbox import exit_on_signals, run, sandbox_process, stop

from omniops_tui.config.model import load_config
from omniops_tui.live.sampler import MetricsSampler
from omniops_tui.probes.context import CheckContext

HOSTS = 100


async def host_round(config_path: Path, limit: int, rounds: int = 3) -> tuple[float, float]:
    """(first round incl. connects, best steady round) for the first `limit` hosts."""
    config = load_config(config_path)
    environment = config.environment()
    environment.hosts = environment.hosts[:limit]
    context = CheckContext(config, environment, timeout=30)
    sampler = MetricsSampler(context, None, record=lambda event: None)
    try:
        started = time.perf_counter()
        samples = await sampler._hosts(context)
        first = time.perf_counter() - started
        assert all(s.status != "error" for s in samples), [s for s in samples if s.status == "error"][:2]
        steady = []
        for _ in range(rounds):
            started = time.perf_counter()
            await sampler._hosts(context)
            steady.append(time.perf_counter() - started)
        return first, min(steady)
    finally:
        await context.aclose()


async def rounds() -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory(prefix="omniops-bench-fleet-") as tmp:
        child, config = await sandbox_process(Path(tmp), hosts=HOSTS)
        try:
            _first_one, one = await host_round(config, 1)
            first, steady = await host_round(config, HOSTS)
        finally:
            await stop(child)
    return one, first, steady


def main() -> None:
    exit_on_signals()
    one, first, steady = run(rounds())
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


if __name__ == "__main__":
    main()
