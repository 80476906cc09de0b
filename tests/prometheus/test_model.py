"""What needs no Prometheus: config, the PromQL catalogue, the exposition, the fold, the host table."""

from __future__ import annotations

import httpx
import pytest

from omniops_tui.config.model import Environment, PrometheusConfig, masked_config_text, parse_config
from omniops_tui.core.errors import UserError
from omniops_tui.core.events import MetricBackfill, MetricSample, from_record, to_record
from omniops_tui.logic.history import MetricHistory, backfill_points
from omniops_tui.logic.host_table import HostTable
from omniops_tui.logic.metrics import CATALOGUE
from omniops_tui.probes.promql_check import parse_window
from omniops_tui.probes.promql_queries import (
    bindings_for,
    bound_queries,
    default_bindings,
    host_of,
    render,
    variables,
)
from omniops_tui.sandbox import Sandbox
from omniops_tui.sandbox.exposition import BUCKETS, app_came_up, app_lines, latency_cdf
from omniops_tui.sessions.state import SessionState

CONFIG = """
[env.prod]
base_url = "https://shop.example.com"
expected_version = "v1.2.1"

[env.prod.prometheus]
url = "https://prometheus.internal:9090"
bearer_token_env = "PROM_TOKEN"
history_minutes = 45
window = "2m"
app_selector = 'job="omniops"'
queries.error_rate = 'sum(rate(errors_total[$window])) * 100'
queries.chat_ok = 'min(probe_success{job="chat"})'
"""


def test_the_prometheus_table_of_an_environment() -> None:
    config = parse_config(CONFIG)
    settings = config.env["prod"].prometheus
    assert settings is not None and settings.history_minutes == 45 and settings.verify_tls
    text = masked_config_text(config)
    assert "bearer_token_env" in text and "PROM_TOKEN" in text
    with pytest.raises(
        UserError, match=r":\d+: env\.prod\.prometheus\.histroy_minutes is not a known setting"
    ):
        parse_config(CONFIG.replace("history_minutes", "histroy_minutes"))


def test_every_figure_of_the_catalogue_can_be_bound_and_overridden() -> None:
    defaults = default_bindings()
    assert {metric.name for metric in CATALOGUE} <= set(defaults)
    bound = {name for name, binding in defaults.items() if binding.expr}
    assert {"error_rate", "p95_ms", "request_rate", "cpu_percent", "mem_percent", "disk_percent"} <= bound
    assert {"db_connected", "redis_hit_rate", "load_per_cpu", "uptime_s", "version_ok"} <= bound
    settings = parse_config(CONFIG).env["prod"].prometheus
    assert settings is not None
    queries = {q.metric: q.query for q in bound_queries(settings, parse_config(CONFIG).env["prod"])}
    assert queries["error_rate"] == "sum(rate(errors_total[2m])) * 100"
    assert queries["chat_ok"] == 'min(probe_success{job="chat"})'  # a figure with no default, bound
    buckets = 'http_request_duration_seconds_bucket{job="omniops"}[2m]'
    assert f"histogram_quantile(0.95, sum by (le) (rate({buckets})))" in queries["p95_ms"]
    assert 'version=~"v?1\\\\.2\\\\.1"' in queries["version_ok"]
    with pytest.raises(UserError, match="'eror_rate' is not a figure of the catalogue"):
        bindings_for(PrometheusConfig(queries={"eror_rate": "x"}))
    disabled = bindings_for(PrometheusConfig(queries={"error_rate": ""}))
    assert "error_rate" not in disabled  # "" hands the figure back to the probes


def test_variables_and_hosts() -> None:
    values = variables(PrometheusConfig(), Environment(expected_version=""))
    assert render("max(x{$app})", values) == "max(x{})"
    assert render('x{version="$expected_version_re"}', values) is None  # not asked without a version
    assert render("rate(x[$window]) $unknown", values) == "rate(x[1m]) $unknown"  # the server will say
    assert host_of("prod-1:9100") == "prod-1"
    assert host_of("[::1]:9100") == "::1"
    assert host_of("10.0.0.12:9100", {"10.0.0.12": "production"}) == "production"
    assert parse_window("5m") == 300 and parse_window("") == 0
    with pytest.raises(ValueError, match="not a duration"):
        parse_window("five minutes")


def histogram_quantile(q: float, cumulative: list[float]) -> float:
    """Prometheus's interpolation (promql/quantile.go), for the buckets of the exposition."""
    bounds = [*BUCKETS, float("inf")]
    rank = q * cumulative[-1]
    index = next(i for i, count in enumerate(cumulative) if count >= rank)
    start, low = (0.0, 0.0) if index == 0 else (bounds[index - 1], cumulative[index - 1])
    return start + (bounds[index] - start) * (rank - low) / (cumulative[index] - low)


@pytest.mark.parametrize("p95_ms", [180.0, 890.0, 3200.0, 1200.0, 195.0, 4.8, 0.1])
def test_the_latency_histogram_has_the_scenarios_p95(p95_ms: float) -> None:
    shares = [*latency_cdf(p95_ms), 1.0]
    assert shares == sorted(shares) and shares[-1] == 1.0
    exact = p95_ms >= 0.95 * BUCKETS[0] * 1000  # below that, the first bucket's share cannot exceed 1
    assert histogram_quantile(0.95, shares) * 1000 == pytest.approx(
        p95_ms if exact else 0.95 * BUCKETS[0] * 1000
    )


async def test_the_sandbox_exposes_metrics_in_every_scenario() -> None:
    async with Sandbox(hosts=3, log_rate=1.0) as sandbox:
        sandbox.set_scenario("outage")
        async with httpx.AsyncClient() as client:
            app = await client.get(f"{sandbox.base_url}/metrics")
            nodes = await client.get(f"http://{sandbox.node_metrics_target}/metrics")
            health = await client.get(f"{sandbox.base_url}/api/health")
    assert health.status_code == 503 and app.status_code == 200  # the proxy still counts
    assert app.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert 'http_requests_total{status="503"}' in app.text
    assert "omniops_build_info" not in app.text  # a dead app's own gauges go stale
    assert "process_start_time_seconds" not in app.text
    assert [line.split("{")[0] for line in nodes.text.splitlines() if 'instance="prod-3"' in line].count(
        "node_cpu_seconds_total"
    ) == 12
    assert nodes.text.count("node_load1{") == 3


def test_the_apps_own_gauges_follow_its_process() -> None:
    """Up since the start, gone in the outage, and started anew when it comes back."""
    switches = [(100.0, "healthy"), (200.0, "outage"), (300.0, "healthy")]
    assert "process_start_time_seconds 100.000" in list(app_lines(switches, 150.0))
    assert not [line for line in app_lines(switches, 250.0) if "build_info" in line or "start_time" in line]
    assert "process_start_time_seconds 300.000" in list(app_lines(switches, 350.0))
    assert app_came_up(switches, 50.0) is None and app_came_up(switches, 250.0) is None


def test_history_folds_before_the_session_and_merges() -> None:
    event = MetricBackfill(
        metric="error_rate",
        unit="%",
        start="2026-11-30T10:00:00.000Z",
        step_s=15,
        series={"": [0.03, None, 8.2]},
        query="q",
    )
    event.t, event.at = 2.0, "2026-11-30T10:01:00.000Z"
    again = from_record(to_record(event))
    assert isinstance(again, MetricBackfill) and again.series == {"": [0.03, None, 8.2]}
    points = backfill_points(again)[""]
    assert [(p.t, p.value, p.status) for p in points] == [(-58.0, 0.03, "pass"), (-28.0, 8.2, "fail")]
    state = SessionState()
    sample = MetricSample(metric="error_rate", value=0.5, status="warn", source="prometheus")
    sample.t = 1.0
    state.apply(sample)
    state.apply(again)
    facts = state.metrics
    assert (
        facts.values("error_rate") == [0.03, 8.2, 0.5] and facts.latest("error_rate").source == "prometheus"
    )


def host_history(figures: dict[str, dict[str, float | None]], source: str = "prometheus") -> MetricHistory:
    from omniops_tui.logic.metrics import BY_NAME

    facts = MetricHistory()
    for host, values in figures.items():
        for metric, value in values.items():
            facts.add(
                MetricSample(
                    metric=metric, host=host, value=value, status=BY_NAME[metric].status(value), source=source
                )
            )
    return facts


def test_the_host_table_is_worst_first_and_filterable() -> None:
    fine = {"cpu_percent": 20.0, "mem_percent": 40.0, "disk_percent": 40.0, "load_per_cpu": 0.2}
    figures = {f"web-{n}": dict(fine) for n in range(1, 12)}
    figures["web-3"]["disk_percent"] = 97.0  # red
    figures["web-10"]["cpu_percent"] = 95.0  # red, and further past its limit than web-3's disk
    figures["web-7"]["mem_percent"] = 85.0  # amber
    figures["web-2"]["load_per_cpu"] = None  # not measured: unknown, between amber and green
    table = HostTable(host_history(figures))
    order = [row.host for row in table.rows()]
    assert order[:4] == ["web-10", "web-3", "web-7", "web-2"]
    assert order[4:] == ["web-1", "web-4", "web-5", "web-6", "web-8", "web-9", "web-11"]  # natural order
    worst = table.rows()[0]
    assert worst.status == "fail" and worst.worst_metric == "cpu_percent" and worst.source == "prometheus"
    assert [row.host for row in table.rows(filter="WEB-1")] == ["web-10", "web-1", "web-11"]
    assert [row.host for row in table.rows(statuses=frozenset({"warn"}))] == ["web-7"]
    assert [row.host for row in table.rows(sort="disk_percent")][:2] == ["web-3", "web-1"]
    assert table.counts() == {"fail": 2, "warn": 1, "unknown": 1, "pass": 7}
    with pytest.raises(ValueError, match="sort must be one of"):
        table.rows(sort="colour")


def test_the_host_table_at_a_thousand_hosts() -> None:
    figures = {
        f"node-{n}": {
            "cpu_percent": float(n % 97),
            "mem_percent": 50.0,
            "disk_percent": 60.0,
            "load_per_cpu": 0.5,
        }
        for n in range(1000)
    }
    rows = HostTable(host_history(figures)).rows()
    assert len(rows) == 1000
    assert [row.values["cpu_percent"] for row in rows[:3]] == [96.0] * 3  # the busiest first
    statuses = [row.status for row in rows]
    assert statuses == sorted(statuses, key=["fail", "warn", "unknown", "pass"].index)


async def test_host_names_from_prometheus_are_data() -> None:
    """A label value is outside text: control characters made visible, length bounded."""
    from omniops_tui.live.prometheus_source import PrometheusSource
    from omniops_tui.probes.prometheus import PrometheusClient

    cpu = next(q for q in bound_queries(PrometheusConfig(url="http://x"), None) if q.metric == "cpu_percent")
    source = PrometheusSource(PrometheusClient("http://127.0.0.1:9"), [cpu])
    try:
        host = source._host(cpu, {"instance": "\x1b]52;c;cm0gLXJm\x07prod-1" + "x" * 500 + ":9100"}, {})
    finally:
        await source.aclose()
    assert host is not None and "\x1b" not in host and "\x07" not in host and len(host) == 200
    assert host.startswith("␛]52;c;cm0gLXJm␇prod-1")
