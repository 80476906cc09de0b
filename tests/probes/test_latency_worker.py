"""The latency probe's own process: it times the runs, dies with its parent, and is optional.

The worker (latency_worker.py) takes the probe's CPU off our interpreter (issue 12). What must
hold: its figures are the probe's, nothing of a request is in its argv, it never outlives its
parent (closed pipe or SIGKILLed parent), and a worker that cannot start changes nothing but
where the requests are timed.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from omniops_tui.probes.latency import LatencyRequest
from omniops_tui.probes.latency_client import LatencyWorker, context_worker, worker_command
from omniops_tui.probes.runner import run_check
from tests.probes.conftest import context_from, env_toml, spec
from tests.probes.test_latency import counting_server


def gone(pid: int, within: float = 10.0) -> bool:
    """True once `pid` has ended (a zombie waiting for its reaper counts as ended)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


async def test_a_latency_check_is_timed_by_the_worker_and_its_argv_holds_nothing_of_it() -> None:
    with counting_server() as server:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        context = context_from(env_toml(base_url=base, timeout=10))
        try:
            result = await run_check(spec("http_latency", requests=20, concurrency=4), context)
            worker = await context_worker(context)
            assert worker.pid is not None and not worker.in_process
            argv = Path(f"/proc/{worker.pid}/cmdline").read_bytes().split(b"\0")
            again = await run_check(spec("http_latency", requests=10, concurrency=2), context)
            assert await context_worker(context) is worker  # one per context
        finally:
            await context.aclose()
    assert gone(worker.pid)  # the context's end ends it
    assert (result.status, result.evidence["stats"]["ok"], again.evidence["stats"]["ok"]) == ("pass", 20, 10)
    assert server.requests == 30 and server.connections <= 6
    assert not any(b"127.0.0.1" in word or b"User-Agent" in word for word in argv)


async def test_failures_come_back_named_and_a_url_password_masked() -> None:
    from tests.sessions.services import closed_port

    worker = await LatencyWorker.start()
    try:
        url = f"ftp://app:hunter2@127.0.0.1:{closed_port()}/"
        run = await worker.measure(LatencyRequest(url, requests=3, concurrency=1, timeout=2))
    finally:
        await worker.aclose()
    assert not worker.in_process and run.times_ms == [] and run.sent == 3
    assert run.errors[0].startswith("UnsupportedProtocol: ") and "hunter2" not in run.errors[0]


@pytest.mark.parametrize(
    "command",
    [["/nonexistent/python"], [sys.executable, "-c", "pass"]],
    ids=["cannot-spawn", "exits-at-once"],
)
async def test_a_worker_that_fails_to_start_leaves_the_probe_in_this_process(command: list[str]) -> None:
    worker = await LatencyWorker.start(command)
    try:
        with counting_server() as server:
            url = f"http://127.0.0.1:{server.server_address[1]}/"
            run = await worker.measure(LatencyRequest(url, requests=8, concurrency=2, timeout=10))
            again = await worker.measure(LatencyRequest(url, requests=4, concurrency=2, timeout=10))
    finally:
        await worker.aclose()
    assert worker.in_process and not worker.is_closed  # kept: the context does not respawn it each run
    assert (len(run.times_ms), run.errors, len(again.times_ms)) == (8, [], 4)


async def test_a_cancelled_run_is_stopped_in_the_worker_which_serves_the_next() -> None:
    from omniops_tui.sandbox import BlackholeServer

    worker = await LatencyWorker.start()
    try:
        async with BlackholeServer() as hole:
            request = LatencyRequest(f"http://{hole.address}/", requests=50, concurrency=2, timeout=30)
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.5):
                    await worker.measure(request)
        with counting_server() as server:
            url = f"http://127.0.0.1:{server.server_address[1]}/"
            run = await worker.measure(LatencyRequest(url, requests=5, concurrency=1, timeout=10))
    finally:
        await worker.aclose()
    assert not worker.in_process and len(run.times_ms) == 5


async def test_a_worker_that_dies_after_serving_is_replaced_at_the_next_run() -> None:
    with counting_server() as server:
        context = context_from(env_toml(base_url=f"http://127.0.0.1:{server.server_address[1]}", timeout=10))
        try:
            await run_check(spec("http_latency", requests=5, concurrency=1), context)
            first = await context_worker(context)
            assert first.pid is not None
            os.kill(first.pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while not first.is_closed and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            result = await run_check(spec("http_latency", requests=5, concurrency=1), context)
            second = await context_worker(context)
        finally:
            await context.aclose()
    assert first.is_closed and second is not first and not second.in_process
    assert (result.status, result.evidence["stats"]["ok"]) == ("pass", 5)


def worker_children() -> list[int]:
    """Our child processes running the latency worker (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            argv = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if parent == os.getpid() and b"latency_worker.py" in argv:
            found.append(int(entry.name))
    return found


async def test_a_context_for_one_sweep_times_the_probe_here_without_a_process() -> None:
    """A one-shot `check` runs one sweep: the worker's start-up would cost more than it spares."""
    from omniops_tui.config.model import parse_config
    from omniops_tui.probes.context import CheckContext
    from omniops_tui.probes.runner import sweep

    before = worker_children()
    with counting_server() as server:
        toml = env_toml(base_url=f"http://127.0.0.1:{server.server_address[1]}", timeout=10)
        context = CheckContext.from_config(parse_config(toml), probe_process=False)
        try:
            [(_spec, result)] = await sweep([spec("http_latency", requests=10, concurrency=2)], context)
            assert worker_children() == before
        finally:
            await context.aclose()
    assert (result.status, result.evidence["stats"]["ok"]) == ("pass", 10)


PARENT = """
import asyncio, sys, time
from omniops_tui.probes.latency_client import LatencyWorker

async def main():
    worker = await LatencyWorker.start()
    print(worker.pid, flush=True)
    await asyncio.sleep(60)

asyncio.run(main())
"""

STDIN_HELD_PARENT = """
import subprocess, sys, time
from omniops_tui.probes.latency_client import worker_command

worker = subprocess.Popen(worker_command(), stdin=sys.stdin)  # our stdin: its other end is the test's
print(worker.pid, flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize("script", [PARENT, STDIN_HELD_PARENT], ids=["its-pipe-ends", "its-stdin-stays-open"])
def test_the_worker_dies_with_a_sigkilled_parent(script: str) -> None:
    """The pipe's end is the usual signal; a parent gone while something else still holds the
    worker's stdin open is noticed too (it polls its parent, as the Prometheus watchdog does)."""
    parent = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert parent.stdout is not None
        pid = int(parent.stdout.readline())
        assert not gone(pid, within=0.3)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        assert gone(pid), "the worker outlived its parent"
    finally:
        parent.kill()
        parent.wait()
        if parent.stdin is not None:
            parent.stdin.close()


def test_worker_command_is_isolated_and_carries_no_request() -> None:
    command = worker_command()
    assert command[0] == sys.executable and {"-I", "-S"} <= set(command)
    assert command[-1].endswith("latency_worker.py") and len(command) == 4
