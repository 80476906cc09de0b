"""Clients kept for every sweep of one check context: made once per key, closed together.

A new HTTP client per sweep (or per check, as the promql kind did) cost a new TCP connection
per request and the client's own set-up (its connection pool, TLS settings) on the event loop,
the largest share of a sweep's CPU in a profile (issue 12). One client per target and settings,
shared by every sweep and every fork of the context, keeps its keep-alive connections for the
next sweep; the context's `aclose()` closes them all.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Awaitable, Callable, Hashable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from omniops_tui.config.model import Environment

T = TypeVar("T")


class SharedClients:
    """Clients by key. `get` makes one on first use (or again if it was closed)."""

    def __init__(self) -> None:
        self._clients: dict[Hashable, Any] = {}
        self._lock = asyncio.Lock()
        self._ssl: asyncio.Future[Any] | None = None
        self.closed = False

    async def ssl_ready(self, make: Callable[[], Any]) -> None:
        """`make()` (the context's SSL context) run once, in a thread: loading a CA store
        releases the GIL, so it costs the event loop nothing (it cost ~30-60 ms on it)."""
        if self._ssl is None:
            self._ssl = asyncio.ensure_future(asyncio.to_thread(make))
        if self._ssl.done():
            self._ssl.result()  # made (or failed: the same error again)
            return
        await asyncio.shield(self._ssl)

    async def get(self, key: Hashable, make: Callable[[], T | Awaitable[T]]) -> T:
        """The client for `key`, made by `make()` the first time (concurrent callers wait for it)."""
        async with self._lock:
            if self.closed:
                raise RuntimeError("check context is closed")
            client = self._clients.get(key)
            if client is None or getattr(client, "is_closed", False):
                made = make()
                client = await made if isinstance(made, Awaitable) else made
                self._clients[key] = client
            return client

    async def aclose(self) -> None:
        """Close every client (each bounded: a stuck close must not hold the exit)."""
        self.closed = True
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(2):
                    await client.aclose()


def make_ssl_context(environment: Environment | None) -> ssl.SSLContext | bool:
    """How the environment's HTTPS is verified: the system store, its CA file, or not at all."""
    if environment is None:
        return True
    if not environment.verify_tls:
        return False
    if environment.tls_ca_file:
        return ssl.create_default_context(cafile=str(Path(environment.tls_ca_file).expanduser()))
    return ssl.create_default_context()
