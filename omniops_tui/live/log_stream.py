"""Log streams over SSH: one endless remote command per source, reconnected with backoff.

A source is a host and a command: `tail -n 100 -F PATH` for each configured log file, and each
configured `log_commands` entry as it is (`docker-compose logs -f --tail=100 app`, `pm2 logs
--lines 100`). A `LogStream` runs it on the shared, pooled SSH connection of the check context
and hands its output on in chunks, never line by line (STYLE point 4): each SSH channel packet
(up to 32 KiB, binary) is split into lines, keeping the partial last line for the next packet,
and the chunk's lines go to the listener as one batch. stderr is split the same way, so
`tail: cannot open …` reaches the pane.

Why a session callback and not `create_process` + `stdout.read(65536)`: with asyncssh 2.24 a
reader that is slower than the remote command (a firehose, 50,000+ lines/s) makes the process
pause the channel, and every resume re-opens the whole SSH window while the channel's own
buffer still holds packets, so that buffer grows without bound (measured: +40 MB/s of RSS).
Handling each packet as it is delivered leaves nothing to pile up in asyncssh: a consumer
that cannot keep up slows the TCP connection instead, and the pane's bounded buffer decides
what is dropped (and counts it).

When the stream ends (EOF, dropped connection, an error), the listener hears why and when the
next attempt is; attempts back off 1, 2, 4, 8, 15, 30 s (injectable), and the backoff resets
once a stream has been healthy for a while. A reconnect re-reads the last N lines of history,
so lines already seen are skipped (up to the last line received before the drop).

No Textual, and asyncssh is imported only when a stream runs.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Protocol, cast

from omniops_tui.config.model import Environment, HostConfig
from omniops_tui.probes.readonly import CommandRefused, parse_readonly, readonly_command

if TYPE_CHECKING:
    import asyncssh

DEFAULT_TAIL_LINES = 100
READ_BYTES = 64 * 1024  # socket bytes per event-loop iteration (`bound_reads`)
MAX_PARTIAL_BYTES = 1 << 20  # a "line" longer than this is cut rather than held forever
DEFAULT_DELAYS: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
DEFAULT_HEALTHY_AFTER = 30.0

Connect = Callable[[HostConfig], Awaitable["asyncssh.SSHClientConnection"]]
Discard = Callable[[str, "asyncssh.SSHClientConnection"], None]


@dataclass(frozen=True, slots=True)
class LogSource:
    """One stream: `prod-1:error.log` is `tail -n 100 -F /var/log/…/error.log` on prod-1."""

    id: str
    host: HostConfig = field(compare=False, hash=False)
    command: str
    label: str

    @property
    def host_name(self) -> str:
        return self.host.name

    @property
    def prefix(self) -> str:
        """What the merged view puts before each of this source's lines."""
        return f"{self.host.name} {self.label} │ "


def sources_for(environment: Environment | None, tail_lines: int = DEFAULT_TAIL_LINES) -> list[LogSource]:
    """Every log source of the environment's hosts, files first, in config order.

    Commands go through the read-only allow-list and run re-quoted; a `log_commands` entry it
    refuses is left out (the start-up check, `probes.config_commands`, already said why).
    """
    if environment is None:
        return []
    sources: list[LogSource] = []
    for host in environment.hosts:
        taken: set[str] = set()
        for path in host.logs:
            label = _unique(PurePosixPath(path).name or path, taken)
            command = readonly_command(["tail", "-n", str(int(tail_lines)), "-F", path]).text
            sources.append(LogSource(f"{host.name}:{label}", host, command, label))
        for configured in host.log_commands:
            try:
                command = parse_readonly(configured).text
            except CommandRefused:
                continue
            words = configured.split()
            label = _unique(PurePosixPath(words[0]).name if words else "command", taken)
            sources.append(LogSource(f"{host.name}:{label}", host, command, label))
    return sources


def _unique(label: str, taken: set[str]) -> str:
    candidate, number = label, 2
    while candidate in taken:
        candidate = f"{label}#{number}"
        number += 1
    taken.add(candidate)
    return candidate


class LineSplitter:
    """Bytes chunks in, complete lines out; the partial last line waits for the next chunk."""

    def __init__(self) -> None:
        self._partial = b""

    def feed(self, chunk: bytes) -> list[str]:
        data = self._partial + chunk if self._partial else chunk
        cut = data.rfind(b"\n")
        if cut < 0:
            if len(data) > MAX_PARTIAL_BYTES:
                self._partial = b""
                return [data.decode("utf-8", "replace")]
            self._partial = data
            return []
        self._partial = data[cut + 1 :]
        # A newline never occurs inside a UTF-8 sequence, so the complete part decodes alone.
        text = data[:cut].decode("utf-8", "replace")
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "")
        return text.split("\n")

    def flush(self) -> list[str]:
        """The partial line at the end of a stream, if any."""
        data, self._partial = self._partial, b""
        return [data.decode("utf-8", "replace").rstrip("\r")] if data else []


class Backoff:
    """Delays between attempts: 1, 2, 4, 8, 15, 30 s …; back to the start after a healthy run."""

    def __init__(
        self, delays: Sequence[float] = DEFAULT_DELAYS, healthy_after: float = DEFAULT_HEALTHY_AFTER
    ) -> None:
        if not delays:
            raise ValueError("backoff needs at least one delay")
        self.delays = tuple(delays)
        self.healthy_after = healthy_after
        self._index = 0

    def next_delay(self) -> float:
        delay = self.delays[min(self._index, len(self.delays) - 1)]
        self._index += 1
        return delay

    def ran_for(self, seconds: float) -> None:
        """A stream that ran this long before failing: reset the backoff if that was healthy."""
        if seconds >= self.healthy_after:
            self._index = 0


class StreamListener(Protocol):
    """What a stream reports; called on the event loop, so implementations must be quick."""

    def stream_lines(self, source: LogSource, lines: list[str]) -> None: ...

    def stream_connected(self, source: LogSource) -> None: ...

    def stream_disconnected(self, source: LogSource, reason: str, retry_in: float) -> None: ...

    def stream_reconnected(self, source: LogSource, gap_s: float, attempts: int) -> None: ...


class _Session(Protocol):
    """What `LogStream` uses of its asyncssh session (the class is built on first use)."""

    def start(self, stream: LogStream, *, resync: bool) -> None: ...

    async def finished(self) -> str: ...


class LogStream:
    """Runs one source forever: connect, read, report, back off, reconnect."""

    def __init__(
        self,
        source: LogSource,
        connect: Connect,
        listener: StreamListener,
        *,
        discard: Discard | None = None,
        backoff: Backoff | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.source = source
        self.connect = connect
        self.listener = listener
        self.discard = discard
        self.backoff = backoff or Backoff()
        self.clock = clock
        self.sleep = sleep
        self.last_line = ""

    async def run(self) -> None:
        down_since: float | None = None
        attempts = 0
        while True:
            attempts += 1
            started = self.clock()
            connection: asyncssh.SSHClientConnection | None = None
            reconnecting = down_since is not None
            try:
                connection = await self.connect(self.source.host)
                bound_reads(connection)
                channel, created = await connection.create_session(
                    _session_class(), self.source.command, encoding=None
                )
                session = cast(_Session, created)
                session.start(self, resync=reconnecting)
                if down_since is not None:
                    self.listener.stream_reconnected(self.source, self.clock() - down_since, attempts)
                else:
                    self.listener.stream_connected(self.source)
                down_since, attempts = None, 0
                started = self.clock()
                try:
                    reason = await session.finished()
                finally:
                    channel.close()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # every failure is reported and retried, never raised
                reason = describe_error(exc)
            if connection is not None and connection.is_closed() and self.discard is not None:
                self.discard(self.source.host.name, connection)
            self.backoff.ran_for(self.clock() - started)
            if down_since is None:
                down_since = self.clock()
            delay = self.backoff.next_delay()
            self.listener.stream_disconnected(self.source, reason, delay)
            await self.sleep(delay)

    def deliver(self, lines: list[str], skip_until: str = "") -> None:
        """One chunk's lines from the session: skip re-sent history, then hand them on."""
        if skip_until:
            lines = skip_seen(lines, skip_until)
            if not lines:
                return
        self.last_line = lines[-1]
        self.listener.stream_lines(self.source, lines)


@functools.cache
def _session_class() -> type:
    """The asyncssh session class (built on first use: asyncssh loads only when a stream runs)."""
    import asyncssh

    class _LogSession(asyncssh.SSHClientSession[bytes]):
        """Splits each delivered packet into lines and hands them to the stream at once."""

        def __init__(self) -> None:
            self._stream: LogStream | None = None
            self._skip_until = ""
            self._splitters: dict[object, LineSplitter] = {}
            self._exit = ""
            self._done: asyncio.Future[str] = asyncio.get_running_loop().create_future()
            self._early: list[tuple[bytes, object]] = []

        def start(self, stream: LogStream, *, resync: bool) -> None:
            self._stream = stream
            self._skip_until = stream.last_line if resync else ""
            early, self._early = self._early, []
            for data, datatype in early:
                self.data_received(data, datatype)

        def data_received(self, data: bytes, datatype: object) -> None:
            if self._stream is None:  # output before create_session returned
                self._early.append((data, datatype))
                return
            splitter = self._splitters.get(datatype)
            if splitter is None:
                splitter = self._splitters[datatype] = LineSplitter()
            lines = splitter.feed(data)
            if lines:
                self._hand_on(lines)

        def _hand_on(self, lines: list[str]) -> None:
            assert self._stream is not None
            skip, self._skip_until = self._skip_until, ""
            try:
                self._stream.deliver(lines, skip)
            except Exception as exc:  # a listener bug must not kill the SSH connection
                self._finish(f"internal error: {describe_error(exc)}")

        def exit_status_received(self, status: int) -> None:
            self._exit = f"command exited with status {status}"

        def exit_signal_received(self, signal: str, core_dumped: bool, msg: str, lang: str) -> None:
            self._exit = f"command killed by signal {signal}"

        def connection_lost(self, exc: Exception | None) -> None:
            if self._stream is not None:
                for splitter in self._splitters.values():
                    rest = splitter.flush()
                    if rest:
                        self._hand_on(rest)
            if exc is not None:
                self._finish(describe_error(exc))
            else:
                self._finish(self._exit or "stream ended")

        def _finish(self, reason: str) -> None:
            if not self._done.done():
                self._done.set_result(reason)

        async def finished(self) -> str:
            return await self._done

    return _LogSession


def bound_reads(connection: object, size: int = READ_BYTES) -> None:
    """Read at most `size` bytes from the connection's socket per event-loop iteration.

    asyncio reads up to 256 KiB at once, and asyncssh decrypts, and this module splits, all of
    it before the loop runs anything else: during a firehose every iteration carried ~3,000
    lines of work, and a key crossed several iterations on its way to the screen. A smaller
    read bounds each iteration's work; the socket stays ready, so throughput is the same.
    """
    transport = getattr(connection, "_transport", None)
    if transport is not None and getattr(transport, "max_size", 0) > size:
        transport.max_size = size


def skip_seen(lines: list[str], last_seen: str) -> list[str]:
    """After a reconnect, drop re-sent history up to the last line seen before the drop."""
    for index in range(len(lines) - 1, -1, -1):
        if lines[index] == last_seen:
            return lines[index + 1 :]
    return lines


def describe_error(exc: BaseException) -> str:
    """One line for the pane: `connection lost`, `[Errno 111] Connection refused` …"""
    name = type(exc).__name__
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if name == "ConnectionLost":
        return "connection lost" + (f" ({text})" if text and text.lower() != "connection lost" else "")
    if isinstance(exc, TimeoutError):
        return "timed out connecting"
    return text or name
