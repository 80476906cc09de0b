"""The HTTP checks' own requests (http_client.py): bounded bodies, kept-alive connections,
redirects as httpx followed them, failures named as httpx named them."""

from __future__ import annotations

import gzip
from typing import Any

from omniops_tui.probes.http_client import ThreadedHTTP
from tests.probes.conftest import LoopbackHTTP

MB = 1024 * 1024


def client(max_bytes: int = MB) -> ThreadedHTTP:
    return ThreadedHTTP(5, max_bytes, lambda: True, {"User-Agent": "test"})


async def test_bodies_plain_or_compressed_are_cut_at_the_cap() -> None:
    plain = b"x" * (5 * MB)
    bomb = gzip.compress(b"\0" * (64 * MB))  # ~64 KB on the wire, 64 MB once inflated
    seen: list[dict[str, str]] = []

    async def handler(method: str, target: str, headers: dict[str, str], body: bytes) -> Any:
        seen.append(headers)
        if target == "/bomb":
            return 200, {"Content-Encoding": "gzip"}, bomb
        if target == "/small":
            return 200, {"Content-Encoding": "gzip"}, gzip.compress(b'{"status":"ok"}')
        return 200, {}, plain

    http = client()
    async with LoopbackHTTP(handler) as server:
        base = f"http://127.0.0.1:{server.port}"
        try:
            for path in ("/plain", "/bomb"):
                answer = await http.request("GET", base + path)
                assert len(answer.content) == MB and answer.cut_at == MB
            small = await http.request("GET", base + "/small")
            assert small.json() == {"status": "ok"} and small.cut_at == 0
        finally:
            await http.aclose()
    assert {headers["accept-encoding"] for headers in seen} == {"identity"}


async def test_connections_are_kept_alive_and_posts_redirected_by_303_become_gets() -> None:
    peers: set[Any] = set()
    asked: list[tuple[str, str, bytes]] = []

    async def handler(method: str, target: str, headers: dict[str, str], body: bytes) -> Any:
        asked.append((method, target, body))
        if target == "/post":
            return 303, {"Location": "/done"}, b""
        if target == "/moved":
            return 301, {"Location": "/done"}, b""
        return 200, {"Content-Type": "application/json; charset=utf-8"}, '{"é": 1}'.encode()

    http = client()
    async with LoopbackHTTP(handler) as server:
        base = f"http://127.0.0.1:{server.port}"
        try:
            answer = await http.request("POST", base + "/post", json_body={"message": "hi"})
            assert (answer.status_code, answer.json(), answer.text) == (200, {"é": 1}, '{"é": 1}')
            assert asked[:2] == [("POST", "/post", b'{"message": "hi"}'), ("GET", "/done", b"")]
            unfollowed = await http.request("GET", base + "/moved", follow_redirects=False)
            assert unfollowed.status_code == 301 and unfollowed.is_redirect
            for _ in range(5):
                assert (await http.request("GET", base + "/done")).status_code == 200
            peers = {id(c) for conns in http._idle.values() for c in conns}
        finally:
            await http.aclose()
    assert len(peers) == 1  # one after another: every request on the one kept-alive connection


async def test_a_refused_connection_is_named_as_httpx_named_it() -> None:
    from omniops_tui.probes.latency_http import RequestFailed

    http = client()
    try:
        await http.request("GET", "http://127.0.0.1:1/")
    except RequestFailed as exc:
        assert str(exc).startswith("ConnectError: ")
    else:
        raise AssertionError("no error for a refused connection")
    finally:
        await http.aclose()


async def test_workers_never_hold_the_exit() -> None:
    """A live non-daemon thread makes a one-shot `check` take the slow exit (hangup.py) and
    Python's exit wait for it: the request threads are daemons, and end when closed."""
    import asyncio

    async def handler(method: str, target: str, headers: dict[str, str], body: bytes) -> Any:
        return 200, {}, b"ok"

    http = client()
    async with LoopbackHTTP(handler) as server:
        answers = await asyncio.gather(
            *(http.request("GET", f"http://127.0.0.1:{server.port}/{n}") for n in range(6))
        )
        assert [a.status_code for a in answers] == [200] * 6
        workers = list(http._workers.started)
        assert workers and all(t.daemon for t in workers)
        await http.aclose()
    for thread in workers:
        thread.join(5)
    assert not any(t.is_alive() for t in workers)
