"""Runbook loading at scale, several rounds; prints ONE JSON line (median and range per figure).

Inputs: the bundled document, a 10x concatenation of it (one file), a folder of 36 files in
the shapes of tests/fixtures/real-shapes, and a large file (50 MB by default, `--big-mb N`: the
bundled document and every fixture, repeated).

Figures:
- `parse_ms`: parsing in this process (the folder loaded file by file, no cache).
- `home_s`: launch to the first painted home in an 80x24 pseudo-terminal (bench/_terminal.py),
  each round with an empty cache (a first start) and, for the folder, again with the cache the
  first start wrote (a second start); with the TUI's peak resident memory at that moment. For
  the large file home must show the loading line (target: ≤ 2 s); for the folder ≤ 1.5 s.
- `big_lint`: `omniops-tui lint` on the large file in a child process: time to its first
  finding on stdout (lint streams), wall time, peak RSS (should stay flat as the file grows).
- `big_parse`: `parse_markdown` of the large file in a child process (`--big-rounds`, 1 by
  default: minutes on a busy machine), wall time and peak RSS.
- `big_loaded_s` (`--big-full`): in the TUI, launch until the loading line is gone (every
  runbook parsed), and peak RSS then.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _terminal import Terminal, isolated_env

from omniops_tui.runbooks import cache
from omniops_tui.runbooks.loader import BUNDLED_DOCUMENT, load_runbook_files
from omniops_tui.runbooks.parser import parse_markdown

FIXTURES = Path(__file__).parent.parent / "tests" / "fixtures" / "real-shapes"
PARSE_CHILD = (
    "import sys; from omniops_tui.runbooks.parser import parse_markdown; "
    "r = parse_markdown(open(sys.argv[1], encoding='utf-8').read(), 'big.md'); "
    "print(len(r.runbooks.all_items()))"
)
IN_APP_PROGRESS = re.compile(r"Loading runbooks: (?:\d+\.\d of|reading the titles)")


def spread(values: list[float], digits: int = 3) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
        "n": len(values),
    }


def timed_ms(action: Callable[[], object], rounds: int) -> dict[str, float]:
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return spread(timings, 1)


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory so far (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def is_home(screen: str) -> bool:
    return "Runbook" in screen and "Quit" in screen


def home_once(runbooks: Path, home: Path, progress: bool) -> tuple[float, float]:
    """(seconds to the first painted home, peak RSS MB then); `progress`: home must show the
    loading line too (a large file)."""
    command = [sys.executable, "-m", "omniops_tui", "--runbooks", str(runbooks)]
    command += ["--sessions-dir", str(home / "sessions")]
    with Terminal(command, isolated_env(home)) as term:
        term.wait_for(lambda s: is_home(s) and (not progress or bool(IN_APP_PROGRESS.search(s))), 120)
        seconds = time.perf_counter() - term.started
        return seconds, peak_rss_mb(term.process.pid)


def loaded_once(runbooks: Path, home: Path, timeout: float) -> tuple[float, float]:
    """(seconds until a large file is wholly parsed in the TUI, peak RSS MB then)."""
    command = [sys.executable, "-m", "omniops_tui", "--runbooks", str(runbooks)]
    command += ["--sessions-dir", str(home / "sessions")]
    with Terminal(command, isolated_env(home)) as term:
        term.wait_for(lambda s: is_home(s) and bool(IN_APP_PROGRESS.search(s)), 120)
        term.wait_for(lambda s: "Loading runbooks" not in s, timeout)
        return time.perf_counter() - term.started, peak_rss_mb(term.process.pid)


def child(command: list[str], first_line: bool = False) -> dict[str, float]:
    """One run in a child process: wall time, peak RSS, exit code, and (`first_line`) the
    time to its first line on stdout."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdout is not None
    first = float("nan")
    if first_line and process.stdout.readline():
        first = time.perf_counter() - start
    for _ in process.stdout:
        pass
    _, status, usage = os.wait4(process.pid, 0)
    report = {
        "seconds": round(time.perf_counter() - start, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
        "exit": os.waitstatus_to_exitcode(status),
    }
    if first_line:
        report["first_finding_s"] = round(first, 2)
    return report


def build_inputs(root: Path, big_mb: int) -> dict[str, Path]:
    text = BUNDLED_DOCUMENT.read_text(encoding="utf-8")
    paths = {"bundled": root / "bundled" / "deployment-runbooks.md"}
    paths["bundled"].parent.mkdir()
    paths["bundled"].write_text(text, encoding="utf-8")
    paths["bundled_x10"] = root / "ten.md"
    paths["bundled_x10"].write_text("\n\n".join([text] * 10), encoding="utf-8")
    folder = paths["folder_36"] = root / "folder36"
    folder.mkdir()
    shapes = [p for p in sorted(FIXTURES.rglob("*.md")) if p.name != "team-deployments.md"]
    for n in range(36):
        source = shapes[n % len(shapes)]
        (folder / f"{n:02}-{source.name}").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    unit = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(FIXTURES.rglob("*.md")))
    copies = max(1, big_mb * 1_000_000 // (len(text) + len(unit)))
    paths["big"] = root / "big" / "big.md"
    paths["big"].parent.mkdir()
    with paths["big"].open("w", encoding="utf-8") as out:
        for _ in range(copies):
            out.write(text + "\n\n" + unit)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--big-mb", type=int, default=50)
    parser.add_argument("--big-rounds", type=int, default=1, help="rounds of the large parse (minutes each)")
    parser.add_argument(
        "--big-full", action="store_true", help="also time the TUI until the large file is parsed"
    )
    parser.add_argument("--skip-big-parse", action="store_true")
    args = parser.parse_args()
    text = BUNDLED_DOCUMENT.read_text(encoding="utf-8")
    parse_markdown(text, str(BUNDLED_DOCUMENT))  # warm up imports and the markdown-it instance
    results: dict[str, object] = {"rounds": args.rounds, "load_avg": round(os.getloadavg()[0], 1)}
    with tempfile.TemporaryDirectory(prefix="omniops-parse-") as tmp:
        root = Path(tmp)
        paths = build_inputs(root, args.big_mb)
        results["big_mb"] = round(paths["big"].stat().st_size / 1e6, 1)
        ten = paths["bundled_x10"].read_text(encoding="utf-8")
        real_cache_path = cache._cache_path
        cache._cache_path = lambda *a: None  # measure parsing, not the cache
        results["parse_ms"] = {
            "bundled": timed_ms(lambda: parse_markdown(text, "bundled.md"), args.rounds * 3),
            "bundled_x10": timed_ms(lambda: parse_markdown(ten, "ten.md"), args.rounds),
            "folder_36": timed_ms(lambda: load_runbook_files(paths["folder_36"]), args.rounds),
        }
        cache._cache_path = real_cache_path
        homes: dict[str, list[float]] = {}
        rss: dict[str, list[float]] = {}
        for number in range(args.rounds):
            for case in ("bundled", "bundled_x10", "folder_36", "big"):
                home = root / f"home-{case}-{number}"
                seconds, peak = home_once(paths[case], home, progress=case == "big")
                homes.setdefault(case, []).append(seconds)
                rss.setdefault(case, []).append(peak)
                if case == "folder_36":  # the same home again: its cache is warm now
                    seconds, peak = home_once(paths[case], home, progress=False)
                    homes.setdefault("folder_36_second", []).append(seconds)
                    rss.setdefault("folder_36_second", []).append(peak)
            print(
                f"round {number + 1}: " + ", ".join(f"{k} {v[-1]:.2f}s" for k, v in homes.items()),
                file=sys.stderr,
            )
        results["home_s"] = {case: spread(values) for case, values in homes.items()}
        results["home_peak_rss_mb"] = {case: spread(values, 0) for case, values in rss.items()}
        lint = [sys.executable, "-m", "omniops_tui", "lint", str(paths["big"])]
        results["big_lint"] = child(lint, first_line=True)
        print(f"lint: {results['big_lint']}", file=sys.stderr)
        if not args.skip_big_parse:
            runs = [
                child([sys.executable, "-c", PARSE_CHILD, str(paths["big"])]) for _ in range(args.big_rounds)
            ]
            results["big_parse"] = {
                "seconds": spread([r["seconds"] for r in runs], 1),
                "peak_rss_mb": spread([r["peak_rss_mb"] for r in runs], 0),
            }
            print(f"parse: {results['big_parse']}", file=sys.stderr)
        if args.big_full:
            seconds, peak = loaded_once(paths["big"], root / "home-big-full", timeout=3600)
            results["big_loaded_s"] = {"seconds": round(seconds, 1), "peak_rss_mb": round(peak)}
    results["load_avg_end"] = round(os.getloadavg()[0], 1)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
