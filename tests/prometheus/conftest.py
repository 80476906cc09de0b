"""A real Prometheus for the tests that need one, started lazily and stopped at the end.

The `prometheus` binary comes from the Debian package of that name: when it is missing and we
are root with apt-get, the first test that needs it installs it (a fresh CI machine); otherwise
those tests FAIL naming the package. Nothing is skipped. Each server has its own data folder
and port and scrapes a sandbox every second; the sandbox runs on its own event loop in a
thread, since Prometheus scrapes it between (and during) the tests' own loops.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest

from omniops_tui.config.model import Config, Environment, HostConfig, PrometheusConfig
from omniops_tui.live.prometheus_source import PrometheusSource
from omniops_tui.sandbox import Sandbox
from omniops_tui.sandbox.exposition import history_openmetrics
from omniops_tui.sandbox.prometheus import PrometheusServer, PrometheusUnavailable, install_prometheus

T = TypeVar("T")
WINDOW = "3s"  # rate() window of the tests: a scenario switch shows within a few scrapes
# A test-only login for a throwaway server (bcrypt of "scrape-me-please", cost 4).
AUTH_USER = "omniops"
AUTH_PASSWORD = "scrape-me-please"
AUTH_HASH = "$2b$04$cCVx1xoumBHtnjC5h6CYg.Bwox/ZSCk38Rr/lkFoCECK8/XMEqQVy"
HISTORY_MINUTES = 30
SPIKE_MINUTES = 12


class LoopThread:
    """An event loop in a daemon thread, for servers that outlive one test's loop."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine: Awaitable[T], timeout: float = 120) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)  # type: ignore[arg-type]

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@dataclass
class Scraped:
    """A sandbox and the Prometheus scraping it."""

    sandbox: Sandbox
    prometheus: PrometheusServer
    loop: LoopThread

    def set_scenario(self, name: str) -> None:
        """Switch on the sandbox's own loop (the scrapes read its state there)."""

        async def switch() -> None:
            self.sandbox.set_scenario(name)

        self.loop.run(switch())

    def environment(self, hosts: int | None = None, **prometheus: Any) -> Environment:
        settings = PrometheusConfig(url=self.prometheus.url, window=WINDOW, **prometheus)
        names = [h.name for h in self.sandbox.hosts][:hosts]
        return Environment(
            name="sandbox",
            base_url=self.sandbox.base_url,
            expected_version=self.sandbox.version,
            prometheus=settings,
            hosts=[HostConfig(name=name) for name in names],
        )

    def source(self, hosts: int | None = None, **prometheus: Any) -> PrometheusSource:
        source = PrometheusSource.from_environment(Config(), self.environment(hosts, **prometheus))
        assert source is not None
        return source


@pytest.fixture(scope="session")
def prometheus_binary() -> None:
    problem = install_prometheus()
    if problem:
        pytest.fail(f"Prometheus: {problem}", pytrace=False)


def _scraped(hosts: int, **server: Any) -> Iterator[Scraped]:
    loop = LoopThread()
    sandbox = Sandbox(hosts=hosts, log_rate=1.0)
    loop.run(sandbox.start())
    prometheus = PrometheusServer(
        app_target=sandbox.app_metrics_target, node_target=sandbox.node_metrics_target, **server
    )
    try:
        prometheus.start()
        # Ready when the tests' rate() window is full of scrapes, for the app and for every host.
        prometheus.wait_for("count(up) == 2", timeout=60)
        prometheus.wait_for(f"min(count_over_time(up[{WINDOW}])) >= 3", timeout=60)
        prometheus.wait_for(f"count(node_load1) == {hosts}", timeout=60)
        yield Scraped(sandbox, prometheus, loop)
    except PrometheusUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    finally:
        prometheus.stop()
        loop.run(sandbox.stop())
        loop.close()


@pytest.fixture(scope="session")
def scraped(prometheus_binary: None) -> Iterator[Scraped]:
    """Three sandbox hosts and their app, scraped every second (scenario: reset by each test)."""
    yield from _scraped(3)


@pytest.fixture
def live(scraped: Scraped) -> Iterator[Scraped]:
    scraped.set_scenario("healthy")
    yield scraped
    scraped.set_scenario("healthy")


@pytest.fixture(scope="module")
def fleet(prometheus_binary: None) -> Iterator[Scraped]:
    """500 sandbox hosts, all of their node series behind one scrape target."""
    yield from _scraped(500)


@pytest.fixture(scope="module")
def incident(prometheus_binary: None) -> Iterator[PrometheusServer]:
    """A Prometheus that has been scraping for 30 minutes: healthy, then an error spike for
    the last 12 (written as TSDB blocks by promtool before it starts)."""
    now = time.time()
    switches = [(now - HISTORY_MINUTES * 60, "healthy"), (now - SPIKE_MINUTES * 60, "error-spike")]
    history = history_openmetrics(switches, ["prod-1", "prod-2"], now - HISTORY_MINUTES * 60, now, 15)
    yield from _running(PrometheusServer(history=history))


@pytest.fixture(scope="module")
def guarded(prometheus_binary: None) -> Iterator[PrometheusServer]:
    """A Prometheus behind basic auth (its own web config)."""
    yield from _running(PrometheusServer(basic_auth=(AUTH_USER, AUTH_HASH)))


def _running(server: PrometheusServer) -> Iterator[PrometheusServer]:
    """Start it (a failure to start fails the tests, naming why), stop it after."""
    try:
        server.start()
    except PrometheusUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


async def eventually(
    probe: Callable[[], Awaitable[T]], accept: Callable[[T], bool], timeout: float = 45
) -> T:
    """Ask until the answer is accepted (scrapes land every second); fail with the last answer."""
    deadline = time.monotonic() + timeout
    while True:
        answer = await probe()
        if accept(answer):
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"not accepted within {timeout:g} s: {answer!r}")
        await asyncio.sleep(0.5)
