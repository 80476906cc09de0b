"""Checks bound to PromQL, and sampling with Prometheus first and the probes as the fallback."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from omniops_tui.config.model import Config, Environment, load_config
from omniops_tui.core.events import Event, MetricBackfill, MetricSample
from omniops_tui.live.prometheus_sampling import PrometheusSampling
from omniops_tui.live.prometheus_source import PrometheusSource
from omniops_tui.probes.base import CheckSpec, Threshold
from omniops_tui.probes.bindings import bundled_bindings
from omniops_tui.probes.context import CheckContext
from omniops_tui.probes.registry import KINDS
from omniops_tui.probes.runner import run_check
from omniops_tui.sessions.recorder import SessionRecorder
from tests.prometheus.conftest import Scraped, eventually


def promql(threshold: Threshold | None = None, **params: object) -> CheckSpec:
    merged = {name: p.default for name, p in KINDS["promql"].params.items()}
    merged.update(params)
    return CheckSpec(id="t", kind="promql", params=merged, threshold=threshold)


async def test_error_rate_ticks_from_prometheus_and_fails_over_its_window(live: Scraped) -> None:
    context = CheckContext(Config(), live.environment())
    try:
        check = replace(
            bundled_bindings().checks["error-rate"],
            params={**bundled_bindings().checks["error-rate"].params, "window": "10s"},
        )
        healthy = await eventually(lambda: run_check(check, context), lambda r: r.status == "pass")
        assert re.fullmatch(r"error rate 0\.0[23]\d* % < 0\.1 % \(worst of 10s\)", healthy.summary)
        assert healthy.evidence["asked"].startswith("promql 100 * (sum(rate(http_requests_total")
        live.set_scenario("error-spike")
        spiked = await eventually(lambda: run_check(check, context), lambda r: r.status == "fail")
        assert spiked.value > 0.1 and "error rate" in spiked.summary and ">= 0.1 %" in spiked.summary
        live.set_scenario("healthy")  # one bad point in the window still fails it
        assert (await run_check(check, context)).status == "fail"
    finally:
        await context.aclose()


async def test_a_query_check_per_host_names_the_worst_host(live: Scraped) -> None:
    context = CheckContext(Config(), live.environment())
    try:
        result = await run_check(
            promql(Threshold(below=44.0), metric="disk_percent", label="disk", unit="%"), context
        )
        # prod-3's disk is 44 % (45 % until the scrape after the reset to healthy lands)
        assert result.status == "fail" and re.fullmatch(r"disk 4[45] % >= 44 % on prod-3", result.summary)
        missing = await run_check(promql(query="no_such_series"), context)
        assert missing.status == "unknown" and missing.summary == "unknown (no series for no_such_series)"
        broken = await run_check(promql(query="sum(("), context)
        assert broken.status == "error" and "query 'sum((': bad_data" in broken.summary
        unknown = await run_check(promql(metric="chat_ok"), context)
        assert unknown.status == "error" and "has no PromQL" in unknown.summary
    finally:
        await context.aclose()


async def test_without_prometheus_the_fallback_check_runs(live: Scraped) -> None:
    environment = replace(live.environment(), prometheus=None)
    context = CheckContext(Config(), environment)
    try:
        result = await run_check(bundled_bindings().checks["error-rate"], context)
        assert result.status == "pass" and "comprehensive" in result.evidence["asked"]
        plain = await run_check(promql(query="up"), context)
        assert plain.status == "unknown" and plain.evidence["reason"] == "no prometheus url in [env.sandbox]"
    finally:
        await context.aclose()


async def test_sampling_prometheus_first_probes_for_the_rest(live: Scraped, tmp_path: Path) -> None:
    """The app and prod-1/prod-3 from Prometheus; prod-2 (no node series) and the database over
    the probes; the history first, recorded, and handed to the criteria like samples."""
    config_path = live.sandbox.write_config(
        tmp_path / "config.toml",
        extra_env={
            "check_interval": 2,
            "prometheus": {
                "url": live.prometheus.url,
                "window": "3s",
                "history_minutes": 0.5,
                "node_selector": 'instance!="prod-2"',
            },
        },
    )
    config = load_config(config_path)
    environment = config.environment()
    assert isinstance(environment, Environment) and environment.prometheus is not None
    recorded: list[Event] = []
    recorder = SessionRecorder.create(tmp_path / "sessions", ["bundled"], environment="sandbox")

    def record(event: Event) -> None:
        recorded.append(recorder.record(event))

    source = PrometheusSource.from_environment(config, environment)
    assert source is not None
    context = CheckContext(config, environment)
    sampling = PrometheusSampling(source, context, bundled_bindings(), record)
    try:
        history = await sampling.start()
        assert recorded and all(isinstance(e, MetricBackfill) for e in recorded)
        assert history == sorted(history, key=lambda s: s.t) and {s.source for s in history} == {"prometheus"}
        recorded.clear()
        first = await sampling.sample_once()
        second = await sampling.sample_once()
    finally:
        await context.aclose()
        await source.aclose()
        recorder.close()
    assert sorted(map(id, recorded)) == sorted(map(id, [*first, *second]))  # everything returned is recorded
    where = {(s.metric, s.host): s.source for s in second if isinstance(s, MetricSample)}
    assert where[("error_rate", "")] == "prometheus" and where[("p95_ms", "")] == "prometheus"
    assert (
        where[("cpu_percent", "prod-1")] == "prometheus" and where[("cpu_percent", "prod-3")] == "prometheus"
    )
    assert where[("cpu_percent", "prod-2")] == ""  # over SSH, as before
    assert where[("health_ok", "")] == ""  # the tool's own check
    assert where[("db_connected", "")] == ""  # no postgres_exporter: the probe's answer, not "unknown"
    assert sum(1 for s in second if (s.metric, s.host) == ("error_rate", "")) == 1  # never twice a round
