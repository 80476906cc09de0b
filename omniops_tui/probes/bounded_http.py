"""HTTP answers read with a cap: a health endpoint that streams a gigabyte costs a megabyte.

A health body of 1 GB once drove `check` to 3.27 GB of memory and the TUI to 4.8 GB (issue 10
§4). httpx reads a whole body into memory; this module puts a cap *under* that read, with a
response event hook that runs before the body is read: the body stream is replaced by one that
yields at most `cap` bytes and then closes the connection (nothing more is received). Every
caller of a client built with `capped_client_options` is bounded without changing how it
reads (`client.get(...)`, `response.json()` …).

Compressed answers are decoded here, incrementally and bounded too (a few kilobytes of gzip can
inflate to gigabytes), and the request asks for `identity` anyway. `cut_at(response)` tells a
check whether what it got is the whole answer.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx

DEFAULT_CAP_MB = 1.0
_EXTENSION = "omniops_tui.capped"
_ZLIB_ENCODINGS = {"gzip": zlib.MAX_WBITS | 16, "x-gzip": zlib.MAX_WBITS | 16, "deflate": zlib.MAX_WBITS}


def cap_bytes(megabytes: float | None) -> int:
    """Bytes of a cap given in MB (the config's `max_response_mb`); 0 or less means the default."""
    mb = megabytes if megabytes and megabytes > 0 else DEFAULT_CAP_MB
    return max(1024, int(mb * 1024 * 1024))


class CappedStream(httpx.AsyncByteStream):
    """At most `cap` decoded bytes of `inner`; past them `cut_at` is set and reading stops."""

    def __init__(self, inner: httpx.AsyncByteStream, cap: int, encoding: str = "") -> None:
        self._inner = inner
        self.cap = cap
        self.cut_at = 0
        wbits = _ZLIB_ENCODINGS.get(encoding)
        self._decoder = zlib.decompressobj(wbits) if wbits is not None else None

    async def __aiter__(self) -> AsyncIterator[bytes]:
        size = 0
        try:
            async for raw in self._inner:
                chunk, more = self._decode(raw, self.cap - size)
                if len(chunk) > self.cap - size or more:
                    yield chunk[: self.cap - size]
                    self.cut_at = self.cap
                    return
                size += len(chunk)
                if chunk:
                    yield chunk
        finally:
            await self._inner.aclose()

    def _decode(self, raw: bytes, room: int) -> tuple[bytes, bool]:
        """(decoded bytes, whether more would follow beyond `room`)."""
        if self._decoder is None:
            return raw, False
        try:
            out = self._decoder.decompress(raw, room + 1)
        except zlib.error as exc:
            raise httpx.DecodingError(f"cannot decode the compressed answer: {exc}") from exc
        return out, bool(self._decoder.unconsumed_tail)

    async def aclose(self) -> None:
        await self._inner.aclose()


def capping_hook(cap: int) -> Callable[[httpx.Response], Awaitable[None]]:
    """A response hook that bounds the body of every response of the client."""

    async def cap_response(response: httpx.Response) -> None:
        encoding = response.headers.get("content-encoding", "").strip().lower()
        if encoding in ("", "identity") or encoding in _ZLIB_ENCODINGS:
            known = encoding if encoding in _ZLIB_ENCODINGS else ""
        else:
            known = ""  # br, zstd …: not decoded (asked for identity); kept as raw bytes, bounded
        if "content-encoding" in response.headers:
            del response.headers["content-encoding"]
            response.headers.pop("content-length", None)
        assert isinstance(response.stream, httpx.AsyncByteStream)
        capped = CappedStream(response.stream, cap, known)
        response.stream = capped
        response.extensions[_EXTENSION] = capped

    return cap_response


def capped_client_options(cap: int, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """Keyword arguments for `httpx.AsyncClient(...)` that bound every body to `cap` bytes."""
    return {
        "event_hooks": {"response": [capping_hook(cap)]},
        "headers": {**(headers or {}), "Accept-Encoding": "identity"},
    }


def cut_at(response: httpx.Response) -> int:
    """The cap at which the body was cut (0: the body is whole)."""
    capped = response.extensions.get(_EXTENSION)
    return capped.cut_at if isinstance(capped, CappedStream) else 0
