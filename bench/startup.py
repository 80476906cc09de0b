"""Start-up time: launch until the first screen is painted, against a bare Textual app.

Both run as whole processes in a real 80x24 pseudo-terminal (`_terminal.py`) with their own
XDG folders: omniops-tui (bundled runbooks, default config) until its home screen's runbook
table shows, and a bare Textual app until its one line shows. They alternate, several rounds:

- warm: the bytecode cache and the tool's own caches (parsed runbooks) are in place, as on
  every start after the first (one shared XDG home, filled by a warm-up run);
- cold: every run gets a fresh XDG home and a fresh, empty bytecode cache
  (PYTHONPYCACHEPREFIX), so every module is compiled and every runbook parsed, as on the first
  run after an install or upgrade. (The OS page cache is not
  dropped: that needs privileges the bench should not ask for.)

Prints progress on stderr and exactly one JSON line: per case the median and range in seconds
for both, and the ratio of the medians, with the machine's load average at the start and the
end (absolute times on a shared 2-core machine mean little without it; the ratio is the figure).
Targets (issue 12): warm ≤ 1.25x, cold ≤ 1.5x.

    .venv/bin/python bench/startup.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _terminal import Terminal, isolated_env

BARE_APP = """
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("hello, first screen")
Bare().run()
"""
APP = ([sys.executable, "-m", "omniops_tui"], "Duration    Risk")
BARE = ([sys.executable, "-c", BARE_APP], "hello, first screen")


def first_paint(case: tuple[list[str], str], home: Path, pycache: Path | None) -> float:
    extra = {"PYTHONPYCACHEPREFIX": str(pycache)} if pycache is not None else {}
    command, expected = case
    with Terminal(command, isolated_env(home, **extra)) as term:
        term.wait_text(expected, 60)
        return time.perf_counter() - term.started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    times: dict[str, list[float]] = {"warm_app": [], "warm_bare": [], "cold_app": [], "cold_bare": []}
    load_before = round(os.getloadavg()[0], 2)
    with tempfile.TemporaryDirectory(prefix="omniops-startup-") as tmp:
        root = Path(tmp)
        first_paint(APP, root / "warm-up", None), first_paint(BARE, root / "warm-up", None)
        for number in range(args.rounds):
            order = [("app", APP), ("bare", BARE)] if number % 2 == 0 else [("bare", BARE), ("app", APP)]
            for name, case in order:
                times[f"warm_{name}"].append(first_paint(case, root / "warm-up", None))
                cold = root / f"cold-{number}-{name}"
                times[f"cold_{name}"].append(first_paint(case, cold / "home", cold / "pycache"))
            print(
                f"round {number + 1}: " + ", ".join(f"{k} {v[-1]:.3f}s" for k, v in times.items()),
                file=sys.stderr,
            )
    report: dict[str, object] = {"rounds": args.rounds, "load": [load_before, round(os.getloadavg()[0], 2)]}
    for case in ("warm", "cold"):
        app, bare = times[f"{case}_app"], times[f"{case}_bare"]
        report[case] = {
            "app_s": {
                "median": round(statistics.median(app), 3),
                "min": round(min(app), 3),
                "max": round(max(app), 3),
            },
            "bare_s": {
                "median": round(statistics.median(bare), 3),
                "min": round(min(bare), 3),
                "max": round(max(bare), 3),
            },
            "ratio": round(statistics.median(app) / statistics.median(bare), 2),
        }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
