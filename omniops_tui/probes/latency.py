"""Timing HTTP requests where our own event loop's delays cannot leak into the figure.

On a busy machine the latency probe, awaiting its requests on the app's event loop, reported
P95 2886 ms while curl measured 145 ms at the same moment: each request's time included every
callback the loop ran before it noticed the answer (rendering, other checks, log lines). Here
the requests run in worker threads of their own, each timing its own blocking request on its
own keep-alive connection (latency_http.py, the standard library's http.client: a fifth of
httpx's CPU per request, and the probe is most of a sweep's CPU): a thread waiting on a socket
holds no lock, so what is timed is the network and the server, plus at most a GIL hand-over
when the answer arrives. The event loop only awaits the finished figures (`measure_in_threads`).

The runbooks' loop is 50 sequential curls; the probe sends them `concurrency` at a time over a
pool of that many keep-alive connections, so 50 requests cost a few round trips, not 50.
"""

from __future__ import annotations

import contextlib
import itertools
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from omniops_tui.probes.handover import quick_handover
from omniops_tui.probes.latency_http import Connections, LazyTLS, RequestFailed

if TYPE_CHECKING:
    import asyncio


@dataclass(slots=True)
class LatencyRun:
    """What the workers saw: times of the 2xx answers (ms), the failures, how many were sent."""

    times_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    timeouts: int = 0
    sent: int = 0


@dataclass(frozen=True, slots=True)
class LatencyRequest:
    url: str
    requests: int
    concurrency: int
    timeout: float
    # How https answers are verified; a function is called once, only if an https URL is met.
    verify: ssl.SSLContext | bool | Callable[[], ssl.SSLContext | bool] = True
    headers: dict[str, str] = field(default_factory=dict)
    max_bytes: int = 1 << 20  # an answer is read up to this (a gigabyte body costs no memory)


def measure(request: LatencyRequest, stop: threading.Event | None = None) -> LatencyRun:
    """Send `requests` GETs, `concurrency` at a time, each timed in its own thread (blocking).

    A target that accepts and never answers: a worker whose request timed out before anything
    answered stops, so the run costs one timeout, not requests/concurrency of them. `stop` set
    from outside ends the run after the requests in flight.
    """
    stop = stop or threading.Event()
    run = LatencyRun()
    lock = threading.Lock()
    tickets = itertools.count()
    concurrency = max(1, min(request.concurrency, request.requests))
    tls = LazyTLS(request.verify)

    def worker() -> None:
        connections = Connections(request.timeout, request.headers, request.max_bytes, tls)
        try:
            while not stop.is_set() and next(tickets) < request.requests:
                with lock:
                    run.sent += 1
                started = time.perf_counter()  # (not base.Stopwatch: the worker starts without base.py)
                try:
                    status = connections.get(request.url)
                except RequestFailed as exc:
                    with lock:
                        run.timeouts += exc.timed_out
                        run.errors.append(str(exc))
                        if exc.timed_out and not run.times_ms:
                            return  # nothing has answered yet: waiting again would only wait again
                    continue
                elapsed = (time.perf_counter() - started) * 1000.0
                with lock:
                    if 200 <= status < 300:
                        run.times_ms.append(elapsed)
                    else:
                        run.errors.append(f"HTTP {status}")
        finally:
            connections.close()

    workers = [
        threading.Thread(target=worker, name=f"latency-probe-{n}", daemon=True) for n in range(concurrency)
    ]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return run


async def measure_in_threads(request: LatencyRequest) -> LatencyRun:
    """`measure` in threads of its own; the loop only awaits the result (cancellable).

    Not `asyncio.to_thread`: the default executor is small and shared (boto3 calls, imports),
    and the probe must not queue behind them. Cancelling stops the workers after the requests
    in flight (each bounded by its timeout).
    """
    import asyncio  # here: the worker process (latency_worker.py) imports this module without it

    loop = asyncio.get_running_loop()
    done: asyncio.Future[LatencyRun] = loop.create_future()
    stop = threading.Event()

    def deliver(outcome: LatencyRun | None, error: BaseException | None) -> None:
        if done.done():
            return
        if error is not None:
            done.set_exception(error)
        else:
            done.set_result(outcome)  # type: ignore[arg-type]

    def coordinate() -> None:
        outcome: LatencyRun | None = None
        error: BaseException | None = None
        try:
            outcome = measure(request, stop)
        except Exception as exc:  # handed to the awaiting check, which reports it
            error = exc
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody is waiting
            loop.call_soon_threadsafe(deliver, outcome, error)

    with quick_handover():  # an arrived answer is read within 0.5 ms, not 5 (handover.py)
        threading.Thread(target=coordinate, name="latency-probe", daemon=True).start()
        try:
            return await done
        finally:
            stop.set()
