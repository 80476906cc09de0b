"""Does the screen answer? Key-to-screen latency and idle CPU of the demo TUI (issue 9 D, 12).

Runs `omniops-tui demo` in a real 80x24 pseudo-terminal (see `_terminal.py`), several rounds,
each a fresh process with its own XDG folders, and times what a person waits for, from the key
written to the terminal to the emulated screen showing the result:

- `open_runbook`: enter on Standard Release until its header shows (escape back in between);
- `switch_section`: a digit until that section's content shows (alternating 2 and 3);
- `metrics`: `m` until the metrics screen shows (escape back in between);
- `export_feedback`: `e` on the sessions screen until the "writing" notice shows; `export_s`
  until the draft is written (it runs in a worker), `key_during_export` escape (back home) meanwhile;
- `quit`: ctrl+q until the terminal is handed back; `quit_exit` until the process has exited;
- `idle_cpu_pct`: CPU of the process over `--idle` seconds on the home and the runbook screen.

The reference, in the same run and alternating with it: a bare Textual app whose one label
changes on a key (its key latency and idle CPU are the floor the toolkit sets). `--burners N`
runs N CPU-bound processes (`while 1: pass`) beside both for the whole run, the load issue 9's
targets are set under. Prints progress on stderr and exactly one JSON line: per figure the
median, range, p95 and p99 in ms (CPU in %), and `worst_key_p99_ms` over every key figure.

    .venv/bin/python bench/ui_latency.py [--rounds 3] [--idle 30] [--burners 2]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _terminal import Terminal, isolated_env, summary

BARE_APP = """
from textual.app import App
from textual.widgets import Static
class Bare(App):
    BINDINGS = [("x", "flip", "flip")]
    def compose(self):
        yield Static("state 0", id="label")
    def action_flip(self):
        self.count = getattr(self, "count", 0) + 1
        self.query_one("#label", Static).update(f"state {self.count}")
Bare().run()
"""
HOME = "Duration    Risk"  # the home screen's runbook table header
RUNBOOK = "checklists"  # the runbook screen's header
SECTIONS = {"2": "Estimated Duration", "3": "Code Quality"}


def demo_round(home: Path, figures: dict[str, list[float]], idle_s: float, repeats: int) -> None:
    env = isolated_env(home)
    with Terminal([sys.executable, "-m", "omniops_tui", "demo"], env) as term:
        term.wait_text("Welcome to the demo", 90)
        term.timed("escape", lambda s: "Welcome to the demo" not in s)
        term.wait_text(HOME)
        term.drain(2.0)  # the demo's first sweep settles
        cpu0 = term.cpu_seconds()
        term.drain(idle_s)
        figures["idle_cpu_pct_home"].append((term.cpu_seconds() - cpu0) / idle_s * 100)
        for index in range(repeats):
            figures["open_runbook"].append(term.timed("enter", lambda s: RUNBOOK in s))
            if index < repeats - 1:
                term.timed("escape", lambda s: HOME in s)
        for index in range(repeats * 2):
            key = "3" if index % 2 == 0 else "2"
            figures["switch_section"].append(term.timed(key, lambda s, k=key: SECTIONS[k] in s))
        term.drain(1.0)
        cpu0 = term.cpu_seconds()
        term.drain(idle_s)
        figures["idle_cpu_pct_runbook"].append((term.cpu_seconds() - cpu0) / idle_s * 100)
        for _ in range(repeats):
            figures["metrics"].append(term.timed("m", lambda s: "Sampled every" in s))
            term.timed("escape", lambda s: RUNBOOK in s)
        term.timed("escape", lambda s: HOME in s)
        term.timed("s", lambda s: "export" in s.lower() and HOME not in s)
        exported = term.press("e")
        term.wait_text("Writing the post-mortem")
        figures["export_feedback"].append(time.perf_counter() - exported)
        figures["key_during_export"].append(term.timed("escape", lambda s: HOME in s))
        term.wait_text("Post-mortem draft written", 60)
        figures["export_s"].append(time.perf_counter() - exported)
        term.drain(0.5)
        _quit(term, figures)


def _quit(term: Terminal, figures: dict[str, list[float]], prefix: str = "") -> None:
    """ctrl+q until the terminal is given back (`quit`) and until the process ended (`quit_exit`)."""
    sent = term.press("ctrl+q")
    term.wait_exit(30)
    exited = time.perf_counter()
    figures[f"{prefix}quit"].append((term.left_screen_at or exited) - sent)
    figures[f"{prefix}quit_exit"].append(exited - sent)


def bare_round(home: Path, figures: dict[str, list[float]], idle_s: float, repeats: int) -> None:
    with Terminal([sys.executable, "-c", BARE_APP], isolated_env(home)) as term:
        term.wait_text("state 0", 60)
        for index in range(1, repeats * 3 + 1):
            figures["bare_key"].append(term.timed("x", lambda s, n=index: f"state {n}" in s))
        term.drain(1.0)
        cpu0 = term.cpu_seconds()
        term.drain(idle_s)
        figures["bare_idle_cpu_pct"].append((term.cpu_seconds() - cpu0) / idle_s * 100)
        _quit(term, figures, "bare_")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--idle", type=float, default=30.0, help="seconds of idle CPU per screen (two 15 s check intervals)"
    )
    parser.add_argument("--repeats", type=int, default=5, help="samples of each key per round")
    parser.add_argument("--burners", type=int, default=0, help="CPU-bound processes running beside")
    args = parser.parse_args()
    names = [
        "open_runbook",
        "switch_section",
        "metrics",
        "export_feedback",
        "key_during_export",
        "export_s",
        "quit",
        "quit_exit",
        "idle_cpu_pct_home",
        "idle_cpu_pct_runbook",
        "bare_key",
        "bare_quit",
        "bare_quit_exit",
        "bare_idle_cpu_pct",
    ]
    figures: dict[str, list[float]] = {name: [] for name in names}
    burn = [sys.executable, "-c", "while 1: pass"]
    burners = [subprocess.Popen(burn) for _ in range(args.burners)]
    try:
        with tempfile.TemporaryDirectory(prefix="omniops-ui-latency-") as tmp:
            for number in range(args.rounds):
                bare_round(Path(tmp) / f"bare-{number}", figures, args.idle, args.repeats)
                demo_round(Path(tmp) / f"demo-{number}", figures, args.idle, args.repeats)
                print(f"round {number + 1}/{args.rounds}: " + json.dumps(_report(figures)), file=sys.stderr)
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    report: dict[str, object] = {"burners": args.burners, **_report(figures)}
    print(json.dumps(report))


KEYS = ("open_runbook", "switch_section", "metrics", "export_feedback", "key_during_export")


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))] if ordered else float("nan")


def _report(figures: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    report: dict[str, dict[str, float]] = {}
    for name, values in figures.items():
        if "cpu" in name:
            report[name] = summary(values, 1.0, 1)
        elif name == "export_s":
            report[name] = summary(values, 1.0, 2)
        else:
            report[f"{name}_ms"] = {**summary(values, 1000.0, 1), "p99": round(_p99(values) * 1000, 1)}
    worst = max((_p99(figures[name]) for name in KEYS if figures[name]), default=float("nan"))
    report["worst_key_p99_ms"] = {"value": round(worst * 1000, 1)}
    return report


if __name__ == "__main__":
    main()
