"""Bench sandboxes leave nothing behind (their folders hold a private key), even when the bench
is terminated in the middle of a run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def wait_for(condition, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


@pytest.mark.parametrize("script", ["fleet.py", "sandbox_firehose.py"])
def test_a_terminated_bench_removes_its_sandbox_folders(script: str, tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    args = [sys.executable, str(ROOT / "bench" / script)]
    if script == "sandbox_firehose.py":
        args += ["--seconds", "60"]
    bench = subprocess.Popen(
        args,
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(tmp)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(lambda: any(tmp.glob("**/client_key")))  # a sandbox with its key is up
    finally:
        bench.send_signal(signal.SIGTERM)
        _out, err = bench.communicate(timeout=60)
    assert bench.returncode != 0  # it was stopped, not finished
    assert b"Traceback" not in err, err.decode()
    assert list(tmp.iterdir()) == [], [str(p) for p in tmp.rglob("*")]
