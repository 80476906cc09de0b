"""Parse runbooks several rounds; print ONE JSON line with the median and range of each case.

Cases: the bundled document (target: well under 100 ms), a 10x concatenation of it, a folder of
36 files in the shapes of tests/fixtures/real-shapes (loaded file by file, no cache), and a
large file (50 MB by default; `--big-mb N`) parsed once per round with its peak memory.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import tracemalloc
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
    unit = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(FIXTURES.rglob("*.md")))
    big = (text + "\n\n" + unit) * max(1, args.big_mb * 1_000_000 // (len(text) + len(unit)))
    tracemalloc.start()
    start = time.perf_counter()
    parsed = parse_markdown(big, "big.md")
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    results["big_file"] = {
        "mb": round(len(big) / 1e6, 1),
        "seconds": round(seconds, 1),
        "peak_mb": round(peak / 1e6),
        "items": len(parsed.runbooks.all_items()),
    }
    print(json.dumps(results))


if __name__ == "__main__":
    main()
