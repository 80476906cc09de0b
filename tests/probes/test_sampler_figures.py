"""Every sandbox scenario × every figure, through the real sampler: unit, range and colour.

A figure is a measurement in its unit and range, coloured by the thresholds file, or it is
`unknown` with the reason: never a number it did not measure (the outage's HTTP 503 once
became "error rate 503 %" and "uptime 503 s", green), never "database DOWN" for an answer that
said nothing about the database.
"""

from __future__ import annotations

import tomllib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from omniops_tui.config.model import load_config
from omniops_tui.core.events import MetricSample
from omniops_tui.core.thresholds import KINDS
from omniops_tui.live.sampler import MetricsSampler
from omniops_tui.logic.metrics import BY_NAME
from omniops_tui.probes.bindings import bundled_bindings
from omniops_tui.probes.context import CheckContext
from omniops_tui.sandbox import Sandbox
from omniops_tui.sandbox.scenarios import SCENARIOS
from tests.sessions.services import closed_port

pytestmark = pytest.mark.services
# A loaded machine must not turn a slow answer into a timeout (a timed-out health check is a
# failed one): what is tested is what the figures say, not how fast the sandbox answers.
PATIENT = {"timeout": 30}


@pytest.fixture
async def production(
    tmp_path: Path, pg_db: str, redis_server_url: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Sandbox, CheckContext]]:
    """The sandbox with a real PostgreSQL and Redis behind its config (SELECT 1 answers)."""
    database, cache = f"OMNIOPS_T_DB_{uuid.uuid4().hex[:6].upper()}", "OMNIOPS_T_SAMPLER_REDIS"
    monkeypatch.setenv(database, pg_db)
    monkeypatch.setenv(cache, redis_server_url)
    async with Sandbox(scenario="healthy", hosts=2, log_rate=1.0) as sandbox:
        path = sandbox.write_config(
            tmp_path / "sandbox.toml", database_url_env=database, redis_url_env=cache, extra_env=PATIENT
        )
        async with CheckContext.from_config(load_config(path)) as context:
            yield sandbox, context


async def _round(context: CheckContext) -> dict[tuple[str, str], MetricSample]:
    recorded: list[Any] = []
    sampler = MetricsSampler(context, bundled_bindings(), recorded.append)
    samples = await sampler.sample_once()
    assert samples == recorded
    return {(s.metric, s.host): s for s in samples}


def _assert_true_figures(samples: dict[tuple[str, str], MetricSample], scenario: str) -> None:
    for (name, host), sample in samples.items():
        definition = BY_NAME[name]
        where = f"{scenario}: {name}{'@' + host if host else ''} = {sample.value!r} ({sample.detail})"
        assert sample.unit == definition.unit, where
        assert bool(host) == definition.per_host, where
        if sample.value is None:
            assert sample.status == "unknown" and sample.detail, where  # never a colour, always a reason
            continue
        low, high, _called = KINDS[definition.kind]
        assert low is None or sample.value >= low, where
        assert high is None or sample.value <= high, where
        assert sample.status == definition.status(sample.value), where  # the colour is the status


EXPECTED: dict[str, dict[str, tuple[float | None, str]]] = {
    "healthy": {
        "health_ok": (1, "pass"),
        "error_rate": (0.03, "pass"),
        "p95_ms": (180, "pass"),
        "response_avg_ms": (75, "pass"),
        "db_connected": (1, "pass"),
        "chat_ok": (1, "pass"),
        "version_ok": (1, "pass"),
    },
    "error-spike": {"error_rate": (8.2, "fail"), "p95_ms": (890, "warn"), "db_connected": (1, "pass")},
    "slow": {"p95_ms": (3200, "fail"), "response_avg_ms": (1800, "fail"), "error_rate": (0.4, "warn")},
    "db-down": {"error_rate": (41.7, "fail"), "db_connected": (0, "fail"), "chat_ok": (0, "fail")},
    "outage": {
        "health_ok": (0, "fail"),
        "error_rate": (None, "unknown"),
        "uptime_s": (None, "unknown"),
        "p95_ms": (None, "unknown"),
        "version_ok": (None, "unknown"),
        "db_connected": (1, "pass"),  # the app is down, PostgreSQL is fine
        "chat_ok": (0, "fail"),
    },
    "disk-full": {"error_rate": (0.05, "pass")},
}
EXPECTED["hostile"] = EXPECTED["healthy"]  # the healthy figures, with hostile text around them
HOSTS: dict[str, dict[str, str]] = {
    "healthy": {"cpu_percent": "pass", "disk_percent": "pass", "host_reachable": "pass"},
    "error-spike": {"cpu_percent": "warn"},
    "slow": {"cpu_percent": "warn"},
    "disk-full": {"disk_percent": "fail"},
}


async def test_every_scenario_gives_true_figures(production: tuple[Sandbox, CheckContext]) -> None:
    sandbox, context = production
    assert set(EXPECTED) == set(SCENARIOS)
    for scenario in SCENARIOS:
        sandbox.set_scenario(scenario)
        samples = await _round(context)
        _assert_true_figures(samples, scenario)
        for name, (value, status) in EXPECTED[scenario].items():
            sample = samples[(name, "")]
            assert (sample.value, sample.status) == (value, status), (scenario, name, sample)
        for name, status in HOSTS.get(scenario, {}).items():
            assert {samples[(name, h)].status for h in ("prod-1", "prod-2")} == {status}, (scenario, name)
    # The outage's 503 is the reason, never the figure.
    sandbox.set_scenario("outage")
    samples = await _round(context)
    assert "503" in samples[("error_rate", "")].detail and "503" in samples[("uptime_s", "")].detail
    assert samples[("uptime_s", "")].value is None


async def test_the_application_reporting_the_database_down_is_evidence(
    production: tuple[Sandbox, CheckContext],
) -> None:
    sandbox, context = production
    sandbox.set_scenario("db-down")
    db = (await _round(context))[("db_connected", "")]
    assert db.value == 0 and "the application reports database: disconnected" in db.detail


BODY_FIGURES = ("error_rate", "response_avg_ms", "p95_ms", "uptime_s")  # read from the health body


async def test_one_http_500_is_not_blamed_on_the_database(
    production: tuple[Sandbox, CheckContext], tmp_path: Path
) -> None:
    """Error spike: every 12th call of a path answers 500; the round that gets it stays honest."""
    sandbox, with_database = production
    sandbox.set_scenario("error-spike")
    without_database = CheckContext.from_config(
        load_config(sandbox.write_config(tmp_path / "bare.toml", extra_env=PATIENT))
    )
    try:
        for _ in range(12):  # the comprehensive health is asked several times a round
            samples = await _round(without_database)
            _assert_true_figures(samples, "error-spike")
            hit = [s for s in samples.values() if s.metric in BODY_FIGURES and s.value is None]
            if hit:
                break
        else:
            pytest.fail("no HTTP 500 from the health body in twelve rounds of the error spike")
        for sample in hit:  # a 500's JSON holds no errorRate: no figure, and the reason
            assert sample.status == "unknown" and "HTTP 500 Internal Server Error (no " in sample.detail, (
                sample
            )
        db = samples[("db_connected", "")]
        assert db.value != 0, db  # unknown (or connected): an HTTP 500 says nothing about the database
        assert (await _round(with_database))[("db_connected", "")].value == 1
    finally:
        await without_database.aclose()


async def test_an_outage_without_a_database_check_leaves_the_database_unknown(
    production: tuple[Sandbox, CheckContext], tmp_path: Path
) -> None:
    sandbox, _context = production
    sandbox.set_scenario("outage")
    async with CheckContext.from_config(
        load_config(sandbox.write_config(tmp_path / "bare.toml", extra_env=PATIENT))
    ) as bare:
        db = (await _round(bare))[("db_connected", "")]
    assert (db.value, db.status) == (None, "unknown")
    assert "the health answer does not say" in db.detail and "503" in db.detail


async def test_an_unreachable_host_is_unknown_with_the_reason(
    production: tuple[Sandbox, CheckContext], tmp_path: Path
) -> None:
    sandbox, _context = production
    path = sandbox.write_config(tmp_path / "gone.toml", extra_env=PATIENT)
    config = tomllib.loads(path.read_text())
    gone = dict(config["env"]["sandbox"]["hosts"][0], name="gone-1", port=closed_port())
    config["env"]["sandbox"]["hosts"].append(gone)
    path.write_text(tomli_w.dumps(config))
    async with CheckContext.from_config(load_config(path)) as context:
        samples = await _round(context)
    _assert_true_figures(samples, "healthy")
    assert (samples[("host_reachable", "gone-1")].value, samples[("host_reachable", "prod-1")].value) == (
        0,
        1,
    )
    for name in ("cpu_percent", "mem_percent", "disk_percent", "load_per_cpu"):
        sample = samples[(name, "gone-1")]
        assert (sample.value, sample.status) == (None, "unknown") and "unreachable" in sample.detail


def test_the_database_figure_from_its_sources() -> None:
    """SELECT 1 decides; the health body counts only when it names the database's state."""
    from omniops_tui.live.sampler import database_sample
    from omniops_tui.probes.base import CheckResult

    ping_ok, ping_down = (
        CheckResult("pass", 2.0, "ms", "SELECT 1 in 2 ms"),
        CheckResult("error", None, "", "refused"),
    )
    says = {
        word: CheckResult("fail", word, "", f"database: {word}")
        for word in ("disconnected", "unknown", "\x1b]2;PWNED\x1b\\connected")
    }
    connected = CheckResult("pass", "connected", "", "database: connected")
    http_500 = CheckResult("fail", None, "", "database missing from the answer")
    cases = [
        (ping_ok, None, 1.0),
        (ping_ok, http_500, 1.0),
        (ping_ok, says["unknown"], 1.0),
        (ping_ok, says["disconnected"], 0.0),  # the application's own connection errors
        (ping_down, connected, 0.0),
        (None, connected, 1.0),
        (None, says["disconnected"], 0.0),
        (None, says["unknown"], None),
        (None, http_500, None),
        (None, says["\x1b]2;PWNED\x1b\\connected"], None),  # hostile text says nothing
        (ping_ok, says["\x1b]2;PWNED\x1b\\connected"], 1.0),
        (CheckResult.not_configured("no database_url_env"), http_500, None),
    ]
    for ping, body, value in cases:
        sample = database_sample(ping, body)
        assert sample.value == value, (ping, body, sample)
        assert sample.status == {1.0: "pass", 0.0: "fail", None: "unknown"}[value] and sample.detail
