"""Replay speed: open a long recording to its first painted screen, and seek anywhere in it.

Generates a realistic long session (log batches, metric samples, check results, ticks, notes,
wizard events, idle stretches) through the real `SessionRecorder`, then, several rounds, each
in a real 80x24 pseudo-terminal (`_terminal.py`) with its own XDG folders:

- (a) `in_app_open_s`: omniops-tui running (`--sessions-dir` holding the recording), the
  sessions screen showing it highlighted; from the `enter` key to the replay screen painted.
  Twice a round: `..._scan_s` with no index beside the session (the first open: the head is
  indexed, the rest on a thread), and `..._sidecar_s` with the index kept by the first open
  (`SESSION.jsonl.idx`). `in_app_index_s`: key until that sidecar appears (the whole file
  indexed behind the screen). The targets are judged on (a).
- (b) `launch_first_paint_s`: `omniops-tui sessions replay FILE`, launch to the replay screen,
  beside `bare_first_paint_s`, a bare Textual app painting one line, alternated in the same
  run: process start-up is most of (b) and is the start-up bench's target.
- `parse_floor_s`, a reference: reading the file and `json.loads` of every line, nothing else.
- In a fresh child process (so its RSS is the replay's): `first_seek_to_end_s`, a seek to the
  end right after opening, which waits for the index and checkpoints while the child ticks at
  20 Hz like the UI (`max_tick_ms`: the longest tick meanwhile, i.e. how long the UI could be
  held); then `--seeks` random seeks, marker jumps and steps once all checkpoints are built:
  `seek_ms` (the state; its log buffers are read back when looked at) and `seek_logs_ms` (the
  same with the merged pane's 10,000 lines read, as the logs screen does when it shows: it
  shows one pane at a time, the merged one first; another pane is read when switched to);
  `peak_rss_mb` of the child (VmHWM) with every checkpoint built.

Prints progress on stderr and exactly one JSON line with median and range of each figure.
Targets (issue 12): (a) 100k events <= 0.5 s; 1M <= 3 s and <= 400 MB; seek p99 <= 50 ms.

    .venv/bin/python bench/replay.py [--events N] [--rounds 3] [--seeks N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _replay_data import generate
from _terminal import Terminal, isolated_env


def child(path: Path, count: int, seed: int) -> None:
    """In a fresh process: the first seek to the end, then `count` moves; one JSON line."""
    from omniops_tui.sessions.replay import ReplaySession

    began = time.perf_counter()
    replay, _notices = ReplaySession.open(path, idle_limit=5.0)
    opened = time.perf_counter() - began
    began = time.perf_counter()
    replay.seek_fraction(1.0)
    longest = 0.0
    while replay.waiting:  # the UI ticks at 20 Hz meanwhile: how long is the longest tick?
        time.sleep(0.05)
        tick = time.perf_counter()
        replay.tick()
        longest = max(longest, time.perf_counter() - tick)
    first = time.perf_counter() - began
    assert replay.checkpoints is not None
    replay.checkpoints.join()
    rng = random.Random(seed)
    timeline, player = replay.timeline, replay.player
    moves = [
        lambda: player.seek(rng.uniform(0, timeline.duration)),
        lambda: player.seek_by(-10),
        lambda: player.seek_by(+10),
        lambda: player.seek_by(-60),
        lambda: player.seek_by(+60),
        player.next_marker,
        player.previous_marker,
        lambda: player.seek(timeline.duration),
        lambda: player.seek(0.0),
    ]
    plain: list[float] = []
    with_logs: list[float] = []
    for index in range(2 * count):
        move = moves[index % len(moves)] if index % 3 else moves[0]
        began = time.perf_counter()
        state = move()
        if index % 2 and state is not None:
            state.logs.merged.lines()  # what the logs screen reads
        (with_logs if index % 2 else plain).append(time.perf_counter() - began)
    status = Path("/proc/self/status").read_text()
    peak_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))
    index = timeline.index
    print(
        json.dumps(
            {
                "open_in_process_s": opened,
                "first_seek_to_end_s": first,
                "max_tick_ms": longest * 1000,
                "seek_ms": [t * 1000 for t in plain],
                "seek_logs_ms": [t * 1000 for t in with_logs],
                "peak_rss_mb": peak_kb / 1024,
                "markers": len(timeline.markers),
                "sidecar": bool(index is not None and index.from_sidecar),
            }
        )
    )


def seeks(path: Path, count: int, seed: int) -> dict[str, object]:
    command = [sys.executable, __file__, "--child", str(path), "--seeks", str(count), "--seed", str(seed)]
    out = subprocess.run(command, capture_output=True, text=True, timeout=1800, check=True).stdout
    result: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    return result


def parse_floor(path: Path) -> float:
    """Read the file and parse every line as JSON, keeping nothing: the reference."""
    began = time.perf_counter()
    loads = json.loads
    with open(path, "rb") as handle:
        for line in handle:
            loads(line)
    return time.perf_counter() - began


def _tidy(folder: Path, path: Path) -> None:
    """Remove what the live app recorded beside the bench's session (and its index)."""
    for other in folder.iterdir():
        if other.name.startswith(path.name):
            continue
        other.unlink()


def in_app_open(path: Path, home: Path, sidecar: bool) -> tuple[float, float | None, float]:
    """(a): from `enter` on the sessions screen to the replay painted; when the sidecar was not
    there, also how long until it is (the whole file indexed); the process's peak RSS (MB)."""
    index_file = path.with_name(path.name + ".idx")
    if not sidecar:
        index_file.unlink(missing_ok=True)
    command = [sys.executable, "-m", "omniops_tui", "--sessions-dir", str(path.parent)]
    indexed: float | None = None
    try:
        with Terminal(command, isolated_env(home), cwd=str(home)) as term:
            term.wait_text("Duration    Risk", 120)
            term.press("s")
            term.wait_text("session(s) in", 600)  # the list reads every session once
            term.wait_text(" 2 session(s) in", 60)
            term.drain(0.3)
            term.press("down")  # the live session is the newest, first; the recording is next
            term.drain(0.5)
            sent = term.press("enter")
            term.wait_text("REPLAY (read-only)", 300)
            painted = time.perf_counter() - sent
            if not sidecar:
                deadline = time.perf_counter() + 600
                while not index_file.exists() and time.perf_counter() < deadline:
                    term.drain(0.1)
                indexed = time.perf_counter() - sent if index_file.exists() else None
            term.drain(2.0)
            status = Path(f"/proc/{term.process.pid}/status").read_text()
            peak_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))
            term.press("ctrl+q")
            term.wait_exit(60)
    finally:
        _tidy(path.parent, path)
    return painted, indexed, peak_kb / 1024


BARE_APP = """
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("hello, first screen")
Bare().run()
"""


def launch_paint(command: list[str], expected: str, home: Path) -> float:
    """(b): seconds from launch until `expected` shows (a whole process)."""
    with Terminal(command, isolated_env(home), cwd=str(home)) as term:
        term.wait_text(expected, 300)
        painted = time.perf_counter() - term.started
        term.press("ctrl+q")
        term.wait_exit(60)
    return painted


def spread(values: list[float], scale: float = 1.0, digits: int = 3) -> dict[str, float]:
    ordered = sorted(v * scale for v in values)
    return {
        "median": round(statistics.median(ordered), digits),
        "min": round(ordered[0], digits),
        "max": round(ordered[-1], digits),
    }


def tail(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median": round(statistics.median(ordered), 2),
        "p95": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
        "p99": round(ordered[int(0.99 * (len(ordered) - 1))], 2),
        "max": round(ordered[-1], 2),
        "n": len(ordered),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seeks", type=int, default=100)
    parser.add_argument("--keep", type=Path, default=None, help="write the session here and keep it")
    parser.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=7, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, args.seeks, args.seed)
        return
    figures: dict[str, list[float]] = {
        name: []
        for name in (
            "in_app_open_scan_s",
            "in_app_open_sidecar_s",
            "in_app_index_s",
            "in_app_peak_rss_mb",
            "launch_first_paint_s",
            "bare_first_paint_s",
            "parse_floor_s",
            "first_seek_to_end_s",
            "max_tick_ms",
            "peak_rss_mb",
        )
    }
    seek_ms: list[float] = []
    seek_logs_ms: list[float] = []
    with tempfile.TemporaryDirectory(prefix="omniops-bench-") as tmp:
        folder = args.keep or Path(tmp) / "sessions"
        folder.mkdir(parents=True, exist_ok=True)
        existing = sorted(p for p in folder.glob("*.jsonl") if p.name.startswith("2025")) if args.keep else []
        began = time.perf_counter()
        path = existing[0] if existing else generate(folder, args.events)
        if existing:  # a kept session: count its events (lines after the header)
            with open(path, "rb") as handle:
                args.events = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 24), b"")) - 1
        size_mb = path.stat().st_size / 1e6
        print(
            f"{args.events} events ({size_mb:.1f} MB) in {time.perf_counter() - began:.1f} s", file=sys.stderr
        )
        launch = [sys.executable, "-m", "omniops_tui", "sessions", "replay", str(path)]
        bare = [sys.executable, "-c", BARE_APP]
        for number in range(args.rounds):
            home = Path(tmp) / f"home-{number}"
            home.mkdir()
            figures["parse_floor_s"].append(parse_floor(path))
            painted, indexed, rss = in_app_open(path, home, sidecar=False)
            figures["in_app_open_scan_s"].append(painted)
            figures["in_app_peak_rss_mb"].append(rss)
            if indexed is not None:
                figures["in_app_index_s"].append(indexed)
            painted, _indexed, rss = in_app_open(path, home, sidecar=True)
            figures["in_app_open_sidecar_s"].append(painted)
            figures["in_app_peak_rss_mb"].append(rss)
            pair = [("launch", launch, "REPLAY (read-only)"), ("bare", bare, "hello, first screen")]
            for name, command, expected in pair if number % 2 == 0 else pair[::-1]:
                figures[f"{name}_first_paint_s"].append(launch_paint(command, expected, home))
            result = seeks(path, args.seeks, 7 + number)
            for name in ("first_seek_to_end_s", "max_tick_ms", "peak_rss_mb"):
                figures[name].append(float(result[name]))  # type: ignore[arg-type]
            seek_ms.extend(result["seek_ms"])  # type: ignore[arg-type]
            seek_logs_ms.extend(result["seek_logs_ms"])  # type: ignore[arg-type]
            print(
                f"round {number + 1}: in-app open {figures['in_app_open_scan_s'][-1]:.3f} s "
                f"(sidecar {figures['in_app_open_sidecar_s'][-1]:.3f} s), "
                f"launch {figures['launch_first_paint_s'][-1]:.3f} s "
                f"vs bare {figures['bare_first_paint_s'][-1]:.3f} s, "
                f"floor {figures['parse_floor_s'][-1]:.3f} s, first seek to the end "
                f"{result['first_seek_to_end_s']:.2f} s (longest tick {result['max_tick_ms']:.0f} ms), "
                f"rss {result['peak_rss_mb']:.0f} MB, {result['markers']} markers",
                file=sys.stderr,
            )
    report: dict[str, object] = {"events": args.events, "file_mb": round(size_mb, 1), "rounds": args.rounds}
    report.update({name: spread(values) for name, values in figures.items() if values})
    report["seek_ms"] = tail(seek_ms)
    report["seek_logs_ms"] = tail(seek_logs_ms)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
