"""A read-only client of Prometheus's HTTP API: instant and range queries, bounded and one-line errors.

Why httpx and no Prometheus library: the API is two GET endpoints returning JSON, the rest of
the probes already speak httpx (timeouts, TLS, auth), and the Python clients on offer either
pull in pandas or write PromQL for you; no PromQL is parsed here, the server judges it.

Every query has a timeout (sent to the server too, so it stops evaluating), at most
`MAX_IN_FLIGHT` queries of one client run at once, and an answer larger than
`MAX_ANSWER_BYTES` is refused rather than read into memory: a slow or huge Prometheus costs a
bounded wait and an error line, never a frozen screen. Every failure is a `PrometheusError`
whose message is one line naming the server, the query and what the server said.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import ssl
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from omniops_tui.config.model import mask_url
from omniops_tui.core.errors import UserError
from omniops_tui.core.text import visible_line

if TYPE_CHECKING:
    import httpx  # imported when a client is made: the first screen need not wait for it

    from omniops_tui.config.model import Config, Environment, PrometheusConfig

MAX_IN_FLIGHT = 8
MAX_ANSWER_BYTES = 64 * 1024 * 1024
MAX_POINTS = 11_000  # Prometheus refuses range queries of more points per series
QUERY_SHOWN = 160


class PrometheusError(Exception):
    """One line: `prometheus URL: query 'EXPR': what went wrong`."""

    def __init__(self, message: str, *, kind: str = "error", query: str = "") -> None:
        super().__init__(message)
        self.kind = kind  # unreachable, timeout, auth, bad_query, server, answer
        self.query = query


@dataclass(frozen=True, slots=True)
class Sample:
    """One series of an instant query: its labels and value (None for NaN/±Inf: no figure)."""

    labels: dict[str, str]
    value: float | None
    at: float  # unix seconds


@dataclass(frozen=True, slots=True)
class RangeSeries:
    """One series of a range query: (unix seconds, value or None) points, oldest first."""

    labels: dict[str, str]
    points: list[tuple[float, float | None]] = field(default_factory=list)


def shown(query: str) -> str:
    """A query as an error line quotes it: one line, bounded."""
    text = " ".join(query.split())
    return text if len(text) <= QUERY_SHOWN else text[: QUERY_SHOWN - 1] + "…"


def number(text: Any) -> float | None:
    """Prometheus sends values as strings; NaN and infinities are no figure at all."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


@lru_cache(maxsize=8)
def _ssl_context(verify: bool, ca_file: str) -> ssl.SSLContext | bool:
    """Made once per setting: loading the CA store costs ~30 ms of CPU."""
    if not verify:
        return False
    if ca_file:
        return ssl.create_default_context(cafile=str(Path(ca_file).expanduser()))
    return ssl.create_default_context()


@lru_cache(maxsize=1)
def _plain() -> ssl.SSLContext:
    """For an http:// server: `verify=True` made httpx load the CA store (~30 ms of CPU) for a
    client that never speaks TLS. This context trusts nothing, so TLS, if ever asked, fails."""
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


class PrometheusClient:
    """Queries one server. Open with `from_settings`, close with `aclose()` (or `async with`)."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 5.0,
        verify: ssl.SSLContext | bool = True,
        auth: httpx.Auth | tuple[str, str] | None = None,
        headers: dict[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        import httpx

        self.url = url.rstrip("/")
        self.timeout = timeout
        self._semaphore = asyncio.Semaphore(MAX_IN_FLIGHT)
        self._http = httpx.AsyncClient(
            base_url=self.url,
            timeout=httpx.Timeout(timeout),
            verify=verify,
            auth=auth,
            headers={"User-Agent": "omniops-tui", "Accept": "application/json", **(headers or {})},
            limits=httpx.Limits(max_connections=MAX_IN_FLIGHT, max_keepalive_connections=MAX_IN_FLIGHT),
            transport=transport,
        )
        self.bytes_received = 0  # what the answers weighed, for the fleet bench

    @classmethod
    def from_settings(
        cls,
        settings: PrometheusConfig,
        *,
        config: Config | None = None,
        environment: Environment | None = None,
    ) -> PrometheusClient:
        """A client for `[env.NAME.prometheus]`; a secret variable that is not set is a `UserError`."""
        where = _where(config, environment)
        scheme = urlparse(settings.url).scheme
        if scheme not in ("http", "https"):
            raise UserError(f"{where}.url must start with http:// or https:// (got '{settings.url}')")
        headers: dict[str, str] = {}
        auth: tuple[str, str] | None = None
        if settings.bearer_token_env:
            headers["Authorization"] = f"Bearer {_secret(settings, 'bearer_token_env', where)}"
        elif settings.username_env or settings.password_env:
            auth = (_secret(settings, "username_env", where), _secret(settings, "password_env", where))
        timeout = settings.timeout or (config.timeout_for(environment) if config else 5.0)
        return cls(
            settings.url,
            timeout=timeout,
            verify=_ssl_context(settings.verify_tls, settings.tls_ca_file) if scheme == "https" else _plain(),
            auth=auth,
            headers=headers,
        )

    # ------------------------------------------------------------------ queries
    async def instant(self, query: str, at: float | None = None) -> list[Sample]:
        """`/api/v1/query`: one sample per series (a scalar answer is one series with no labels)."""
        params = {"query": query}
        if at is not None:
            params["time"] = f"{at:.3f}"
        data = await self._get("/api/v1/query", params, query)
        kind, result = data.get("resultType"), data.get("result")
        if kind == "scalar" and isinstance(result, list) and len(result) == 2:
            return [Sample({}, number(result[1]), float(result[0]))]
        if kind != "vector" or not isinstance(result, list):
            raise self._error(f"answered a {kind or 'malformed'} result, expected a vector", "answer", query)
        samples = []
        for item in result:
            stamp, value = item.get("value", (0, None))
            samples.append(Sample(_labels(item), number(value), float(stamp)))
        return samples

    async def range(self, query: str, start: float, end: float, step: float) -> list[RangeSeries]:
        """`/api/v1/query_range` from `start` to `end` (unix seconds) every `step` seconds."""
        step = max(step, (end - start) / (MAX_POINTS - 1), 0.001)
        params = {"query": query, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": f"{step:.3f}"}
        data = await self._get("/api/v1/query_range", params, query)
        if data.get("resultType") != "matrix" or not isinstance(data.get("result"), list):
            raise self._error("answered a malformed range result", "answer", query)
        return [
            RangeSeries(_labels(item), [(float(t), number(v)) for t, v in item.get("values", [])])
            for item in data["result"]
        ]

    async def _get(self, path: str, params: dict[str, str], query: str) -> dict[str, Any]:
        import httpx  # already loaded by __init__: a dictionary look-up

        params = {**params, "timeout": f"{self.timeout:g}s"}
        async with self._semaphore:
            try:
                async with asyncio.timeout(self.timeout + 1):
                    async with self._http.stream("GET", path, params=params) as response:
                        body = await self._read(response, query)
            except TimeoutError as exc:
                raise self._error(f"timed out after {self.timeout:g} s", "timeout", query) from exc
            except httpx.TimeoutException as exc:
                raise self._error(f"timed out after {self.timeout:g} s", "timeout", query) from exc
            except httpx.HTTPError as exc:
                reason = str(exc).strip() or type(exc).__name__
                raise self._error(f"cannot reach the server ({reason})", "unreachable", query) from exc
        return self._decode(response, body, query)

    async def _read(self, response: httpx.Response, query: str) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_ANSWER_BYTES:
            raise self._error(
                f"answer of {int(declared)} bytes refused (limit {MAX_ANSWER_BYTES})", "answer", query
            )
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > MAX_ANSWER_BYTES:
                raise self._error(f"answer larger than {MAX_ANSWER_BYTES} bytes refused", "answer", query)
            chunks.append(chunk)
        self.bytes_received += size
        return b"".join(chunks)

    def _decode(self, response: httpx.Response, body: bytes, query: str) -> dict[str, Any]:
        try:
            decoded = json.loads(body)
        except ValueError:
            decoded = None
        status = response.status_code
        if status in (401, 403):
            said = _said(decoded, body)
            hint = "check the credentials the config names" if status == 401 else "not allowed"
            raise self._error(f"HTTP {status} {response.reason_phrase}: {said or hint}", "auth", query)
        if isinstance(decoded, dict) and decoded.get("status") == "error":
            kind = str(decoded.get("errorType") or "error")
            said = _said(decoded, body)
            category = "bad_query" if kind in ("bad_data", "execution") and status in (400, 422) else "server"
            if kind == "timeout":
                category = "timeout"
            raise self._error(f"{kind}: {said}", category, query)
        if status != 200 or not isinstance(decoded, dict) or not isinstance(decoded.get("data"), dict):
            said = _said(decoded, body) or "not a Prometheus API answer"
            raise self._error(f"HTTP {status} {response.reason_phrase}: {said}", "server", query)
        return decoded["data"]

    def _error(self, what: str, kind: str, query: str) -> PrometheusError:
        line = visible_line(f"prometheus {mask_url(self.url)}: query '{shown(query)}': {what}")
        return PrometheusError(line, kind=kind, query=query)

    # ------------------------------------------------------------------ closing
    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> PrometheusClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


def _labels(item: dict[str, Any]) -> dict[str, str]:
    metric = item.get("metric")
    return {str(k): str(v) for k, v in metric.items()} if isinstance(metric, dict) else {}


def _said(decoded: Any, body: bytes) -> str:
    """The server's own words: the API's `error` field, else the first line of the body."""
    if isinstance(decoded, dict) and decoded.get("error"):
        text = str(decoded["error"])
    else:
        text = body.decode("utf-8", "replace").strip()
    first = text.splitlines()[0] if text else ""
    return first[:300]


def _where(config: Config | None, environment: Environment | None) -> str:
    name = environment.name if environment is not None else "NAME"
    path = config.path if config is not None and config.path else None
    return f"{path}: env.{name}.prometheus" if path else f"env.{name}.prometheus"


def _secret(settings: PrometheusConfig, key: str, where: str) -> str:
    variable = getattr(settings, key)
    if not variable:
        raise UserError(f"{where}: basic auth needs both username_env and password_env")
    value = os.environ.get(variable)
    if not value:
        raise UserError(
            f"{where}.{key} names ${variable}, which is not set; export {variable} or remove the key"
        )
    return value
