"""How fast the sandbox can feed one SSH log stream: the ceiling for the log-ingest benchmark.

Starts the sandbox, runs `tail -F /var/log/omniops/firehose.log` on prod-1 over asyncssh,
reads `read(65536)` chunks for ~3 s and counts lines. Client and server share one process
(and one event loop) here, so the figure is a lower bound of what a separate client sees.
`--text` reads decoded str (asyncssh's utf-8 decoding) instead of bytes, to show its cost.
Prints exactly one JSON line: `{"lines_per_s": …, "mb_per_s": …, "seconds": …, "mode": …}`.

    .venv/bin/python bench/sandbox_firehose.py [--seconds 3] [--text]
"""

from __future__ import annotations

import argparse
import json
import time

import asyncssh
from _sandbox import exit_on_signals, run

from omniops_tui.sandbox import Sandbox


async def measure(seconds: float, text: bool) -> dict[str, object]:
    async with (
        Sandbox(hosts=1) as sandbox,
        asyncssh.connect(
            sandbox.hosts[0].name, config=[str(sandbox.ssh_config)], known_hosts=str(sandbox.known_hosts)
        ) as conn,
    ):
        process = await conn.create_process(
            "tail -F /var/log/omniops/firehose.log", encoding="utf-8" if text else None
        )
        newline: str | bytes = "\n" if text else b"\n"
        await process.stdout.read(65536)  # the stream is flowing: start the clock
        lines = size = 0
        start = time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds:
            chunk = await process.stdout.read(65536)
            if not chunk:
                break
            lines += chunk.count(newline)  # type: ignore[arg-type]
            size += len(chunk)
        process.close()
    return {
        "lines_per_s": round(lines / elapsed),
        "mb_per_s": round(size / elapsed / 1e6, 1),
        "seconds": round(elapsed, 2),
        "mode": "str" if text else "bytes",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--text", action="store_true", help="read decoded text instead of bytes")
    args = parser.parse_args()
    exit_on_signals()  # the sandbox's folder (and key) is removed even when terminated
    print(json.dumps(run(measure(args.seconds, args.text))))


if __name__ == "__main__":
    main()
