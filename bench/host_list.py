"""The metrics screen's host list at fleet size: a sampling round and a page of scrolling.

Runs the real app headless at 80x24 with 1,000 hosts (`--hosts`) recorded into its session,
opens the metrics screen and measures, over several rounds:
- `round_s`: after a Prometheus round (4 figures per host, folded first), the host list's
  redraw: every row recomputed, re-sorted worst first, counted, and the visible ones painted;
- `page_s`: one `pagedown` in the host list, as the Pilot presses it (key to idle app); a
  no-op key is measured too (`idle_key_s`), the floor both ways share.
The reference, in the same run and the same app: the `DataTable` the screen used before (a
row per host, every cell updated in place each round), fed the same rounds and paged the same
way. Prints one JSON line with the median and range of each, and the ratios.

    .venv/bin/python bench/host_list.py [--hosts 1000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from textual.widget import Widget
from textual.widgets import DataTable

from omniops_tui.core.events import MetricSample
from omniops_tui.logic.host_table import HOST_FIGURES
from omniops_tui.logic.metrics import BY_NAME
from omniops_tui.options import Options
from omniops_tui.ui.factory import build_app
from omniops_tui.ui.screens.metrics import MetricsScreen
from omniops_tui.ui.widgets.figures import value_text
from omniops_tui.ui.widgets.host_list import HostList


def fleet_round(hosts: int, shift: int) -> list[MetricSample]:
    samples = []
    for n in range(hosts):
        for index, metric in enumerate(HOST_FIGURES):
            value = float((n * 7 + shift * 13 + index * 29) % 100)
            if metric == "load_per_cpu":
                value /= 50
            status = BY_NAME[metric].status(value)
            samples.append(
                MetricSample(metric=metric, host=f"node-{n}", value=value, status=status, source="prometheus")
            )
    return samples


def reference_refresh(table: DataTable, screen: MetricsScreen) -> None:
    """The previous screen's host table: a DataTable row per host, each cell set per round."""
    facts = screen.session.state.metrics
    for host in facts.hosts("cpu_percent"):
        if host not in table.rows:
            table.add_row(host, *["—"] * len(HOST_FIGURES), key=host)
        for name in HOST_FIGURES:
            cell = value_text(BY_NAME[name], facts.latest(name, host))
            if str(table.get_cell(host, name)) != str(cell):
                table.update_cell(host, name, cell)


async def paging(pilot: Any, widget: Widget, presses: int) -> list[float]:
    """Wall time of each `pagedown` in `widget` (focused first, its footer settled)."""
    widget.focus()
    await pilot.pause(0.3)
    times = []
    for _ in range(presses):
        started = time.perf_counter()
        await pilot.press("pagedown")
        times.append(time.perf_counter() - started)
    return times


def summary(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 5),
        "min": round(min(values), 5),
        "max": round(max(values), 5),
    }


async def measure(hosts: int, rounds: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="omniops-bench-hosts-") as folder:
        options = Options(runbooks=None, sessions_dir=Path(folder), config=None, env=None, read_only=False)
        app = build_app(options, session_id="bench-hosts")
        async with app.run_test(size=(80, 24)) as pilot:
            engine = app.live
            assert engine is not None
            engine.record_many(fleet_round(hosts, 0))
            await pilot.press("m")
            await pilot.pause(0.2)
            screen = app.screen
            assert isinstance(screen, MetricsScreen)
            hosts_list = screen.query_one(HostList)
            reference = DataTable(id="reference-table")
            await screen.query_one("#metrics-body").mount(reference)
            reference.styles.height = 12
            reference.add_column("Host", key="host", width=12)
            for name in HOST_FIGURES:
                reference.add_column(name, key=name, width=10)
            reference_refresh(reference, screen)
            await pilot.pause(0.1)

            round_s: list[float] = []
            reference_round_s: list[float] = []
            for shift in range(1, rounds + 1):
                for sample in fleet_round(hosts, shift):  # the fold (the same for both ways)
                    screen.session.state.apply(sample)
                started = time.perf_counter()
                screen._refresh_hosts(screen.session.state.metrics, changed=True)  # re-sort, swap, repaint
                await pilot.pause(0)
                round_s.append(time.perf_counter() - started)

                started = time.perf_counter()
                reference_refresh(reference, screen)
                await pilot.pause(0)
                reference_round_s.append(time.perf_counter() - started)
            idle_s = []
            for _ in range(rounds):
                started = time.perf_counter()
                await pilot.press("z")  # bound to nothing: the Pilot's own cost
                idle_s.append(time.perf_counter() - started)
            page_s = await paging(pilot, hosts_list, rounds)
            reference_page_s = await paging(pilot, reference, rounds)
            assert len(hosts_list.rows) == hosts and reference.row_count == hosts
    return {
        "hosts": hosts,
        "rounds": rounds,
        "round_s": summary(round_s),
        "reference_datatable_round_s": summary(reference_round_s),
        "idle_key_s": summary(idle_s),
        "page_s": summary(page_s),
        "reference_datatable_page_s": summary(reference_page_s),
        "round_ratio": round(statistics.median(round_s) / statistics.median(reference_round_s), 3),
        "page_ratio": round(statistics.median(page_s) / statistics.median(reference_page_s), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--hosts", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.hosts, args.rounds))))


if __name__ == "__main__":
    main()
