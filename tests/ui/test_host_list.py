"""The metrics screen at fleet scale: 1,000 hosts, worst first, filtered by key, where each
figure came from; drawn at 80x24 with only the visible rows rendered."""

from __future__ import annotations

from omniops_tui.core.events import MetricBackfill, MetricSample
from omniops_tui.logic.metrics import BY_NAME
from omniops_tui.ui.screens.metrics import MetricsScreen
from omniops_tui.ui.widgets.host_list import HostList
from tests.ui.conftest import wait_for, widget_text

ERROR_QUERY = 'sum(rate(http_requests_total{status=~"5.."}[1m])) / sum(rate(http_requests_total[1m])) * 100'


def fleet_round(hosts: int) -> list[MetricSample]:
    """One Prometheus round for a fleet: node-7 is out of disk, node-500 busy, node-9 amber."""
    samples = []
    for n in range(hosts):
        figures = {
            "cpu_percent": 20.0 + n % 30,
            "mem_percent": 40.0,
            "disk_percent": 50.0,
            "load_per_cpu": 0.3,
        }
        if n == 7:
            figures["disk_percent"] = 97.0
        if n == 500:
            figures["cpu_percent"] = 99.0
        if n == 9:
            figures["mem_percent"] = 85.0
        for metric, value in figures.items():
            status = BY_NAME[metric].status(value)
            samples.append(
                MetricSample(metric=metric, host=f"node-{n}", value=value, status=status, source="prometheus")
            )
    samples.append(MetricSample(metric="error_rate", value=0.03, status="pass", source="prometheus"))
    samples.append(MetricSample(metric="request_rate", value=20.0, status="pass", source="prometheus"))
    samples.append(MetricSample(metric="p95_ms", value=120.0, status="pass"))  # the tool's own probe
    return samples


async def test_a_thousand_hosts_worst_first_filtered_by_key(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        engine = app.live
        engine.record(
            MetricBackfill(metric="error_rate", query=ERROR_QUERY, start="2026-01-01T00:00:00Z", step_s=15)
        )
        engine.record_many(fleet_round(1000))
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, MetricsScreen))
        screen = app.screen
        hosts = screen.query_one(HostList)
        await wait_for(pilot, lambda: len(hosts.rows) == 1000)
        assert [row.host for row in hosts.rows[:3]] == ["node-500", "node-7", "node-9"]  # worst first
        title = widget_text(screen.query_one("#hosts-title"))
        assert "Hosts (1000)" in title and "2 fail · 1 warn · 997 pass" in title
        # Only the visible rows are drawn: the list is a dozen lines tall, not a thousand.
        assert hosts.size.height <= 12 and hosts.virtual_size.height == 1000
        drawn = visible_text(hosts)
        assert "node-500" in drawn and "✖ 99.0%" in drawn and "prom" in drawn

        service = screen.query_one("#service-table")
        assert str(service.get_cell("error_rate", "source")).startswith("prom ")
        assert str(service.get_cell("p95_ms", "source")).startswith("probe ")
        assert str(service.get_cell("request_rate", "value")) == "● 20 req/s"  # Prometheus only
        service.focus()
        service.move_cursor(row=service.get_row_index("error_rate"))
        await pilot.pause(0.1)
        origin = widget_text(screen.query_one("#figure-source"))
        assert "from Prometheus" in origin and "http_requests_total" in origin
        service.move_cursor(row=service.get_row_index("p95_ms"))
        await pilot.pause(0.1)
        assert "probed by the tool itself" in widget_text(screen.query_one("#figure-source"))

        await pilot.press("slash")
        await pilot.pause(0.2)
        field = screen.query_one("#host-filter")
        body = screen.query_one("#metrics-body")
        assert body.region.contains_region(field.region)  # scrolled into view, all of it
        await pilot.press(*"node-7", "enter")  # filter by name
        await wait_for(pilot, lambda: len(hosts.rows) < 1000)
        assert hosts.rows[0].host == "node-7" and all("node-7" in row.host for row in hosts.rows)
        assert hosts.has_focus  # enter hands the keys back to the list
        await pilot.press("slash", "escape")  # escape in the filter clears it
        await wait_for(pilot, lambda: len(hosts.rows) == 1000)
        assert isinstance(app.screen, MetricsScreen)
        await pilot.press("f")  # problems only
        await wait_for(pilot, lambda: [row.host for row in hosts.rows] == ["node-500", "node-7", "node-9"])
        await pilot.press("f", "o")  # all again, by name
        await wait_for(pilot, lambda: hosts.rows[1].host == "node-1" and len(hosts.rows) == 1000)
        await pilot.press("end")
        assert hosts.cursor == 999 and hosts.scroll_offset.y > 900
        assert "node-999" in visible_text(hosts)


def visible_text(hosts: HostList) -> str:
    return "\n".join(hosts.render_line(y).text for y in range(hosts.size.height))
