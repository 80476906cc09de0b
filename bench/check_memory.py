"""Peak memory of `omniops-tui check` when a health endpoint streams a gigabyte (issue 10 §4).

The sandbox (a child `omniops-tui sandbox`) serves `/api/health/huge?mb=N`; a runbook folder
binds one `http` check to it. Each round runs `check standard-release --json` in a fresh
process twice: against a 1 GiB body, and against a 1 KiB one (the reference: what `check`
costs anyway). The figure is the process's own VmHWM (its resident high-water mark), read at
exit; getrusage's ru_maxrss would carry over the parent's peak across fork and exec.
Prints one JSON line: medians and ranges in MB, and the extra cost of the huge body.
Target: huge_peak_mb < 200 (the test asserts it too).

    .venv/bin/python bench/check_memory.py [rounds]
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _sandbox import run, sandbox_process, stop

from omniops_tui.runbooks.loader import BUNDLED_DIR

MEASURED = (
    "import atexit, sys\n"
    "out = sys.argv.pop(1)\n"
    "hwm = lambda: next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:'))\n"
    "atexit.register(lambda: open(out, 'w').write(hwm()))\n"
    "from omniops_tui.cli import main\n"
    "main()\n"
)


def runbooks(folder: Path, mb: float) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "runbooks.md").write_text((BUNDLED_DIR / "deployment-runbooks.md").read_text())
    (folder / "bindings.toml").write_text(
        f'version = 1\n[checks.huge]\nkind = "http"\npath = "/api/health/huge?mb={mb}"\n'
        'contains = "healthy"\nplaces = ["standard-release/step-8-performance-verification"]\n'
    )
    return folder


async def peak_mb(config: Path, folder: Path, out: Path) -> float:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        MEASURED,
        str(out),
        "--config",
        str(config),
        "--runbooks",
        str(folder),
        "check",
        "standard-release",
        "--json",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"check exited {process.returncode}: {err.decode()[-500:]}")
    return int(out.read_text()) / 1024


async def main(rounds: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="omniops-bench-") as tmp:
        base = Path(tmp)
        sandbox, config = await sandbox_process(base / "sandbox", hosts=1)
        try:
            huge, small = runbooks(base / "huge", 1024), runbooks(base / "small", 0.001)
            huge_peaks, small_peaks = [], []
            for number in range(rounds):
                huge_peaks.append(await peak_mb(config, huge, base / f"huge-{number}"))
                small_peaks.append(await peak_mb(config, small, base / f"small-{number}"))
        finally:
            await stop(sandbox)

    def figure(values: list[float]) -> float:
        return round(statistics.median(values), 1)

    return {
        "huge_peak_mb": figure(huge_peaks),
        "huge_range_mb": [round(min(huge_peaks), 1), round(max(huge_peaks), 1)],
        "reference_peak_mb": figure(small_peaks),
        "reference_range_mb": [round(min(small_peaks), 1), round(max(small_peaks), 1)],
        "extra_mb": round(figure(huge_peaks) - figure(small_peaks), 1),
        "rounds": rounds,
    }


if __name__ == "__main__":
    print(json.dumps(run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5))))
