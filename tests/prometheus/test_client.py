"""The HTTP API client against a real Prometheus: answers, and one-line errors for every failure."""

from __future__ import annotations

import asyncio

import pytest

from omniops_tui.config.model import Config, Environment, PrometheusConfig
from omniops_tui.core.errors import UserError
from omniops_tui.live.prometheus_source import PrometheusSource
from omniops_tui.probes.prometheus import PrometheusClient, PrometheusError
from omniops_tui.sandbox.blackhole import BlackholeServer
from omniops_tui.sandbox.http_server import HTTPServer, Request, Response
from omniops_tui.sandbox.prometheus import PrometheusServer, free_port
from tests.prometheus.conftest import AUTH_PASSWORD, AUTH_USER, Scraped


async def test_instant_and_range_queries(live: Scraped) -> None:
    async with PrometheusClient(live.prometheus.url) as client:
        now = await client.instant('sum by (status) (http_requests_total{job="omniops"})')
        assert {s.labels["status"] for s in now} >= {"200", "500"}
        assert all(s.value and s.value > 0 for s in now)
        series = await client.range("up", now[0].at - 10, now[0].at, 1)
        assert {s.labels["job"] for s in series} == {"omniops", "node"}
        assert all(len(s.points) >= 2 and s.points[-1][1] == 1.0 for s in series)
        nan = await client.instant("0/0")
        assert nan[0].value is None  # NaN is no figure, never a number


async def test_bad_query_names_the_query_and_the_servers_error(live: Scraped) -> None:
    async with PrometheusClient(live.prometheus.url) as client:
        with pytest.raises(PrometheusError) as caught:
            await client.instant("sum(rate(http_requests_total[5m]")
    message = str(caught.value)
    assert caught.value.kind == "bad_query"
    assert "query 'sum(rate(http_requests_total[5m]'" in message and "parse error" in message
    assert live.prometheus.url in message and "\n" not in message


async def test_unreachable_server_is_one_line() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    async with PrometheusClient(url, timeout=2) as client:
        with pytest.raises(PrometheusError) as caught:
            await client.instant("up")
    assert caught.value.kind == "unreachable"
    assert str(caught.value).startswith(f"prometheus {url}: query 'up': cannot reach the server")


async def test_a_blackhole_costs_one_timeout_and_never_blocks() -> None:
    async with BlackholeServer() as hole:
        url = f"http://{hole.address}"
        async with PrometheusClient(url, timeout=0.5) as client:
            with pytest.raises(PrometheusError) as caught:
                await client.instant("up")
        assert caught.value.kind == "timeout" and "timed out after 0.5 s" in str(caught.value)
        assert hole.connections >= 1
        # A whole round against a silent server ends, every figure an error with the reason.
        environment = Environment(name="t", prometheus=PrometheusConfig(url=url, timeout=0.5))
        source = PrometheusSource.from_environment(Config(), environment)
        assert source is not None
        try:
            async with asyncio.timeout(30):  # a bound on "never blocks", far above one timeout
                samples = await source.sample_once()
        finally:
            await source.aclose()
        assert samples and {s.status for s in samples} == {"error"}
        assert all("timed out" in s.detail and s.source == "prometheus" for s in samples)


async def test_auth_failure_names_the_query_and_the_status(
    guarded: PrometheusServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with PrometheusClient(guarded.url) as client:
        with pytest.raises(PrometheusError) as caught:
            await client.instant("up")
    assert caught.value.kind == "auth"
    assert "query 'up': HTTP 401 Unauthorized" in str(caught.value)

    monkeypatch.setenv("PROM_USER", AUTH_USER)
    monkeypatch.setenv("PROM_PASSWORD", "wrong")
    settings = PrometheusConfig(url=guarded.url, username_env="PROM_USER", password_env="PROM_PASSWORD")
    async with PrometheusClient.from_settings(settings) as client:
        with pytest.raises(PrometheusError, match="HTTP 401"):
            await client.instant("up")
    monkeypatch.setenv("PROM_PASSWORD", AUTH_PASSWORD)
    async with PrometheusClient.from_settings(settings) as client:
        assert (await client.instant("vector(1)"))[0].value == 1.0


def test_an_unset_secret_variable_is_a_user_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROM_TOKEN", raising=False)
    settings = PrometheusConfig(url="https://prometheus.example", bearer_token_env="PROM_TOKEN")
    with pytest.raises(
        UserError, match=r"env\.prod\.prometheus\.bearer_token_env names \$PROM_TOKEN, which is not set"
    ):
        PrometheusClient.from_settings(settings, environment=Environment(name="prod"))
    with pytest.raises(UserError, match="must start with http"):
        PrometheusClient.from_settings(PrometheusConfig(url="prometheus:9090"))


async def test_bearer_token_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy in front of Prometheus that wants a token (real HTTP, the sandbox's server)."""
    seen: list[str] = []

    async def proxy(request: Request) -> Response:
        seen.append(request.headers.get("authorization", ""))
        if request.headers.get("authorization") != "Bearer t0ken":
            return Response.text("missing or bad token\n", 403)
        return Response.json({"status": "success", "data": {"resultType": "scalar", "result": [1.0, "7"]}})

    server = HTTPServer(proxy)
    await server.start()
    try:
        monkeypatch.setenv("PROM_TOKEN", "t0ken")
        settings = PrometheusConfig(url=f"http://127.0.0.1:{server.port}", bearer_token_env="PROM_TOKEN")
        async with PrometheusClient.from_settings(settings) as client:
            assert (await client.instant("vector(7)"))[0].value == 7.0
        async with PrometheusClient(settings.url) as client:
            with pytest.raises(PrometheusError, match=r"HTTP 403 Forbidden: missing or bad token") as caught:
                await client.instant("vector(7)")
            assert caught.value.kind == "auth"
    finally:
        await server.stop()
    assert seen == ["Bearer t0ken", ""]
