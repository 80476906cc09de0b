"""Fleet fan-out: one host-metrics round across 100 sandbox SSH hosts versus one host.

Every host gets ONE read-only probe per round on its pooled connection, all concurrently, so
100 hosts should cost about as much wall time as a few. The sandbox runs in a child process
(as production would be elsewhere), so its SSH server work does not share this event loop.
Prints one JSON line: {"hosts": 100, "wall_s": …, "one_host_wall_s": …, "first_round_s": …}
(`wall_s` is a steady-state round; `first_round_s` includes the 100 SSH handshakes).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from omniops_tui.config.model import load_config
from omniops_tui.live.sampler import MetricsSampler
from omniops_tui.probes.context import CheckContext

HOSTS = 100
SANDBOX = """
import asyncio, sys
from pathlib import Path
from omniops_tui.sandbox import Sandbox
async def main():
    async with Sandbox(hosts=int(sys.argv[1])) as sb:
        sb.write_config(Path(sys.argv[2]))
        print("ready", flush=True)
        await asyncio.Event().wait()
asyncio.run(main())
"""


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


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "fleet.toml"
        child = subprocess.Popen(
            [sys.executable, "-c", SANDBOX, str(HOSTS), str(config)], stdout=subprocess.PIPE, text=True
        )
        try:
            assert child.stdout is not None and child.stdout.readline().strip() == "ready"
            _first_one, one = asyncio.run(host_round(config, 1))
            first, steady = asyncio.run(host_round(config, HOSTS))
        finally:
            child.terminate()
            child.wait(10)
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
