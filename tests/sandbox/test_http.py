"""The sandbox HTTP app over real HTTP: every endpoint in every scenario, switches, patterns."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from omniops_tui.sandbox import SCENARIOS, Sandbox

# (method, path, json body) of the runbooks' smoke tests and health checks
ENDPOINTS: dict[str, tuple[str, str, dict[str, object] | None]] = {
    "health": ("GET", "/api/health", None),
    "comprehensive": ("GET", "/api/health/comprehensive?verbose=true", None),
    "version": ("GET", "/api/version", None),
    "chat": (
        "POST",
        "/api/chat",
        {"message": "Hello, test message", "domain": "yourdomain.com", "conversationId": None},
    ),
    "embed.js": ("GET", "/embed.js", None),
    "embed": ("GET", "/embed?domain=yourdomain.com", None),
    "admin": ("GET", "/admin", None),
    "gdpr": ("POST", "/api/gdpr/export", {"email": "test@example.com"}),
    "scrape": ("POST", "/api/scrape/status", {"domain": "yourdomain.com"}),
    "woocommerce": ("GET", "/api/woocommerce/test", None),
    "metrics": ("GET", "/api/metrics", None),
    "test-error": ("POST", "/api/test-error", None),
    "home": ("GET", "/", None),
}
OK = {
    "health": 200,
    "comprehensive": 200,
    "version": 200,
    "chat": 200,
    "embed.js": 200,
    "embed": 200,
    "admin": 200,
    "gdpr": 200,
    "scrape": 200,
    "woocommerce": 200,
    "metrics": 200,
    "test-error": 202,
    "home": 200,
}
EXPECTED_STATUS: dict[str, dict[str, int]] = {
    "healthy": OK,
    "error-spike": OK,  # first request to each path after a switch succeeds (see test_error_spike_pattern)
    "slow": OK,
    "db-down": {**OK, "comprehensive": 503, "chat": 500, "gdpr": 500, "scrape": 500, "woocommerce": 500},
    "outage": dict.fromkeys(OK, 503),
    "disk-full": OK,
}


async def _call_all(http: httpx.AsyncClient) -> dict[str, httpx.Response]:
    async def call(method: str, path: str, body: dict[str, object] | None) -> httpx.Response:
        return await http.request(method, path, json=body)

    responses = await asyncio.gather(*(call(*spec) for spec in ENDPOINTS.values()))
    return dict(zip(ENDPOINTS, responses, strict=True))


@pytest.mark.parametrize("scenario", [s for s in SCENARIOS if s != "hostile"])  # hostile: test_hostile.py
async def test_every_endpoint_in_every_scenario(
    sandbox: Sandbox, http: httpx.AsyncClient, scenario: str
) -> None:
    sandbox.set_scenario(scenario)
    responses = await _call_all(http)
    statuses = {name: r.status_code for name, r in responses.items()}
    assert statuses == EXPECTED_STATUS[scenario]

    if scenario == "outage":
        assert "503 Service Temporarily Unavailable" in responses["health"].text
        return
    health = responses["health"].json()
    assert health["status"] == "ok" and isinstance(health["uptime"], float)
    assert health["timestamp"].endswith("Z")
    comp = responses["comprehensive"].json()
    assert comp["version"] == "v1.2.1" and "checks" in comp  # verbose=true adds detail
    version = responses["version"].json()
    assert version["version"] == "v1.2.1" and len(version["commit"]) == 7
    assert responses["embed.js"].headers["content-type"].startswith("application/javascript")
    assert "omniops-chat" in responses["embed"].text and "yourdomain.com" in responses["embed"].text
    assert responses["admin"].headers["content-type"].startswith("text/html")
    assert "errors_last_5min" in responses["metrics"].json()
    assert "eventId" in responses["test-error"].json()

    if scenario == "db-down":
        assert comp["database"] == "disconnected" and comp["status"] == "degraded"
        assert "ECONNREFUSED" in responses["chat"].json()["details"]
        return
    assert comp["database"] == "connected" and comp["redis"] == "connected"
    assert comp["workers"] == "processing"
    assert isinstance(responses["chat"].json()["response"], str)
    assert isinstance(responses["gdpr"].json()["data"], dict)
    scrape = responses["scrape"].json()
    assert scrape["status"] == "ok" and {"jobsCompleted", "jobsActive"} <= scrape.keys()
    assert responses["woocommerce"].json()["status"] == "ok"
    expected = {
        "healthy": ("ok", 0.03, 75.0, 180.0),
        "error-spike": ("degraded", 8.2, 240.0, 890.0),
        "slow": ("ok", 0.4, 1800.0, 3200.0),
        "disk-full": ("ok", 0.05, 82.0, 195.0),
    }[scenario]
    assert (comp["status"], comp["errorRate"], comp["responseTime"], comp["p95"]) == expected
    if scenario == "disk-full":
        assert comp["warnings"] == ["disk usage 97% on /"]


async def test_error_rate_is_a_percent_and_metrics_agree(sandbox: Sandbox, http: httpx.AsyncClient) -> None:
    healthy = (await http.get("/api/metrics")).json()
    sandbox.set_scenario("error-spike")
    spike = (await http.get("/api/metrics")).json()
    assert healthy["errorRate"] == 0.03 and spike["errorRate"] == 8.2
    assert spike["errors_last_5min"] == round(spike["requests_last_5min"] * 8.2 / 100)
    assert spike["errors_last_5min"] > 100 * healthy["errors_last_5min"]


async def test_error_spike_pattern_is_deterministic_per_path(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    sandbox.set_scenario("error-spike")
    health = [(await http.get("/api/health")).status_code for _ in range(24)]
    assert health.count(500) == 2 and health[11] == 500 and health[23] == 500
    chats = await asyncio.gather(*(http.post("/api/chat", json={"message": "hi"}) for _ in range(12)))
    failed = [r for r in chats if r.status_code == 500]
    assert len(failed) == 1 and "Cannot read properties" in failed[0].json()["message"]
    # a switch restarts the counters, so the first 11 calls succeed again
    sandbox.set_scenario("error-spike")
    again = [(await http.get("/api/health")).status_code for _ in range(12)]
    assert again == [200] * 11 + [500]


async def test_fifty_requests_share_one_keep_alive_connection(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    """The runbooks' 50-request loop over ONE connection, then 200 at once: all answered."""
    host, port = sandbox.base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        for _ in range(50):
            writer.write(f"GET /api/health HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            head = (await reader.readuntil(b"\r\n\r\n")).decode()
            assert head.startswith("HTTP/1.1 200") and "Connection: keep-alive" in head, head
            length = int(re.search(r"Content-Length: (\d+)", head, re.I).group(1))  # type: ignore[union-attr]
            assert b'"status":"ok"' in (await reader.readexactly(length)).replace(b" ", b"")
    finally:
        writer.close()
    results = await asyncio.gather(*(http.get("/api/health") for _ in range(200)))
    assert all(r.status_code == 200 for r in results)


async def test_slow_scenario_really_delays_api_but_not_pages(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    sandbox.set_scenario("slow")

    async def timed(path: str) -> float:
        start = time.perf_counter()
        response = await http.get(path)
        assert response.status_code == 200
        return time.perf_counter() - start

    api = [asyncio.create_task(timed("/api/health")) for _ in range(8)]
    await timed("/embed.js")  # a page is answered while every API call is still being delayed
    assert not any(task.done() for task in api)
    delays = await asyncio.gather(*api)
    assert min(delays) >= 0.55, delays  # really delayed (SLOW_DELAY_S), however busy the machine


async def test_scenario_switch_via_api_and_control_endpoint(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    assert (await http.get("/__sandbox/scenario")).json()["scenario"] == "healthy"
    response = await http.post("/__sandbox/scenario", json={"scenario": "outage"})
    assert response.status_code == 200 and response.json()["scenario"] == "outage"
    assert sandbox.scenario == "outage"
    assert (await http.get("/api/health")).status_code == 503
    # the control endpoint is immune to the outage it announces
    assert (await http.get("/__sandbox/scenario")).json()["scenario"] == "outage"
    sandbox.set_scenario("healthy")
    assert (await http.get("/api/health")).status_code == 200
    bad = await http.post("/__sandbox/scenario", json={"scenario": "meltdown"})
    assert bad.status_code == 400 and "meltdown" in bad.json()["error"]
    assert (await http.post("/__sandbox/scenario", content=b"not json")).status_code == 400
    version = await http.post("/__sandbox/scenario", json={"version": "v1.2.0"})
    assert version.json()["version"] == "v1.2.0"
    assert (await http.get("/api/version")).json()["version"] == "v1.2.0"
    with pytest.raises(ValueError, match="meltdown"):
        sandbox.set_scenario("meltdown")


async def test_http_protocol_details(http: httpx.AsyncClient) -> None:
    assert (await http.get("/api/does-not-exist")).status_code == 404
    not_allowed = await http.get("/api/chat")
    assert not_allowed.status_code == 405 and not_allowed.headers["allow"] == "POST"
    head = await http.head("/api/health")
    assert head.status_code == 200 and head.content == b"" and int(head.headers["content-length"]) > 0
    assert (await http.post("/api/chat", content=b"{oops")).status_code == 400
    assert (await http.post("/api/chat", json={"domain": "x"})).status_code == 400
    assert (await http.post("/api/gdpr/export", json={})).status_code == 400
    assert (await http.get("/embed")).status_code == 400

    # chunked request bodies are accepted too
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"message": '
        yield b'"chunked"}'

    assert (await http.post("/api/chat", content=chunks())).status_code == 200


def test_unknown_scenario_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="unknown scenario"):
        Sandbox(scenario="meltdown")
    with pytest.raises(ValueError):
        Sandbox(hosts=0)
