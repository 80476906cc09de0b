"""Prometheus as the metrics source: figures, missing series, scenarios, history and criteria, fleet."""

from __future__ import annotations

from pathlib import Path

from omniops_tui.config.model import Config, Environment, HostConfig, PrometheusConfig
from omniops_tui.core.events import MetricBackfill, MetricSample
from omniops_tui.live.prometheus_source import PrometheusSource, history_samples
from omniops_tui.logic.criteria import CRITERIA_FILE, CriteriaEvaluator, load_criteria
from omniops_tui.logic.host_table import HostTable
from omniops_tui.probes.prometheus import PrometheusClient
from omniops_tui.runbooks.loader import BUNDLED_DIR
from omniops_tui.sandbox.host_facts import HostFacts
from omniops_tui.sandbox.prometheus import PrometheusServer
from omniops_tui.sessions.recorder import SessionRecorder
from omniops_tui.sessions.state import SessionState
from tests.prometheus.conftest import SPIKE_MINUTES, Scraped, eventually


def near(sample: MetricSample, expected: float) -> bool:
    """Within 1 % of the scenario's figure (a scrape lands a few ms off its timestamp)."""
    return sample.value is not None and abs(sample.value - expected) <= 0.01 * expected


def by_key(samples: list[MetricSample]) -> dict[tuple[str, str], MetricSample]:
    return {(s.metric, s.host): s for s in samples}


async def test_figures_are_the_scenarios_and_say_where_they_came_from(live: Scraped) -> None:
    source = live.source()
    ssh_figures = HostFacts.of(live.sandbox.state, "prod-2", 1)  # what `free`, `df` … say on prod-2

    def settled(answer: list[MetricSample]) -> bool:
        """Both rates past the previous test's scenario (a loaded machine scrapes late)."""
        figures = by_key(answer)
        return near(figures[("error_rate", "")], 0.03) and near(
            figures[("cpu_percent", "prod-2")], ssh_figures.cpu_percent
        )

    try:
        samples = by_key(await eventually(source.sample_once, settled))
    finally:
        await source.aclose()
    assert {s.source for s in samples.values()} == {"prometheus"}
    assert near(samples[("p95_ms", "")], 180)  # histogram_quantile(0.95) of the histogram
    assert near(samples[("response_avg_ms", "")], 75)
    assert samples[("version_ok", "")].value == 1.0
    assert abs(samples[("request_rate", "")].value - 20) < 1
    assert samples[("uptime_s", "")].value > 0
    assert samples[("disk_percent", "prod-2")].value == ssh_figures.disk_used_percent
    assert {host for metric, host in samples if metric == "mem_percent"} == {"prod-1", "prod-2", "prod-3"}


async def test_a_missing_series_is_unknown_never_zero(live: Scraped) -> None:
    source = live.source()
    try:
        samples = by_key(await source.sample_once())
    finally:
        await source.aclose()
    database = samples[("db_connected", "")]  # no postgres_exporter is scraped here
    assert database.value is None and database.status == "unknown"
    assert database.detail == "unknown (no series for min(pg_up{}))"


async def test_configured_hosts_prometheus_does_not_know_fall_back_to_ssh(live: Scraped) -> None:
    environment = live.environment(node_selector='instance!="prod-2"')
    environment.hosts.append(HostConfig(name="bastion-9"))
    source = PrometheusSource.from_environment(Config(), environment)
    assert source is not None
    try:
        assert source.fallback_hosts() == []  # the first answers decide
        await source.sample_once()
    finally:
        await source.aclose()
    assert [h.name for h in source.fallback_hosts()] == ["prod-2", "bastion-9"]


async def test_a_scenario_moves_the_figures(live: Scraped) -> None:
    source = live.source()
    live.set_scenario("error-spike")
    try:
        spike = by_key(
            await eventually(
                source.sample_once,
                lambda s: near(by_key(s)[("error_rate", "")], 8.2) and near(by_key(s)[("p95_ms", "")], 890),
            )
        )
        assert spike[("error_rate", "")].status == "fail"  # > 5 %: the rollback criterion's figure
        assert spike[("p95_ms", "")].status == "warn"
        live.set_scenario("slow")
        slow = by_key(await eventually(source.sample_once, lambda s: near(by_key(s)[("p95_ms", "")], 3200)))
        assert slow[("p95_ms", "")].status == "fail"  # > 3 s: the Emergency Rollback criterion's figure
        assert slow[("cpu_percent", "prod-1")].status == "warn"  # 86 % CPU
    finally:
        await source.aclose()


async def test_history_makes_a_ten_minute_criterion_fire_on_open(
    incident: PrometheusServer, tmp_path: Path
) -> None:
    """Opened at minute 12 of an error spike: the history is there, the criterion fires at once."""
    environment = Environment(
        name="prod",
        expected_version="v1.2.1",
        prometheus=PrometheusConfig(url=incident.url),  # the default 1m rate window, 15 s steps
        hosts=[HostConfig(name="prod-1"), HostConfig(name="prod-2")],
    )
    source = PrometheusSource.from_environment(Config(), environment)
    assert source is not None
    try:
        events = await source.backfill()
    finally:
        await source.aclose()
    recorder = SessionRecorder.create(tmp_path, ["bundled"], environment="prod")
    state = SessionState()
    for event in events:
        recorder.record(event)
        state.apply(event)
    recorder.close()

    facts = state.metrics
    assert len(facts.values("error_rate")) >= 110  # 30 minutes every 15 s: the sparkline is full
    assert (
        abs(facts.latest("error_rate").value - 8.2) < 0.01
        and facts.latest("error_rate").source == "prometheus"
    )
    assert 25 <= len(facts.values("cpu_percent", "prod-2")) <= 31  # hosts: a sparkline's worth each

    evaluator = CriteriaEvaluator(load_criteria(BUNDLED_DIR / CRITERIA_FILE))
    for sample in history_samples(events):
        evaluator.observe(sample.metric, sample.value, sample.t)
    fired = evaluator.evaluate(recorder.offset)
    assert [(change.criterion.id, change.fired) for change in fired] == [("error-rate", True)]
    since = evaluator.states["error-rate"].since
    assert since is not None and -SPIKE_MINUTES * 60 - 60 <= since <= -(SPIKE_MINUTES - 1) * 60
    assert "Error rate 8.2% > 5 for 1" in fired[0].evidence  # "for 11m…" or "12m…": before the session


async def test_backfill_records_compactly_what_it_asked(incident: PrometheusServer) -> None:
    environment = Environment(name="prod", prometheus=PrometheusConfig(url=incident.url))
    source = PrometheusSource.from_environment(Config(), environment)
    assert source is not None
    try:
        events = {event.metric: event for event in await source.backfill(10)}
    finally:
        await source.aclose()
    error_rate = events["error_rate"]
    assert isinstance(error_rate, MetricBackfill) and error_rate.step_s == 15
    assert set(error_rate.series) == {""} and 38 <= len(error_rate.series[""]) <= 42
    assert "http_requests_total" in error_rate.query and error_rate.source == "prometheus"
    assert events["db_connected"].series == {} and events["db_connected"].detail.startswith(
        "unknown (no series"
    )
    assert "version_ok" not in events  # no expected_version: not asked


class CountingClient(PrometheusClient):
    """The real client, counting the queries it sends."""

    instant_queries = 0

    async def instant(self, query: str, at: float | None = None):  # type: ignore[no-untyped-def]
        CountingClient.instant_queries += 1
        return await super().instant(query, at)


async def test_five_hundred_hosts_through_one_query_each(fleet: Scraped) -> None:
    source = fleet.source()
    source.client = CountingClient(fleet.prometheus.url)
    fleet.set_scenario("disk-full")
    try:
        samples = await eventually(
            source.sample_once,
            lambda s: sum(1 for x in s if x.metric == "disk_percent" and x.value == 97) == 500,
        )
    finally:
        await source.aclose()
    # One query for the whole fleet's CPU, memory, disk and load, one per service figure.
    service = [query for query in source.queries if not query.per_host]
    assert CountingClient.instant_queries == (len(service) + 1) * source.rounds
    assert all(f'"{name}"' in source.fleet_query() for name in ("cpu_percent", "mem_percent", "disk_percent"))
    per_metric = {
        m: [s for s in samples if s.metric == m] for m in ("cpu_percent", "mem_percent", "load_per_cpu")
    }
    assert all(len(found) == 500 for found in per_metric.values())
    assert source.fallback_hosts() == []

    state = SessionState()
    for sample in samples:
        state.apply(sample)
    table = HostTable(state.metrics)
    rows = table.rows()
    assert len(rows) == 500 and {row.status for row in rows} == {"fail"}  # every disk at 97 %
    assert {row.worst_metric for row in rows} == {"disk_percent"}
    assert [row.host for row in table.rows(filter="PROD-49")][:3] == ["prod-49", "prod-490", "prod-491"]


async def test_a_broken_host_figure_is_named_alone(live: Scraped) -> None:
    """A bad override cannot hide the other host figures behind the fleet query's error."""
    source = live.source(queries={"load_per_cpu": "node_load1 /"})
    try:
        samples = by_key(await source.sample_once())
    finally:
        await source.aclose()
    assert not source.combine_hosts
    broken = samples[("load_per_cpu", "")]
    assert broken.status == "error" and "query 'node_load1 /': bad_data" in broken.detail
    assert samples[("cpu_percent", "prod-1")].value is not None


async def test_a_live_session_opened_mid_incident_fires_the_criterion_at_once(
    incident: PrometheusServer, tmp_path: Path
) -> None:
    """The whole engine: a LiveSession whose environment names the Prometheus. Its metrics service
    fetches the history first, so the 10-minute criterion fires on the first round, recorded."""
    import asyncio

    from omniops_tui.live.session import LiveSession
    from omniops_tui.live.setup import load_setup, open_session
    from omniops_tui.options import Options
    from omniops_tui.sessions.reader import read_session

    config = tmp_path / "config.toml"
    config.write_text(
        'default_env = "prod"\ntimeout = 2\n[env.prod]\nbase_url = "http://127.0.0.1:1"\n'
        'expected_version = "v1.2.1"\n'
        f'[env.prod.prometheus]\nurl = "{incident.url}"\n'
    )
    setup = load_setup(Options(config=config, sessions_dir=tmp_path / "sessions"))
    session = LiveSession(setup, *open_session(setup, session_id="mid-incident"))
    session.begin()
    task = asyncio.create_task(session.metrics.run())
    try:
        deadline = asyncio.get_running_loop().time() + 90
        while "error-rate" not in session.state.criteria.firing:
            assert not task.done(), task.exception()
            assert asyncio.get_running_loop().time() < deadline, "the criterion did not fire"
            await asyncio.sleep(0.2)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await session.aclose("test")
    fired = session.state.criteria.firing["error-rate"]
    assert "Error rate 8.2%" in fired.evidence and "for 1" in fired.evidence  # held 11-12 min already
    assert session.metrics.rounds <= 1  # at once: on the history, not after ten minutes of rounds
    kinds = [event.type for event in read_session(session.recorder.path).events]
    assert kinds.index("metric_history") < kinds.index("criterion_fired")
