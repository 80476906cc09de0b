"""How fast does a run's output reach the screen, and do keys still answer? (issue 13)

Targets (the log pane's): >= 200,000 lines/s into the output pane, p95 key latency < 100 ms.

- `pane`: the real App, headless at 80x24 (`build_app`, as the CLI builds it), a runbook with
  the block `yes | head -n N`; `x`, `enter` runs it locally and the RunPane draws it from the
  session's fold. Lines/s is N over the time from the key that started it to the pane drawing
  the run's end; meanwhile, from 0.2 s after the pane's first lines (the dialog has gone) to
  the end, a key (`j`/`k`, the section's cursor) is posted every 20 ms and timed from the key
  event being posted to its action having run. `key_p95_ms` is each round's p95; `all_keys_p95_ms`
  the p95 of every key of every round.
- `runner`: the same command through `CommandRunner` alone (recording into a counting sink);
- `reference`: the same command read straight from the pipe, no runner at all.

Several rounds of each; details on stderr and ONE JSON line on stdout with each figure's median
and range: `{"pane_lines_per_s_median", "pane_lines_per_s_range", "key_p95_ms_median",
"key_p95_ms_range", "runner_lines_per_s_median", …, "reference_lines_per_s_median", "keys"}`.

    .venv/bin/python bench/run_output.py [--rounds 5] [--lines 30000000]

30M lines by default: the run must outlast the 0.2 s warm-up by seconds for keys to be timed
during it (at 2M the whole run ended within the warm-up and no key was measured).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from textual import events

from omniops_tui.live.run_policy import Policy, Target, plan_run
from omniops_tui.live.runner import CommandRunner
from omniops_tui.options import Options
from omniops_tui.runbooks.placeholders import substitute
from omniops_tui.runbooks.safety import classify

KEY_INTERVAL_S = 0.02
WARM_UP_S = 0.2
RUNBOOK = """# Bench

## 1. Flood

### Steps

**1. Flood**

```bash
{command}
```
"""


async def through_pane(command: str, lines: int) -> tuple[float, list[float], int]:
    """(lines/s into the pane, key latencies in ms, lines the pane read)."""
    from omniops_tui.ui.factory import build_app
    from omniops_tui.ui.screens.runbook import RunbookScreen

    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        (workdir / "bench.md").write_text(RUNBOOK.format(command=command), encoding="utf-8")
        options = Options(runbooks=workdir / "bench.md", sessions_dir=workdir / "sessions")
        app = build_app(options, session_id="run-output")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("enter", "right", "down", "x")
            await pilot.pause()
            screen = app.screen.app.screen_stack[-2]
            assert isinstance(screen, RunbookScreen)
            view = screen.current_view()
            assert view is not None
            pane = screen.run_pane
            handled: list[float] = []
            moves = {"j": view.action_cursor_down, "k": view.action_cursor_up}

            def timed(move):  # type: ignore[no-untyped-def]
                def run() -> None:
                    move()
                    handled.append(time.perf_counter())

                return run

            view.action_cursor_down = timed(moves["j"])  # type: ignore[method-assign]
            view.action_cursor_up = timed(moves["k"])  # type: ignore[method-assign]
            started = time.perf_counter()
            app.post_message(events.Key("enter", None))  # read-only: one key (not awaited: the
            # pilot would wait for the screen to settle, i.e. for the whole run)
            latencies: list[float] = []
            key = "j"
            while pane.lines_received == 0 and pane.record is None:
                await asyncio.sleep(0.001)
            await asyncio.sleep(WARM_UP_S)  # the dialog goes, the screen comes back: not "meanwhile"
            while pane.record is None or not pane.record.done or pane.live:
                count = len(handled)
                sent = time.perf_counter()
                app.post_message(events.Key(key, key))
                while len(handled) == count and time.perf_counter() - sent < 5:
                    await asyncio.sleep(0.0005)
                if len(handled) > count:
                    latencies.append((handled[-1] - sent) * 1000)
                key = "k" if key == "j" else "j"
                await asyncio.sleep(max(0.0, KEY_INTERVAL_S - (time.perf_counter() - sent)))
            elapsed = time.perf_counter() - started
            assert pane.record.exit_code == 0, pane.record.exit_code
            read = pane.lines_received
            await app.action_quit()
    return lines / elapsed, latencies, read


async def through_runner(command: str) -> float:
    recorded = 0

    def count(event: object) -> None:
        nonlocal recorded
        recorded += len(getattr(event, "text", ""))

    runner = CommandRunner(record=count, show=count)
    plan = plan_run(substitute(command), classify(command), Target.local(), Policy())
    started = time.perf_counter()
    run = await runner.run(plan, "key")
    elapsed = time.perf_counter() - started
    assert run.exit_code == 0, run.exit_code
    return run.hosts[""].output.total_lines / elapsed


async def reference(command: str) -> float:
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec("bash", "-c", command, stdout=asyncio.subprocess.PIPE)
    assert process.stdout is not None
    lines = 0
    while data := await process.stdout.read(65536):
        lines += data.count(b"\n")
    await process.wait()
    return lines / (time.perf_counter() - started)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else float("nan")


def summary(name: str, values: list[float], digits: int = 0) -> dict[str, object]:
    return {
        f"{name}_median": round(statistics.median(values), digits),
        f"{name}_range": [round(min(values), digits), round(max(values), digits)],
    }


async def main(rounds: int, count: int) -> None:
    command = f"yes | head -n {count}"
    pane: list[float] = []
    keys_p95: list[float] = []
    runner: list[float] = []
    theirs: list[float] = []
    all_keys: list[float] = []
    for index in range(rounds):
        lines_per_s, latencies, read = await through_pane(command, count)
        pane.append(lines_per_s)
        keys_p95.append(p95(latencies))
        all_keys.extend(latencies)
        runner.append(await through_runner(command))
        theirs.append(await reference(command))
        print(
            f"round {index + 1}: pane {pane[-1]:,.0f} lines/s (read {read:,}), keys p95 "
            f"{keys_p95[-1]:.1f} ms over {len(latencies)}, runner {runner[-1]:,.0f} lines/s, "
            f"pipe {theirs[-1]:,.0f} lines/s",
            file=sys.stderr,
        )
    print(
        json.dumps(
            {
                **summary("pane_lines_per_s", pane),
                **summary("key_p95_ms", keys_p95, 1),
                **summary("runner_lines_per_s", runner),
                **summary("reference_lines_per_s", theirs),
                "all_keys_p95_ms": round(p95(all_keys), 1),
                "keys": len(all_keys),
                "lines": count,
            }
        )
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--lines", type=int, default=30_000_000)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.rounds, arguments.lines))
