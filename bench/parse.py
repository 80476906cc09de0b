"""Parse runbooks several rounds; print ONE JSON line with the median and range of each case.

Cases: the bundled document (target: well under 100 ms), a 10x concatenation of it, a folder of
36 files in the shapes of tests/fixtures/real-shapes (loaded file by file, no cache), the TUI's
home for that folder against the bundled document's (target ≤ 1.5 s), and a large file (50 MB
by default; `--big-mb N`) linted and parsed once each in a child process, with wall time and
peak resident memory (lint streams: its memory should stay flat as the file grows).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from omniops_tui.runbooks import cache
from omniops_tui.runbooks.loader import BUNDLED_DOCUMENT, load_runbook_files
from omniops_tui.runbooks.parser import parse_markdown

FIXTURES = Path(__file__).parent.parent / "tests" / "fixtures" / "real-shapes"


def timed(action, rounds: int) -> dict:
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return {
        "median_ms": round(statistics.median(timings), 1),
        "min_ms": round(min(timings), 1),
        "max_ms": round(max(timings), 1),
        "rounds": rounds,
    }


PARSE_CHILD = (
    "import sys; from omniops_tui.runbooks.parser import parse_markdown; "
    "r = parse_markdown(open(sys.argv[1], encoding='utf-8').read(), 'big.md'); "
    "print(len(r.runbooks.all_items()))"
)


def _child(command: list[str]) -> dict:
    """One run in a child process: its wall time and its peak resident memory (the whole
    process, as a user sees it), for a file too big to run several rounds of."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    mb = os.path.getsize(command[-1]) / 1e6
    return {
        "mb": round(mb, 1),
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
        "exit": status >> 8,
    }


async def _home(runbooks: Path | None) -> None:
    """From nothing to the home screen's overview filled, as `omniops-tui` starts."""
    from textual.widgets import DataTable

    from omniops_tui.options import Options
    from omniops_tui.ui.factory import build_app
    from omniops_tui.ui.screens.home import HomeScreen

    with tempfile.TemporaryDirectory() as sessions:
        app = build_app(Options(runbooks=runbooks, sessions_dir=Path(sessions)))
        async with app.run_test(size=(80, 24)) as pilot:
            while not (isinstance(app.screen, HomeScreen) and app.screen.query_one(DataTable).row_count):
                await pilot.pause(0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--big-mb", type=int, default=50)
    args = parser.parse_args()
    text = BUNDLED_DOCUMENT.read_text(encoding="utf-8")
    parse_markdown(text, str(BUNDLED_DOCUMENT))  # warm up imports and the markdown-it instance
    assert len(parse_markdown(text).runbooks.all_items()) == 222
    ten = "\n\n".join(text.replace("## ", f"## {n}", 0) for n in range(10))
    results = {
        "bundled": timed(lambda: parse_markdown(text, "bundled.md"), args.rounds * 3),
        "bundled_x10": timed(lambda: parse_markdown(ten, "ten.md"), args.rounds),
    }
    with tempfile.TemporaryDirectory() as folder:
        shapes = [p for p in sorted(FIXTURES.rglob("*.md")) if p.name != "team-deployments.md"]
        for n in range(36):
            source = shapes[n % len(shapes)]
            (Path(folder) / f"{n:02}-{source.name}").write_text(source.read_text(encoding="utf-8"))
        cache._cache_path = lambda *a: None  # measure parsing, not the cache
        assert len(load_runbook_files(Path(folder)).files) == 36
        results["folder_36"] = timed(lambda: load_runbook_files(Path(folder)), args.rounds)
        results["folder_36_home"] = timed(lambda: asyncio.run(_home(Path(folder))), args.rounds)
        results["bundled_home"] = timed(lambda: asyncio.run(_home(None)), args.rounds)
    unit = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(FIXTURES.rglob("*.md")))
    big = (text + "\n\n" + unit) * max(1, args.big_mb * 1_000_000 // (len(text) + len(unit)))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.md"
        path.write_text(big, encoding="utf-8")
        del big
        results["big_file_lint"] = _child([sys.executable, "-m", "omniops_tui", "lint", str(path)])
        results["big_file_parse"] = _child([sys.executable, "-c", PARSE_CHILD, str(path)])
    print(json.dumps(results))


if __name__ == "__main__":
    main()
