"""Can a log pane keep up with a firehose, record it, and still answer keys? (issue 12)

Starts the sandbox production in a child process (a real SSH host is another machine) and
points a one-source config at its firehose (`tail -F firehose.log` on prod-1: 4,096 lines per
write, as fast as SSH flow control allows). Then, several rounds, alternating:

- the reference: a plain asyncssh read of the same command over the same kind of connection,
  counting newlines and nothing else, twice: with the app's connection options (AES-GCM first,
  `floor_lines_per_s`, the honest limit) and with asyncssh's defaults (chacha20-poly1305 first,
  `floor_default_cipher_lines_per_s`, what a plain asyncssh client gets);
- the app, built with the CLI's factory (`build_app`), headless at 80x24 with recording on,
  the logs screen open and following (no pause toggling), for `--seconds`. The record keeps
  every line up to the session's log cap (50 MB, as designed), then only the ERROR lines: a
  firehose reaches it in the warm-up (timed apart), so the rounds measure that steady state
  (`record_capped`); `--record-cap-mb 100000` measures the phase where every line is recorded.
  - `received_per_s`: lines into the pane's buffer;
  - `shown_per_s`: lines that passed through the following pane's buffer (drawn, or overtaken
    by newer lines within the same frame: at 800k lines/s a frame brings 30k lines, the screen
    holds 22; the scrollback and the record keep them all), `frames_per_s` (writes to the
    view) and `drawn_per_s` (lines written to the view);
  - `dropped_per_s`: lines lost, the stream delivered them but they never entered the buffer,
    or (while the log cap is not reached) never entered the record;
  - `recorded_lines_per_s`, `recorded_mb_per_s`;
  - `every_line_recorded_per_s`: lines/s received before the rounds, from the first line until
    the record reached its cap (every line recorded: redaction and JSON for each), at most 20 s;
  - then, for as long again, key latency: ctrl+f and escape alternately every 100 ms at most
    (the search input opens and closes; following never stops), timed from the key event posted
    to the first refresh after its action ran (`call_after_refresh`), with
    `received_during_keys_per_s` and `keys_per_s` (a faster app presses more keys, each a
    layout, so this throughput is not comparable across versions: the first phase's is);
  - `received_per_cpu_s` (and `_during_keys_`): lines per CPU second of this process (the app;
    the sandbox runs in a child), steadier than wall-clock rates on a shared machine, with
    `cpu_share`, the CPU the app got per wall second (1.0: a whole core; it needs one).

Then once, `key_latency_pty_ms`: the same keys to `omniops-tui` in a real 80x24 terminal, from
the key written until the emulated screen shows the change (50 samples; `_terminal.py`), and
`key_latency_pty_emulation_ms`, the part of each spent emulating the terminal in this process.

`peak_rss_mb` is the bench process's peak resident memory (ru_maxrss) with a 10,000-line buffer.
Prints details on stderr and exactly one JSON line on stdout with the median and range of each
figure over the rounds, key latency as p50/p95/max over every sample.

    .venv/bin/python bench/log_ingest.py [--rounds 3] [--seconds 5] [--same-process] [--rate N]

`--rate N` streams combined.log at N lines/s instead of the firehose: at 50000 the pane should
draw every line (dropped 0).
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
PTY_SAMPLES = 50
WARM_UP_S = 1.0
CAP_PHASE_MAX_S = 20.0


def one_source(config: Path, rate: float, record_cap_mb: float | None = None) -> Path:
    """Rewrite the sandbox config so prod-1 streams one file: the firehose, or combined.log."""
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    if record_cap_mb is not None:
        data["log_record_cap_mb"] = record_cap_mb
    for environment in data["env"].values():
        environment["hosts"] = environment["hosts"][:1]
        environment["hosts"][0]["logs"] = [COMBINED_LOG if rate else FIREHOSE_LOG]
        environment["hosts"][0]["log_commands"] = []
    config.write_text(tomli_w.dumps(data), encoding="utf-8")
    return config


@contextlib.asynccontextmanager
async def sandbox_config(
    workdir: Path, same_process: bool, rate: float = 0.0, record_cap_mb: float | None = None
) -> AsyncIterator[Path]:
    """A running sandbox and a one-source config for it."""
    config = workdir / "config.toml"
    if same_process:
        from omniops_tui.sandbox import Sandbox

        async with Sandbox(hosts=1, log_rate=rate) as sandbox:
            yield one_source(sandbox.write_config(config), rate, record_cap_mb)
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
        yield one_source(config, rate, record_cap_mb)
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


async def floor(config: Path, seconds: float, *, default_cipher: bool = False) -> float:
    """Lines/s of a plain asyncssh read of the source's command: the reference. With the app's
    connection options, or (`default_cipher`) without its cipher preference."""
    from omniops_tui.config.model import load_config
    from omniops_tui.live.log_stream import sources_for
    from omniops_tui.probes import context as context_module
    from omniops_tui.probes.context import CheckContext

    loaded = load_config(config)
    environment = loaded.environment()
    source = sources_for(environment)[0]
    context = CheckContext(loaded, environment)
    preference = getattr(context_module, "prefer_ciphers", None)  # None: older code
    if default_cipher and preference is not None:
        context_module.prefer_ciphers = lambda algs: algs  # type: ignore[assignment]
    try:
        connection = await context.ssh(source.host)
        process = await connection.create_process(source.command, encoding=None)
        lines = 0
        started = time.perf_counter()
        while time.perf_counter() - started < seconds:
            chunk = await process.stdout.read(1 << 16)
            if not chunk:
                break
            lines += chunk.count(b"\n")
        elapsed = time.perf_counter() - started
        process.close()
    finally:
        if preference is not None:
            context_module.prefer_ciphers = preference  # type: ignore[assignment]
        await context.aclose()
    return lines / elapsed


async def app_round(config: Path, workdir: Path, seconds: float) -> dict[str, float | list[float]]:
    from textual import events

    from omniops_tui.options import Options
    from omniops_tui.ui.factory import build_app
    from omniops_tui.ui.screens.logs import LogsScreen

    options = Options(
        runbooks=None, sessions_dir=workdir / "sessions", config=config, env=None, read_only=False
    )
    app = build_app(options, session_id=f"log-ingest-{workdir.name}")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")
        screen = app.screen
        assert isinstance(screen, LogsScreen)
        pane = screen.current_pane
        assert pane is not None
        deadline = time.monotonic() + 15
        while pane.buffer.shown == 0:
            if time.monotonic() > deadline:
                raise RuntimeError("no lines from the firehose")
            await asyncio.sleep(0.05)
        live = app.live
        assert live is not None and live.logs is not None, "no log service"

        # The phase where every line is recorded, up to the cap: timed on its own, so the
        # rounds (after it) measure one steady state, not a mix of both.
        def streamed() -> int:
            return int(getattr(live.logs, "lines_received", pane.buffer.received))

        first_lines, first_t = streamed(), time.perf_counter()
        while not live.logs.cap.capped and time.perf_counter() - first_t < CAP_PHASE_MAX_S:
            await asyncio.sleep(0.01)
        every_line_per_s = (streamed() - first_lines) / (time.perf_counter() - first_t)
        await asyncio.sleep(WARM_UP_S)

        painted: list[float] = []
        latencies: list[float] = []
        buffer = pane.buffer
        service = app.live.logs if app.live else None
        assert service is not None, "no log service"

        def counters() -> dict[str, float]:
            # getattr: the same bench runs against older code (PYTHONPATH) for paired figures
            return {
                "stream": getattr(service, "lines_received", buffer.received),
                "queued": getattr(service, "queued_lines", 0),
                "received": buffer.received,
                "shown": buffer.shown + getattr(buffer, "skipped", 0),
                "frames": getattr(pane, "frames", 0),
                "drawn": getattr(pane, "drawn", 0),
                "recorded": service.cap.lines_recorded,
                "bytes": app.live.recorder.bytes_written if app.live else 0,
            }

        before = counters()
        capped_before = service.cap.capped
        start, cpu_start = time.perf_counter(), time.process_time()
        # The stream alone first, then the same time with keys: how many keys a round presses
        # depends on how fast they are answered, so throughput under keys is reported apart.
        await asyncio.sleep(seconds)
        quiet_elapsed, quiet_cpu = time.perf_counter() - start, time.process_time() - cpu_start
        quiet = counters()
        start, cpu_start = time.perf_counter(), time.process_time()
        keys = ("ctrl+f", "escape")
        while time.perf_counter() - start < seconds:
            key = keys[len(latencies) % 2]
            count = len(painted)
            original = screen.action_search if key == "ctrl+f" else screen.action_back

            def timed(original=original) -> None:  # type: ignore[no-untyped-def]
                original()
                screen.call_after_refresh(lambda: painted.append(time.perf_counter()))

            if key == "ctrl+f":
                screen.action_search = timed  # type: ignore[method-assign]
            else:
                screen.action_back = timed  # type: ignore[method-assign]
            sent = time.perf_counter()
            app.post_message(events.Key(key, None))
            while len(painted) == count and time.perf_counter() - sent < 5:
                await asyncio.sleep(0.0005)
            screen.__dict__.pop("action_search", None)
            screen.__dict__.pop("action_back", None)
            if len(painted) > count:
                latencies.append((painted[-1] - sent) * 1000)
            await asyncio.sleep(max(0.0, KEY_INTERVAL_S - (time.perf_counter() - sent)))
        keyed_elapsed, keyed_cpu = time.perf_counter() - start, time.process_time() - cpu_start
        following = pane.following
        after = counters()
        capped = service.cap.capped
        await app.action_quit()
    if not following:
        raise RuntimeError("the pane stopped following during the round: the figures would flatter it")
    keyed = {name: after[name] - quiet[name] for name in after}
    delta = {name: quiet[name] - before[name] for name in after}
    elapsed = quiet_elapsed
    lost = delta["stream"] - delta["queued"] - delta["received"]
    if not capped:
        lost = max(lost, delta["stream"] - delta["queued"] - delta["recorded"])
    return {
        "record_capped": float(capped_before) + float(capped),
        "every_line_recorded_per_s": every_line_per_s,
        "received_per_s": delta["received"] / elapsed,
        "shown_per_s": delta["shown"] / elapsed,
        "dropped_per_s": lost / elapsed,
        "frames_per_s": delta["frames"] / elapsed,
        "drawn_per_s": delta["drawn"] / elapsed,
        "recorded_lines_per_s": delta["recorded"] / elapsed,
        "recorded_mb_per_s": delta["bytes"] / elapsed / 1e6,
        "received_during_keys_per_s": keyed["received"] / keyed_elapsed,
        "received_per_cpu_s": delta["received"] / quiet_cpu,
        "received_during_keys_per_cpu_s": keyed["received"] / keyed_cpu,
        "cpu_share": quiet_cpu / quiet_elapsed,
        "keys_per_s": len(latencies) / keyed_elapsed,
        "latencies": latencies,
    }


def _rss_mb() -> float:
    """This process's resident memory now (the peak alone cannot say which phase grew)."""
    status = Path("/proc/self/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))) / 1024


def pty_keys(config: Path, home: Path, samples: int) -> tuple[list[float], list[float]]:
    """Key latency as a person has it: `omniops-tui` in a real 80x24 terminal on the logs screen
    of the firehose, ctrl+f and enter alternately, from the key written to the emulated screen
    showing (or no longer showing) the search input; and of each, the time this process spent
    emulating the terminal (it is part of the latency). Milliseconds."""
    from _terminal import Terminal, isolated_env

    command = [sys.executable, "-m", "omniops_tui", "--config", str(config)]
    latencies: list[float] = []
    emulation: list[float] = []
    with Terminal(command, isolated_env(home)) as term:
        term.wait_text("Duration    Risk", 60)
        term.timed("l", lambda s: "received" in s, 60)
        term.drain(WARM_UP_S)
        for index in range(samples):
            term.drain(0.0)  # what arrived before the key is not the key's to emulate
            emulated = term.emulation_s
            if index % 2 == 0:
                latencies.append(term.timed("ctrl+f", lambda s: "search: a regex" in s) * 1000)
            else:
                # enter on the empty input closes it (escape is ambiguous in a terminal: a lagging
                # reader sees escape + the next key as one alt+key sequence)
                latencies.append(term.timed("enter", lambda s: "search: a regex" not in s) * 1000)
            emulation.append((term.emulation_s - emulated) * 1000)
            term.drain(KEY_INTERVAL_S)
        term.press("ctrl+q")
        term.wait_exit(30)
    return latencies, emulation


async def measure(
    rounds: int, seconds: float, same_process: bool, rate: float = 0.0, record_cap_mb: float | None = None
) -> dict[str, object]:
    figures: dict[str, list[float]] = {
        "floor_lines_per_s": [],
        "floor_default_cipher_lines_per_s": [],
        "received_per_s": [],
        "shown_per_s": [],
        "dropped_per_s": [],
        "every_line_recorded_per_s": [],
        "frames_per_s": [],
        "drawn_per_s": [],
        "recorded_lines_per_s": [],
        "recorded_mb_per_s": [],
        "received_during_keys_per_s": [],
        "received_per_cpu_s": [],
        "received_during_keys_per_cpu_s": [],
        "cpu_share": [],
        "keys_per_s": [],
    }
    latencies: list[float] = []
    capped_states: list[str] = []
    with tempfile.TemporaryDirectory(prefix="omniops-log-ingest-") as tmp:
        workdir = Path(tmp)
        async with sandbox_config(workdir, same_process, rate, record_cap_mb) as config:
            for number in range(rounds):
                figures["floor_lines_per_s"].append(await floor(config, seconds))
                figures["floor_default_cipher_lines_per_s"].append(
                    await floor(config, seconds, default_cipher=True)
                )
                print(f"after the floor: rss {_rss_mb():.0f} MB", file=sys.stderr)
                result = await app_round(config, workdir / f"round-{number}", seconds)
                keys = result.pop("latencies")
                assert isinstance(keys, list)
                latencies.extend(keys)
                capped_states.append(("no", "during the round", "yes")[int(result.pop("record_capped"))])
                for name, value in result.items():
                    assert isinstance(value, float)
                    figures[name].append(value)
                print(
                    f"rss now {_rss_mb():.0f} MB, "
                    f"peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; "
                    f"round {number + 1}: floor {figures['floor_lines_per_s'][-1]:,.0f}/s "
                    f"(default cipher {figures['floor_default_cipher_lines_per_s'][-1]:,.0f}/s), "
                    f"received {result['received_per_s']:,.0f}/s, shown {result['shown_per_s']:,.0f}/s, "
                    f"dropped {result['dropped_per_s']:,.0f}/s, frames {result['frames_per_s']:.1f}/s, "
                    f"recorded {result['recorded_lines_per_s']:,.0f}/s, "
                    f"keys p50 {statistics.median(keys):.1f} ms",
                    file=sys.stderr,
                )
            pty, emulation = await asyncio.to_thread(pty_keys, config, workdir / "pty", PTY_SAMPLES)
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ordered = sorted(latencies)
    report: dict[str, object] = {
        "rounds": rounds,
        "seconds": seconds,
        "source": f"combined.log at {rate:g} lines/s" if rate else "firehose",
        "sandbox": "same process" if same_process else "child process",
        "record_cap_mb": record_cap_mb if record_cap_mb is not None else "default",
        "record_capped": capped_states,
    }
    for name, values in figures.items():
        digits = 2 if "mb" in name or "share" in name else 0
        report[name] = {
            "median": round(statistics.median(values), digits),
            "min": round(min(values), digits),
            "max": round(max(values), digits),
        }
    for name in ("floor_lines_per_s", "floor_default_cipher_lines_per_s"):
        ratio = statistics.median(figures["received_per_s"]) / statistics.median(figures[name])
        report["received_vs_" + name.removesuffix("_lines_per_s")] = round(ratio, 2)
    report["key_latency_ms"] = {
        "p50": round(statistics.median(ordered), 1),
        "p95": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
        "max": round(ordered[-1], 1),
        "n": len(ordered),
    }
    for name, values in (("key_latency_pty_ms", pty), ("key_latency_pty_emulation_ms", emulation)):
        real = sorted(values)
        report[name] = {
            "p50": round(statistics.median(real), 1),
            "p95": round(real[int(0.95 * (len(real) - 1))], 1),
            "max": round(real[-1], 1),
            "n": len(real),
        }
    report["peak_rss_mb"] = round(peak_rss_mb, 1)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
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
    parser.add_argument(
        "--record-cap-mb",
        type=float,
        default=None,
        help="the session's log record cap (default: the config's, 50 MB); 100000 records every line",
    )
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    exit_on_signals()
    if args.serve:
        run(serve(args.serve, args.rate))
        return
    report = run(measure(args.rounds, args.seconds, args.same_process, args.rate, args.record_cap_mb))
    print(json.dumps(report))


if __name__ == "__main__":
    main()
