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
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class SharedClients:
    """Clients by key. `get` makes one on first use (or again if it was closed)."""

    def __init__(self) -> None:
        self._clients: dict[Hashable, Any] = {}
        self._lock = asyncio.Lock()
        self.closed = False

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
