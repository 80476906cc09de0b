"""The HTTP checks' requests: http.client keep-alive connections, each request in a worker thread.

Why not httpx for these checks (httpx stays: Prometheus, diagnostics): a concurrent sweep's
CPU was mostly httpx and httpcore, ~1.5 ms per request, most of it the connection pool
re-scanning every connection (a `poll` and a `getpeername` each) on every request and every
close, and importing them cost a one-shot `check` ~80-110 ms (issue 12). The standard
library's http.client costs ~0.1 ms a request, and latency_http.py already used it for the
latency probe with what the checks need: keep-alive, redirects followed, failures named as
httpx named them (`ConnectError: …`), a kept-alive connection the server closed reopened once.

A blocking request runs in one of the context's worker threads; the event loop only awaits its
answer, and each request is timed in its thread, so the "200 OK in 12 ms" a row shows is the
network and the server, not our loop's delay (issue 9's rule for the latency probe). Bodies
are read up to the cap (`max_response_mb`) and gzip/deflate ones decoded up to it, as
bounded_http.py bounded httpx: a gigabyte answer costs a megabyte.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import queue
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from typing import Any, TypeVar
from urllib.parse import urljoin

from omniops_tui.probes.base import Stopwatch
from omniops_tui.probes.handover import quick_handover
from omniops_tui.probes.latency_http import (
    _STALE,
    MAX_REDIRECTS,
    REDIRECTS,
    LazyTLS,
    Origin,
    RequestFailed,
    connect,
    exchange_failed,
    new_connection,
    origin_of,
)

WORKERS = 16
READ_CHUNK = 65536
_ZLIB = {"gzip": zlib.MAX_WBITS | 16, "x-gzip": zlib.MAX_WBITS | 16, "deflate": zlib.MAX_WBITS}
T = TypeVar("T")


@dataclass(slots=True)
class Answer:
    """What came back: the parts of an httpx.Response the checks read."""

    status_code: int
    reason_phrase: str
    headers: Message
    content: bytes
    cut_at: int = 0  # the cap the body was cut at (0: the body is whole)
    elapsed_ms: float = 0.0

    @property
    def text(self) -> str:
        charset = self.headers.get_content_charset() or "utf-8"
        try:
            return self.content.decode(charset, errors="replace")
        except LookupError:  # a charset Python does not know
            return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The decoded JSON body; ValueError when it is not JSON (as httpx raised)."""
        return json.loads(self.content)

    @property
    def is_redirect(self) -> bool:
        return self.status_code in REDIRECTS and "location" in self.headers


class ThreadedHTTP:
    """Keep-alive connections per origin shared by the worker threads; closed by `aclose`."""

    def __init__(
        self,
        timeout: float,
        max_bytes: int,
        verify: Any,
        headers: dict[str, str],
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.tls = LazyTLS(verify)
        self.headers = {"Accept": "*/*", "Accept-Encoding": "identity", **headers}
        self._idle: dict[Origin, list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()
        self._workers = Workers(WORKERS)
        self.is_closed = False

    async def request(
        self, method: str, url: str, *, json_body: Any = None, follow_redirects: bool = True
    ) -> Answer:
        """One request (redirects followed unless told not to); RequestFailed if no answer."""
        body = None if json_body is None else json.dumps(json_body).encode()
        with quick_handover():  # the worker reads its answer within 0.5 ms (handover.py)
            return await self._workers.run(self._follow, method, url, body, follow_redirects)

    # ------------------------------------------------------------------ in a worker thread
    def _follow(self, method: str, url: str, body: bytes | None, follow: bool) -> Answer:
        watch = Stopwatch()
        for _hop in range(MAX_REDIRECTS + 1):
            answer, location = self._one(method, url, body)
            if not follow or answer.status_code not in REDIRECTS or not location:
                break
            url = urljoin(url, location)
            if answer.status_code == 303 or (answer.status_code in (301, 302) and method == "POST"):
                method, body = "GET", None  # as browsers and httpx do
        answer.elapsed_ms = watch.ms
        return answer

    def _one(self, method: str, url: str, body: bytes | None) -> tuple[Answer, str]:
        origin, target = origin_of(method, url)
        connection, reused = self._checkout(origin)
        try:
            return self._exchange(origin, connection, method, target, body)
        except _STALE as exc:
            connection.close()
            if not reused:
                raise RequestFailed("RemoteProtocolError", exc, timed_out=False) from exc
        connection, _reused = self._checkout(origin, fresh=True)  # closed meanwhile: once more
        try:
            return self._exchange(origin, connection, method, target, body)
        except _STALE as exc:
            connection.close()
            raise RequestFailed("RemoteProtocolError", exc, timed_out=False) from exc

    def _exchange(
        self,
        origin: Origin,
        connection: http.client.HTTPConnection,
        method: str,
        target: str,
        body: bytes | None,
    ) -> tuple[Answer, str]:
        connect(connection)
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            connection.request(method, target, body=body, headers=headers)
            response = connection.getresponse()
            content, cut = self._read(response, method)
        except _STALE:
            raise
        except (OSError, http.client.HTTPException, zlib.error) as exc:
            connection.close()
            raise exchange_failed(exc) from exc
        if response.isclosed() and not response.will_close and not cut:
            self._checkin(origin, connection)  # read to its end: kept for the next request
        else:
            connection.close()
        answer = Answer(response.status, response.reason or "", response.msg, content, cut)
        return answer, response.getheader("Location") or ""

    def _read(self, response: http.client.HTTPResponse, method: str) -> tuple[bytes, int]:
        """(body up to the cap, the cap if it was cut there else 0); compressed bodies decoded."""
        encoding = (response.getheader("Content-Encoding") or "").strip().lower()
        wbits = _ZLIB.get(encoding)
        if wbits is None:  # identity, or one we did not ask for and do not decode: raw, bounded
            content = response.read(self.max_bytes + 1)
            if len(content) > self.max_bytes:
                return content[: self.max_bytes], self.max_bytes
            return content, 0
        decoder = zlib.decompressobj(wbits)
        out = bytearray()
        while raw := response.read(READ_CHUNK):
            out += decoder.decompress(raw, self.max_bytes + 1 - len(out))
            if len(out) > self.max_bytes or decoder.unconsumed_tail:
                return bytes(out[: self.max_bytes]), self.max_bytes
        return bytes(out), 0

    def _checkout(self, origin: Origin, *, fresh: bool = False) -> tuple[http.client.HTTPConnection, bool]:
        with self._lock:
            idle = self._idle.get(origin)
            if idle and not fresh:
                return idle.pop(), True
        return new_connection(origin, self.timeout, self.tls), False

    def _checkin(self, origin: Origin, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            if not self.is_closed:
                self._idle.setdefault(origin, []).append(connection)
                return
        connection.close()

    # ------------------------------------------------------------------ closing
    async def aclose(self) -> None:
        """Close the idle connections; requests in flight close theirs when they end."""
        with self._lock:
            self.is_closed = True
            idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection in connections:
                connection.close()
        self._workers.close()


class Workers:
    """Daemon threads that run blocking calls for the event loop, started as calls need them.

    Not a ThreadPoolExecutor: its threads are not daemons, and a live non-daemon thread at the
    end of a one-shot `check` makes the process take the slow exit (hangup.py waits for them)
    and Python's own exit join them; a request still in flight must not hold the exit.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads = 0
        self._idle = 0
        self.started: list[threading.Thread] = []

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` in a worker; cancelling the wait leaves the call to finish alone."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        with self._lock:
            if self._idle == 0 and self._threads < self.size:
                self._threads += 1
                thread = threading.Thread(target=self._work, name="http-check", daemon=True)
                self.started.append(thread)
                thread.start()
        self._queue.put((loop, future, function, args))
        return await future

    def _work(self) -> None:
        while True:
            with self._lock:
                self._idle += 1
            item = self._queue.get()
            with self._lock:
                self._idle -= 1
            if item is None:
                return
            loop, future, function, args = item
            try:
                outcome, error = function(*args), None
            except BaseException as exc:  # handed to the awaiting check
                outcome, error = None, exc
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody waits
                loop.call_soon_threadsafe(_settle, future, outcome, error)

    def close(self) -> None:
        """Each worker ends after the call it is in (if any)."""
        with self._lock:
            count, self._threads = self._threads, 0
        for _ in range(count):
            self._queue.put(None)


def _settle(future: asyncio.Future[Any], outcome: Any, error: BaseException | None) -> None:
    if future.done():  # cancelled: the check timed out meanwhile
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(outcome)
