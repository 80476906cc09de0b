"""The parent's side of the latency probe's process (latency_worker.py): start, ask, stop.

One worker per check context, started the first time a latency check runs (a context that
never probes latency never spawns it) and ended by the context's `aclose()`. Each run is one
JSON line to its stdin and one back; our event loop spends nothing per request, so the rest of
a sweep runs beside the probe instead of after it, and no wait of ours is in its figures.

What goes to the worker (URL, headers, TLS settings) goes over the pipe, never in argv or a
file. A worker that cannot start, or dies before its first answer, leaves the probe where it
was before: in threads of this process (`latency.measure_in_threads`); one that dies later is
replaced at the next run, and the runs it left are measured here.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omniops_tui.config.secrets import mask_url
from omniops_tui.probes.latency import LatencyRequest, LatencyRun, measure_in_threads

if TYPE_CHECKING:
    from omniops_tui.probes.context import CheckContext

WORKER = Path(__file__).with_name("latency_worker.py")
STOP_WAIT_S = 2.0


def worker_command() -> list[str]:
    """Isolated (-I: no PYTHON* variables, no user site) and without site-packages (-S)."""
    return [sys.executable, "-I", "-S", str(WORKER)]


class _WorkerGone(Exception):
    """The worker ended (or its pipe broke) before answering this run."""


class LatencyWorker:
    """A running worker (or the note that none could start: every run is then measured here)."""

    def __init__(self, process: asyncio.subprocess.Process | None) -> None:
        self._process = process
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self._answered = False
        self._gone = process is None
        self._reader = asyncio.ensure_future(self._read()) if process is not None else None

    @classmethod
    async def start(cls, command: list[str] | None = None) -> LatencyWorker:
        """Spawn the worker; if it cannot be spawned, a LatencyWorker that measures in-process."""
        try:
            process = await asyncio.create_subprocess_exec(
                *(command or worker_command()),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
            )
        except (OSError, ValueError):
            return cls(None)
        return cls(process)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def in_process(self) -> bool:
        """Runs are measured in this process: the worker never started or never answered."""
        return self._gone and not self._answered

    @property
    def is_closed(self) -> bool:
        """A worker that served and then ended: the context's clients make a new one."""
        return self._gone and self._answered

    async def measure(
        self, request: LatencyRequest, *, verify_tls: bool = True, ca_file: str = ""
    ) -> LatencyRun:
        """`request` timed by the worker; in this process when there is no worker to ask.

        An SSL context cannot cross the pipe: the worker is told the environment's TLS settings
        (`verify_tls`, `ca_file`) and makes its own, as `make_ssl_context` does here.
        """
        if self._gone:
            return await measure_in_threads(request)
        ident = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[ident] = future
        message = {
            "id": ident,
            "url": request.url,
            "requests": request.requests,
            "concurrency": request.concurrency,
            "timeout": request.timeout,
            "headers": request.headers,
            "max_bytes": request.max_bytes,
            "verify": verify_tls,
            "cafile": str(Path(ca_file).expanduser()) if verify_tls and ca_file else None,
        }
        try:
            self._send(message)
            answer = await future
        except _WorkerGone:
            return await measure_in_threads(request)
        except asyncio.CancelledError:
            with contextlib.suppress(_WorkerGone):
                self._send({"id": ident, "stop": True})  # the worker ends the run's requests
            raise
        finally:
            self._pending.pop(ident, None)
        if "failed" in answer:
            raise RuntimeError(str(answer["failed"]))
        return LatencyRun(
            times_ms=[float(ms) for ms in answer.get("times_ms", [])],
            errors=[mask_url(str(error)) for error in answer.get("errors", [])],
            timeouts=int(answer.get("timeouts", 0)),
            sent=int(answer.get("sent", 0)),
        )

    def _send(self, message: dict[str, Any]) -> None:
        process = self._process
        if self._gone or process is None or process.stdin is None or process.stdin.is_closing():
            raise _WorkerGone
        try:
            process.stdin.write((json.dumps(message) + "\n").encode())
        except (OSError, RuntimeError) as exc:
            self._end()
            raise _WorkerGone from exc

    async def _read(self) -> None:
        """Hand each answer to its run; at the worker's end, the runs left are measured here."""
        assert self._process is not None and self._process.stdout is not None
        stdout = self._process.stdout
        try:
            while line := await stdout.readline():
                try:
                    answer = json.loads(line)
                except ValueError:
                    continue
                ident = answer.get("id") if isinstance(answer, dict) else None
                future = self._pending.get(ident) if isinstance(ident, int) else None
                self._answered = True
                if future is not None and not future.done():
                    future.set_result(answer)
        except (OSError, ValueError):  # a broken pipe, a line longer than the stream's limit
            pass
        finally:
            self._end()

    def _end(self) -> None:
        self._gone = True
        for future in self._pending.values():
            if not future.done():
                future.set_exception(_WorkerGone())

    async def aclose(self) -> None:
        """End of stdin ends the worker; killed if it has not ended within `STOP_WAIT_S`."""
        process, self._process = self._process, None
        self._end()
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            async with asyncio.timeout(STOP_WAIT_S):
                await process.wait()
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader


async def start_worker() -> LatencyWorker:
    """A new worker process (`context_worker` keeps one per context)."""
    return await LatencyWorker.start()


async def context_worker(context: CheckContext) -> LatencyWorker:
    """The context's worker: started at its first use, kept for every sweep, ended with it."""
    return await context.shared("latency-worker", start_worker)
