"""A TCP server that accepts connections and never answers.

DESIGN principle 3 says a dead target costs one timeout and never freezes the UI. The nastiest
dead target is not a closed port (that fails fast) but one that accepts and then stays silent:
an HTTP request, an SSH banner exchange, a PostgreSQL startup or a Redis PING all hang until
the client's timeout fires. Point any check at `BlackholeServer.address` to prove it.
"""

from __future__ import annotations

import asyncio
import contextlib
from types import TracebackType


class BlackholeServer:
    """Listens on a free loopback port; reads and discards everything, writes nothing."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
        self.connections = 0  # accepted so far, so a test can see the client really connected
        self.waiting = 0  # connections open now
        self.peak = 0  # the most open at once: clients that waited together, not one after another
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._swallow, self.host, 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        with contextlib.suppress(Exception):
            await self._server.wait_closed()
        self._server = None

    async def _swallow(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.connections += 1
        self.waiting += 1
        self.peak = max(self.peak, self.waiting)
        try:
            while await reader.read(65536):
                pass
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self.waiting -= 1
            self._tasks.discard(task)
            writer.close()

    async def __aenter__(self) -> BlackholeServer:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()
