"""A minimal HTTP/1.1 server on asyncio streams: keep-alive, Content-Length and chunked bodies.

The sandbox must answer the runbooks' 50-request latency loop quickly and many concurrent
probes, with no dependency beyond the standard library. Each connection is one task that
serves requests until the client closes or asks `Connection: close`; `stop()` closes the
listener *and* the idle keep-alive connections (Python 3.11's `wait_closed` does not wait
for them) so a test never leaks sockets. HEAD is answered as GET without the body.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlsplit

_log = logging.getLogger(__name__)
_MAX_HEAD = 64 * 1024
_MAX_BODY = 8 * 1024 * 1024


@dataclass(slots=True)
class Request:
    method: str
    target: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes = b""

    def json(self) -> Any:
        """The body as JSON; ValueError when it is not."""
        return json.loads(self.body.decode("utf-8") or "null")


@dataclass(slots=True)
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    # A body made while it is sent (`length` bytes exactly), instead of `body`: huge answers.
    stream: Callable[[], AsyncIterator[bytes]] | None = None
    length: int = 0

    @classmethod
    def json(cls, data: Any, status: int = 200) -> Response:
        return cls(status, json.dumps(data, separators=(",", ":")).encode(), "application/json")

    @classmethod
    def text(cls, text: str, status: int = 200, content_type: str = "text/plain; charset=utf-8") -> Response:
        return cls(status, text.encode(), content_type)


Handler = Callable[[Request], Awaitable[Response]]


class _BadRequest(Exception):
    pass


class HTTPServer:
    """Serves `handler` on a free loopback port."""

    def __init__(
        self, handler: Handler, server_name: str = "omniops-sandbox", answer_delay: float = 0.0
    ) -> None:
        self.handler = handler
        self.server_name = server_name
        # Seconds each answer waits before it is written, as a network's round trip would.
        self.answer_delay = answer_delay
        self.port = 0
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = await asyncio.start_server(self._serve, host, port, backlog=512)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        for task in list(self._connections):
            task.cancel()
        if self._connections:
            await asyncio.gather(*self._connections, return_exceptions=True)
        with contextlib.suppress(Exception):
            await self._server.wait_closed()
        self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            while True:
                try:
                    request, keep_alive = await self._read_request(reader, writer)
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                except _BadRequest as exc:
                    await self._write(writer, "GET", Response.text(f"{exc}\n", 400), keep_alive=False)
                    return
                try:
                    response = await self.handler(request)
                except Exception:
                    _log.exception("sandbox HTTP handler failed on %s %s", request.method, request.target)
                    response = Response.json({"error": "sandbox handler crashed"}, 500)
                await self._write(writer, request.method, response, keep_alive)
                if not keep_alive:
                    return
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._connections.discard(task)
            writer.close()

    async def _read_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> tuple[Request, bool]:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.LimitOverrunError as exc:
            raise _BadRequest("request head too large") from exc
        if len(head) > _MAX_HEAD:
            raise _BadRequest("request head too large")
        lines = head.decode("latin-1").split("\r\n")
        try:
            method, target, version = lines[0].split(" ", 2)
        except ValueError as exc:
            raise _BadRequest("malformed request line") from exc
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if not line:
                continue
            name, sep, value = line.partition(":")
            if not sep:
                raise _BadRequest("malformed header")
            headers[name.strip().lower()] = value.strip()
        if headers.get("expect", "").lower() == "100-continue":
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = await self._read_body(reader, headers)
        split = urlsplit(target)
        connection = headers.get("connection", "").lower()
        keep_alive = connection != "close" and (version == "HTTP/1.1" or connection == "keep-alive")
        return Request(
            method.upper(), target, split.path or "/", dict(parse_qsl(split.query)), headers, body
        ), keep_alive

    @staticmethod
    async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            parts: list[bytes] = []
            while True:
                size_line = await reader.readuntil(b"\r\n")
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    await reader.readuntil(b"\r\n")
                    return b"".join(parts)
                parts.append(await reader.readexactly(size))
                await reader.readexactly(2)
        length_text = headers.get("content-length", "0") or "0"
        if not length_text.isdigit() or int(length_text) > _MAX_BODY:
            raise _BadRequest("bad Content-Length")
        length = int(length_text)
        return await reader.readexactly(length) if length else b""

    async def _write(
        self, writer: asyncio.StreamWriter, method: str, response: Response, keep_alive: bool
    ) -> None:
        if self.answer_delay:
            await asyncio.sleep(self.answer_delay)
        try:
            phrase = HTTPStatus(response.status).phrase
        except ValueError:
            phrase = ""
        head = [
            f"HTTP/1.1 {response.status} {phrase}",
            f"Server: {self.server_name}",
            f"Date: {formatdate(usegmt=True)}",
            f"Content-Type: {response.content_type}",
            f"Content-Length: {response.length if response.stream is not None else len(response.body)}",
            f"Connection: {'keep-alive' if keep_alive else 'close'}",
            *(f"{k}: {v}" for k, v in response.headers.items()),
        ]
        head_bytes = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
        if method != "HEAD" and response.stream is None:
            writer.write(head_bytes + response.body)  # one write: one segment, one wake-up of the client
            await writer.drain()
            return
        writer.write(head_bytes)
        if method != "HEAD" and response.stream is not None:
            await writer.drain()
            async for chunk in response.stream():
                writer.write(chunk)
                await writer.drain()
            return
        if method != "HEAD":
            writer.write(response.body)
        await writer.drain()
