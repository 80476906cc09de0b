"""A Redis connection that sends PING and INFO: the only two commands the Redis checks send.

Why not redis-py here (it stays a dependency: the demo fills its cache with it): importing
`redis.asyncio` cost ~65-100 ms of CPU, a fifth of a one-shot `omniops-tui check` (issue 12),
for a client whose pools, retries, cluster and pub/sub these checks never use. The protocol
they need is RESP2's five reply types over one asyncio stream: `*1\\r\\n$4\\r\\nPING\\r\\n` out,
`+PONG` or a bulk string back. What the URL may say is what redis-py reads for these commands:
`redis://[[user]:password@]host[:port][/db]`, `rediss://` (TLS; `ssl_cert_reqs=none` and
`ssl_ca_certs=FILE` in the query as redis-py spells them) and `unix:///path/to/socket`. The
database number is not selected: PING and INFO are server-wide.

One connection per context is shared by every Redis check of every sweep (commands go one at a
time, under a lock; Redis answers in order anyway). A command that does not complete (timed
out, cancelled, the server went away) leaves the stream at an unknown place: the connection is
dropped and the next check opens a new one. Read-only by construction: no other command can be
sent through `command()` than the ones the caller names, and the checks name PING and INFO.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

READ_ONLY_COMMANDS = frozenset({"PING", "INFO"})


class RedisError(Exception):
    """The server answered with an error (`-ERR …`, `-NOAUTH …`)."""


class RespConnection:
    """One connection to one Redis server; `command(...)` returns the decoded reply."""

    def __init__(self, url: str, *, timeout: float, max_bytes: int) -> None:
        self.url = url
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._lock = asyncio.Lock()
        self.is_closed = False

    async def _open(self) -> None:
        try:
            await self._connect()
        except BaseException:  # refused, or AUTH said no: nothing half-open is kept
            self._drop()
            raise

    async def _connect(self) -> None:
        parsed = urlparse(self.url)
        scheme = parsed.scheme.lower()
        async with asyncio.timeout(self.timeout):
            if scheme == "unix":
                self._reader, self._writer = await asyncio.open_unix_connection(unquote(parsed.path))
            elif scheme in ("redis", "rediss"):
                context = _tls_context(parsed.query) if scheme == "rediss" else None
                self._reader, self._writer = await asyncio.open_connection(
                    parsed.hostname or "localhost", parsed.port or 6379, ssl=context
                )
            else:
                raise ValueError(f"not a Redis URL (redis://, rediss:// or unix://): {scheme}://…")
            password = unquote(parsed.password) if parsed.password is not None else ""
            if password:
                user = unquote(parsed.username or "")
                await self._exchange(("AUTH", user, password) if user else ("AUTH", password))

    async def command(self, *words: str) -> Any:
        """Send one read-only command and return its reply (str, int, list, None)."""
        if words[0].upper() not in READ_ONLY_COMMANDS:
            raise ValueError(f"{words[0]} is not one of the read-only commands {sorted(READ_ONLY_COMMANDS)}")
        async with self._lock:
            if self.is_closed:
                raise ConnectionError("the Redis connection is closed")
            try:
                if self._writer is None:
                    await self._open()
                return await self._exchange(words)
            except RedisError:
                raise  # a whole reply was read: the stream is still in step
            except BaseException:  # timed out, cancelled, dropped: the stream is out of step
                self._drop()
                raise

    async def _exchange(self, words: tuple[str, ...]) -> Any:
        assert self._writer is not None
        encoded = [word.encode() for word in words]
        self._writer.write(
            b"*%d\r\n" % len(encoded) + b"".join(b"$%d\r\n%s\r\n" % (len(w), w) for w in encoded)
        )
        await self._writer.drain()
        return await self._reply()

    async def _reply(self) -> Any:
        assert self._reader is not None
        line = await self._reader.readuntil(b"\r\n")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode(errors="replace")
        if kind == b"-":
            raise RedisError(rest.decode(errors="replace"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            size = int(rest)
            if size < 0:
                return None
            if size > self.max_bytes:
                raise ValueError(f"Redis answered {size} bytes, more than the {self.max_bytes} read")
            data = await self._reader.readexactly(size + 2)
            return data[:-2].decode(errors="replace")
        if kind == b"*":
            count = int(rest)
            return None if count < 0 else [await self._reply() for _ in range(count)]
        raise ValueError(f"not a Redis reply: {line[:40]!r}")

    def _drop(self) -> None:
        if self._writer is not None:
            self._writer.transport.abort()
        self._reader = self._writer = None  # the next command opens a new connection

    async def aclose(self) -> None:
        """Close the connection (bounded by the caller: shared_clients gives it 2 s)."""
        writer, self._writer, self._reader = self._writer, None, None
        self.is_closed = True
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


def parse_info(text: str) -> dict[str, str]:
    """INFO's `key:value` lines as a table (section headers and blank lines left out)."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, sep, value = line.partition(":")
            if sep:
                fields[key] = value
    return fields


def _tls_context(query: str) -> ssl.SSLContext:
    """rediss://: verified against the system store unless the URL says otherwise."""
    options = {key: values[-1] for key, values in parse_qs(query).items()}
    context = ssl.create_default_context(cafile=options.get("ssl_ca_certs"))
    if options.get("ssl_cert_reqs", "").lower() in ("none", "optional"):
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context
