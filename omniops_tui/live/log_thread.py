"""The log streams' SSH work on an event loop of its own, in a thread, off the UI's loop.

Under a firehose the UI's event loop never idled: receiving and decrypting SSH packets and
splitting them into lines took ~40 % of it, and a key waited behind every 256 KiB read. Here the
streams run on a second asyncio loop in a daemon thread, with SSH connections of their own
(asyncssh connections belong to the loop that opened them, so the check context's pool cannot be
shared across loops). Whatever a stream tells its listener is queued, in order, and the service
replays it on the UI's loop (`drain`), where the record and the fold stay.

The queue is bounded in lines: when the UI's loop falls behind, the stream thread waits before
queueing more, so its loop stops reading the socket and TCP flow control slows the sender, as
when everything ran on one loop; nothing is dropped before it is recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any

from omniops_tui.config.model import HostConfig
from omniops_tui.live.log_stream import LogSource, LogStream

if TYPE_CHECKING:
    import asyncssh

MAX_QUEUED_LINES = 20_000  # ~0.1 s of a firehose: the UI's loop, behind, slows the thread
WAIT_S = 0.05


class ThreadConnections:
    """SSH connections opened on the stream thread's loop, one per host, shared by its streams."""

    def __init__(
        self, open_connection: Callable[[HostConfig], Awaitable[asyncssh.SSHClientConnection]]
    ) -> None:
        self.open_connection = open_connection
        self._tasks: dict[str, asyncio.Task[asyncssh.SSHClientConnection]] = {}

    async def connect(self, host: HostConfig) -> asyncssh.SSHClientConnection:
        task = self._tasks.get(host.name)
        if (
            task is not None
            and task.done()
            and (task.cancelled() or task.exception() or task.result().is_closed())
        ):
            task = None
        if task is None:
            task = self._tasks[host.name] = asyncio.ensure_future(self.open_connection(host))
        return await asyncio.shield(task)

    def discard(self, name: str, connection: asyncssh.SSHClientConnection) -> None:
        task = self._tasks.get(name)
        if (
            task is not None
            and task.done()
            and not task.cancelled()
            and not task.exception()
            and task.result() is connection
        ):
            del self._tasks[name]
        connection.abort()

    def close_all(self) -> None:
        for task in self._tasks.values():
            if not task.done():
                task.cancel()
            elif not task.cancelled() and task.exception() is None:
                task.result().abort()
        self._tasks.clear()


class QueuedListener:
    """The streams' listener on the thread: every call is queued for the UI's loop, in order."""

    def __init__(self) -> None:
        self.calls: deque[tuple[str, tuple[Any, ...]]] = deque()
        self.queued_lines = 0
        self.stopping = False
        self._room = threading.Condition()

    def stream_lines(self, source: LogSource, lines: list[str]) -> None:
        with self._room:
            while self.queued_lines >= MAX_QUEUED_LINES and not self.stopping:
                self._room.wait(WAIT_S)
            self.queued_lines += len(lines)
            self.calls.append(("stream_lines", (source, lines)))

    def stream_connected(self, source: LogSource) -> None:
        self.calls.append(("stream_connected", (source,)))

    def stream_disconnected(self, source: LogSource, reason: str, retry_in: float) -> None:
        self.calls.append(("stream_disconnected", (source, reason, retry_in)))

    def stream_reconnected(self, source: LogSource, gap_s: float, attempts: int) -> None:
        self.calls.append(("stream_reconnected", (source, gap_s, attempts)))

    def drain(self) -> Iterator[tuple[str, tuple[Any, ...]]]:
        """The calls queued when asked, oldest first, one at a time (on the UI's loop, which may
        yield between them); each taken batch of lines makes room for the thread."""
        calls = self.calls
        for _ in range(len(calls)):
            name, args = calls.popleft()
            if name == "stream_lines":
                with self._room:
                    self.queued_lines -= len(args[1])
                    self._room.notify_all()
            yield name, args

    def release(self) -> None:
        with self._room:
            self.stopping = True
            self._room.notify_all()


class StreamThread:
    """Runs the given streams on a loop in a daemon thread until `stop()`."""

    def __init__(
        self, streams: list[LogStream], connections: ThreadConnections, listener: QueuedListener
    ) -> None:
        self.streams = streams
        self.connections = connections
        self.listener = listener
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, name="log-streams", daemon=True)

    def start(self) -> None:
        self._thread.start()
        self._started.wait(5)

    def _run(self) -> None:
        loop = self._loop = asyncio.new_event_loop()
        try:
            self._task = loop.create_task(self._main())
            self._started.set()
            loop.run_until_complete(self._task)
        except asyncio.CancelledError:
            pass
        finally:
            self.connections.close_all()
            loop.run_until_complete(asyncio.sleep(0))
            loop.close()

    async def _main(self) -> None:
        async with asyncio.TaskGroup() as group:
            for stream in self.streams:
                group.create_task(stream.run(), name=f"log-stream:{stream.source.id}")

    def stop(self) -> None:
        """Cancel the streams and let the thread end (it closes its connections)."""
        self.listener.release()
        loop, task = self._loop, self._task
        if loop is not None and task is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(task.cancel)

    async def stopped(self, timeout: float = 5.0) -> None:
        await asyncio.to_thread(self._thread.join, timeout)
