"""The sandbox as the benches run it, and cleanup on every exit path.

A sandbox folder holds a private key. `omniops-tui sandbox` in a child process (production is
another machine) removes its folder when it stops on SIGTERM or SIGINT. The bench itself must
unwind its `with` / `finally` blocks (temporary folders, children, in-process sandboxes) when
it is terminated or hung up on, instead of dying where it stands: `run(coro)` is
`asyncio.run` with SIGTERM/SIGHUP cancelling the main task (so every `async with` closes while
the loop still runs), and `exit_on_signals()` covers the synchronous parts.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from collections.abc import Coroutine
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

T = TypeVar("T")


def exit_on_signals() -> None:
    """SIGTERM and SIGHUP raise SystemExit, so cleanup code runs (the default kills at once)."""

    def leave(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, leave)


def run(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(main)`; SIGTERM or SIGHUP cancel it cleanly and exit 128 + signal."""
    received: list[int] = []

    async def guarded() -> T:
        task = asyncio.current_task()
        assert task is not None
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(sig, lambda sig=sig: (received.append(sig), task.cancel()))
        return await main

    try:
        return asyncio.run(guarded())
    except asyncio.CancelledError:
        if received:
            raise SystemExit(128 + received[0]) from None
        raise


async def sandbox_process(
    folder: Path, hosts: int = 2, answer_delay_ms: int = 0
) -> tuple[asyncio.subprocess.Process, Path]:
    """`omniops-tui sandbox` in a child process; returns once its config file is written.

    `answer_delay_ms` delays each of its HTTP and SSH answers, as a network between would.

    Stop it with `terminate()` and `wait()`: it removes its folder (keys included) on SIGTERM.
    """
    config = folder / "config.toml"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "omniops_tui",
        "sandbox",
        "--hosts",
        str(hosts),
        "--config-out",
        str(config),
        "--answer-delay-ms",
        str(answer_delay_ms),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not config.exists():
            if process.returncode is not None or time.monotonic() > deadline:
                assert process.stderr is not None
                raise RuntimeError(f"the sandbox did not start: {(await process.stderr.read()).decode()}")
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)  # the file is written just before the banner; let it finish
    except BaseException:  # cancelled (the bench was terminated) or failed: stop it first
        await stop(process)
        raise
    return process, config


async def stop(process: asyncio.subprocess.Process) -> None:
    """SIGTERM (the sandbox cleans up), SIGKILL only if it does not end in 30 s."""
    if process.returncode is None:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 30)
        except TimeoutError:
            process.kill()
            await process.wait()
