"""One latency worker's HTTP: blocking GETs on its own keep-alive connection, redirects followed.

The standard library's http.client, not httpx: a GET on a kept-alive loopback connection costs
~0.09 ms of CPU against httpx's ~0.4 ms, and the 50-request latency probe was most of a
sweep's CPU (issue 12). What httpx gave the probe is kept: keep-alive, redirects followed (as
`follow_redirects=True` did, at most 20), the answer read up to `max_bytes` (a gigabyte body
costs no memory), failures named as httpx named them (`ConnectError: …`, `ReadTimeout: …`) so
the evidence reads the same, and a kept-alive connection the server closed meanwhile is
reopened once instead of counting as a failure.
"""

from __future__ import annotations

import http.client
import ssl
import threading
import zlib
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

MAX_REDIRECTS = 20
REDIRECTS = (301, 302, 303, 307, 308)
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)
Origin = tuple[str, str, int]


class RequestFailed(Exception):
    """One request that got no status: the message is one line, `Kind: what happened`."""

    def __init__(self, kind: str, exc: BaseException, *, timed_out: bool) -> None:
        # Imported here, at the first failure: the latency probe's process starts without the
        # probes' vocabulary (base.py, ~15 ms of imports), and most runs never fail.
        from omniops_tui.probes.base import error_text

        super().__init__(f"{kind}: {error_text(exc)}")
        self.timed_out = timed_out


class LazyTLS:
    """The SSL context of a run's https requests, made once by the first worker that needs
    one: an http:// target never loads a CA store (~30 ms of CPU, more on a loaded machine)."""

    def __init__(self, verify: ssl.SSLContext | bool | Callable[[], ssl.SSLContext | bool]) -> None:
        self._verify = verify
        self._context: ssl.SSLContext | None = None
        self._lock = threading.Lock()

    def get(self) -> ssl.SSLContext:
        with self._lock:
            if self._context is None:
                verify = self._verify() if callable(self._verify) else self._verify
                if verify is True:
                    verify = ssl.create_default_context()
                self._context = (
                    verify if isinstance(verify, ssl.SSLContext) else ssl._create_unverified_context()
                )
            return self._context


def origin_of(method: str, url: str) -> tuple[Origin, str]:
    """(scheme, host, port) and the request target of `url`; only http and https are asked."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RequestFailed("UnsupportedProtocol", ValueError(f"cannot {method} {url}"), timed_out=False)
    origin = (parts.scheme, parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    return origin, (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def new_connection(origin: Origin, timeout: float, tls: LazyTLS) -> http.client.HTTPConnection:
    scheme, host, port = origin
    if scheme == "https":
        return http.client.HTTPSConnection(host, port, timeout=timeout, context=tls.get())
    return http.client.HTTPConnection(host, port, timeout=timeout)


def connect(connection: http.client.HTTPConnection) -> None:
    """Open `connection` unless it is open; a failure closes it and is named as httpx named it."""
    try:
        if connection.sock is None:
            connection.connect()
    except TimeoutError as exc:
        connection.close()
        raise RequestFailed("ConnectTimeout", exc, timed_out=True) from exc
    except OSError as exc:
        connection.close()
        raise RequestFailed("ConnectError", exc, timed_out=False) from exc


def exchange_failed(exc: BaseException) -> RequestFailed:
    """A request sent on an open connection that got no whole answer, named as httpx named it."""
    if isinstance(exc, TimeoutError):
        return RequestFailed("ReadTimeout", exc, timed_out=True)
    kind = "DecodingError" if isinstance(exc, zlib.error) else "RemoteProtocolError"
    return RequestFailed(kind, exc, timed_out=False)


class Connections:
    """A worker's connections, one per origin (scheme, host, port), reused while they last."""

    def __init__(self, timeout: float, headers: dict[str, str], max_bytes: int, tls: LazyTLS) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.tls = tls
        self.headers = {"Accept": "*/*", **headers}
        self.open: dict[Origin, http.client.HTTPConnection] = {}

    def get(self, url: str) -> int:
        """The final status of a GET of `url` (redirects followed), its answer read and dropped."""
        for _hop in range(MAX_REDIRECTS + 1):
            status, location = self._one(url)
            if status not in REDIRECTS or not location:
                return status
            url = urljoin(url, location)
        return status

    def _one(self, url: str) -> tuple[int, str]:
        key, target = origin_of("GET", url)
        reused = key in self.open and self.open[key].sock is not None
        try:
            return self._exchange(key, target)
        except _STALE as exc:
            self._drop(key)
            if not reused:
                raise RequestFailed("RemoteProtocolError", exc, timed_out=False) from exc
        try:  # the server closed a kept-alive connection meanwhile: once more on a new one
            return self._exchange(key, target)
        except _STALE as exc:
            self._drop(key)
            raise RequestFailed("RemoteProtocolError", exc, timed_out=False) from exc

    def _exchange(self, key: Origin, target: str) -> tuple[int, str]:
        connection = self.open.get(key)
        if connection is None:
            connection = self.open[key] = new_connection(key, self.timeout, self.tls)
        try:
            connect(connection)
            connection.request("GET", target, headers=self.headers)
            response = connection.getresponse()
            response.read(self.max_bytes)
        except (*_STALE, RequestFailed):
            raise
        except (OSError, http.client.HTTPException) as exc:
            self._drop(key)
            raise exchange_failed(exc) from exc
        if not response.isclosed():  # larger than max_bytes: this connection can't be reused
            self._drop(key)
        return response.status, response.getheader("Location") or ""

    def _drop(self, key: Origin) -> None:
        connection = self.open.pop(key, None)
        if connection is not None:
            connection.close()

    def close(self) -> None:
        for key in list(self.open):
            self._drop(key)
