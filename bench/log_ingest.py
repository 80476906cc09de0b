"""Can a log pane keep up with a firehose and still answer keys? (issue 4: 50,000 lines/s, 100 ms)

Starts the sandbox production, points a config at its firehose (`tail -F firehose.log` on prod-1:
4,096 lines per write, as fast as SSH flow control allows, the only source), builds the app
with the same factory as the CLI and the tests (`build_app(Options(...))`), runs it headless
at 120x40, opens the logs screen and, for `--seconds`, measures:

- `lines_per_s`: lines the pane drew (handed to `Log.write_lines`) per second;
- `peak_rss_mb`: the process's peak resident memory (ru_maxrss), with a 10,000-line buffer;
- `key_latency_ms_p95`: a key (`p`, pause/resume) pressed every 100 ms, timed from the key
  event being posted to its action having run, 95th percentile.

By default the sandbox runs in a child process (a real SSH host is another machine: its
encryption and log generation should not share the app's core); `--same-process` runs it in
the app's event loop instead, a harsher test. Prints details on stderr and exactly one JSON
line on stdout: `{"lines_per_s": …, "peak_rss_mb": …, "key_latency_ms_p95": …}`.

    .venv/bin/python bench/log_ingest.py [--seconds 5] [--same-process] [--rate 50000]

`--rate N` streams combined.log at N lines/s instead of the firehose: at 50000 the pane should
draw every line (dropped 0, on stderr).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import AsyncIterator
from pathlib import Path

import tomli_w

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _sandbox import exit_on_signals, run

from omniops_tui.sandbox.logs import COMBINED_LOG, FIREHOSE_LOG

KEY_INTERVAL_S = 0.1
WARM_UP_S = 1.0


def one_source(config: Path, rate: float) -> Path:
    """Rewrite the sandbox config so prod-1 streams one file: the firehose, or combined.log."""
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    for environment in data["env"].values():
        environment["hosts"] = environment["hosts"][:1]
        environment["hosts"][0]["logs"] = [COMBINED_LOG if rate else FIREHOSE_LOG]
        environment["hosts"][0]["log_commands"] = []
    config.write_text(tomli_w.dumps(data), encoding="utf-8")
    return config


@contextlib.asynccontextmanager
async def sandbox_config(workdir: Path, same_process: bool, rate: float = 0.0) -> AsyncIterator[Path]:
    """A running sandbox and a one-source config for it."""
    config = workdir / "config.toml"
    if same_process:
        from omniops_tui.sandbox import Sandbox

        async with Sandbox(hosts=1, log_rate=rate) as sandbox:
            yield one_source(sandbox.write_config(config), rate)
        return
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--serve",
        str(config),
        "--rate",
        str(rate),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert child.stdout is not None and child.stdin is not None
    try:
        ready = await asyncio.wait_for(child.stdout.readline(), 30)
        if ready.strip() != b"ready":
            raise RuntimeError("the sandbox process did not start")
        yield one_source(config, rate)
    finally:
        child.stdin.close()
        try:
            await asyncio.wait_for(child.wait(), 10)
        except TimeoutError:
            child.kill()


async def serve(config: Path, rate: float) -> None:
    """Child process: run the sandbox until stdin closes."""
    import logging

    from omniops_tui.sandbox import Sandbox

    # The app hangs up mid-write when the bench ends: asyncio's "socket.send() raised" is noise.
    logging.getLogger("asyncio").setLevel(logging.ERROR)

    # Its folder (private key included) inside the parent's temporary folder: removed even if
    # this child is killed.
    async with Sandbox(hosts=1, log_rate=rate, workdir=config.parent / "sandbox") as sandbox:
        sandbox.write_config(config)
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


async def measure(seconds: float, same_process: bool, rate: float = 0.0) -> dict[str, float]:
    from textual import events

    from omniops_tui.options import Options
    from omniops_tui.ui.app import build_app
    from omniops_tui.ui.screens.logs import LogsScreen

    with tempfile.TemporaryDirectory(prefix="omniops-log-ingest-") as tmp:
        workdir = Path(tmp)
        async with sandbox_config(workdir, same_process, rate) as config:
            options = Options(
                runbooks=None, sessions_dir=workdir / "sessions", config=config, env=None, read_only=False
            )
            app = build_app(options, session_id="log-ingest")
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.press("l")
                screen = app.screen
                assert isinstance(screen, LogsScreen) and screen.hub is not None
                pane = screen.current_pane
                assert pane is not None
                deadline = time.monotonic() + 15
                while pane.buffer.shown == 0:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"no lines from the firehose: {screen.hub.states}")
                    await asyncio.sleep(0.05)
                await asyncio.sleep(WARM_UP_S)

                handled: list[float] = []
                toggle = screen.action_toggle_pause

                def timed_toggle() -> None:
                    toggle()
                    handled.append(time.perf_counter())

                screen.action_toggle_pause = timed_toggle  # type: ignore[method-assign]
                latencies: list[float] = []
                shown0, received0, dropped0 = pane.buffer.shown, pane.buffer.received, pane.buffer.dropped
                start = time.perf_counter()
                while (elapsed := time.perf_counter() - start) < seconds:
                    count = len(handled)
                    sent = time.perf_counter()
                    app.post_message(events.Key("p", "p"))
                    while len(handled) == count and time.perf_counter() - sent < 5:
                        await asyncio.sleep(0.0005)
                    if len(handled) > count:
                        latencies.append((handled[-1] - sent) * 1000)
                    await asyncio.sleep(max(0.0, KEY_INTERVAL_S - (time.perf_counter() - sent)))
                elapsed = time.perf_counter() - start
                if not pane.following:
                    pane.follow()
                shown = pane.buffer.shown - shown0
                received = pane.buffer.received - received0
                dropped = pane.buffer.dropped - dropped0
                recorded_mb = app.recorder.bytes_written / 1e6 if app.recorder else 0.0
                await app.action_quit()
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) >= 2 else float("nan")
    print(
        json.dumps(
            {
                "seconds": round(elapsed, 2),
                "received_per_s": round(received / elapsed),
                "dropped": dropped,
                "keys": len(latencies),
                "key_latency_ms_max": round(max(latencies), 1),
                "key_latency_ms_median": round(statistics.median(latencies), 1),
                "session_mb": round(recorded_mb, 1),
                "sandbox": "same process" if same_process else "child process",
                "source": f"combined.log at {rate:g} lines/s" if rate else "firehose",
            }
        ),
        file=sys.stderr,
    )
    return {
        "lines_per_s": round(shown / elapsed),
        "peak_rss_mb": round(peak_rss_mb, 1),
        "key_latency_ms_p95": round(p95, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument(
        "--same-process",
        action="store_true",
        help="run the sandbox SSH host in the app's process and event loop",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="stream combined.log at this many lines/s instead of the firehose",
    )
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    exit_on_signals()
    if args.serve:
        run(serve(args.serve, args.rate))
        return
    print(json.dumps(run(measure(args.seconds, args.same_process, args.rate))))


if __name__ == "__main__":
    main()
