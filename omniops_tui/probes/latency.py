"""Timing HTTP requests where our own event loop's delays cannot leak into the figure.

On a busy machine the latency probe, awaiting its requests on the app's event loop, reported
P95 2886 ms while curl measured 145 ms at the same moment: each request's time included every
callback the loop ran before it noticed the answer (rendering, other checks, log lines). Here
the requests run in worker threads of their own, each timing its own blocking request on a
keep-alive connection of one shared `httpx.Client`: a thread waiting on a socket holds no
lock, so what is timed is the network and the server, plus at most a GIL hand-over when the
answer arrives. The event loop only awaits the finished figures (`measure_in_threads`).

The runbooks' loop is 50 sequential curls; the probe sends them `concurrency` at a time over a
pool of that many keep-alive connections, so 50 requests cost a few round trips, not 50.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import ssl
import threading
from dataclasses import dataclass, field

from omniops_tui.probes.base import Stopwatch, error_text


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
    verify: ssl.SSLContext | bool = True
    headers: dict[str, str] = field(default_factory=dict)
    max_bytes: int = 1 << 20  # an answer is read up to this (a gigabyte body costs no memory)


def measure(request: LatencyRequest, stop: threading.Event | None = None) -> LatencyRun:
    """Send `requests` GETs, `concurrency` at a time, each timed in its own thread (blocking).

    A target that accepts and never answers: a worker whose request timed out before anything
    answered stops, so the run costs one timeout, not requests/concurrency of them. `stop` set
    from outside ends the run after the requests in flight.
    """
    import httpx

    stop = stop or threading.Event()
    run = LatencyRun()
    lock = threading.Lock()
    tickets = itertools.count()
    concurrency = max(1, min(request.concurrency, request.requests))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    with httpx.Client(
        timeout=httpx.Timeout(request.timeout),
        verify=request.verify,
        headers=request.headers,
        follow_redirects=True,
        limits=limits,
    ) as client:

        def worker() -> None:
            while not stop.is_set() and next(tickets) < request.requests:
                with lock:
                    run.sent += 1
                watch = Stopwatch()
                try:
                    with client.stream("GET", request.url) as response:
                        received = 0
                        for chunk in response.iter_raw():
                            received += len(chunk)
                            if received >= request.max_bytes:
                                break
                except httpx.HTTPError as exc:
                    timed_out = isinstance(exc, httpx.TimeoutException)
                    with lock:
                        run.timeouts += timed_out
                        run.errors.append(f"{type(exc).__name__}: {error_text(exc)}")
                        if timed_out and not run.times_ms:
                            return  # nothing has answered yet: waiting again would only wait again
                    continue
                elapsed = watch.ms
                with lock:
                    if 200 <= response.status_code < 300:
                        run.times_ms.append(elapsed)
                    else:
                        run.errors.append(f"HTTP {response.status_code}")

        workers = [
            threading.Thread(target=worker, name=f"latency-probe-{n}", daemon=True)
            for n in range(concurrency)
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

    threading.Thread(target=coordinate, name="latency-probe", daemon=True).start()
    try:
        return await done
    finally:
        stop.set()
