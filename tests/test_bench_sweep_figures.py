"""The sweep bench's arithmetic (bench/_sweep_figures.py): what counts as the machine busy, and
the floor it puts under concurrent / sequential. Figures here are made up; no sweep runs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import _sweep_figures as figures

#           user nice system idle  iowait irq softirq steal guest guest_nice
PROC_STAT = """cpu  100 20 30 5000 400 5 6 7 50 3
cpu0 50 10 15 2500 200 2 3 3 25 1
cpu1 50 10 15 2500 200 3 3 4 25 2
intr 123456 0 0
ctxt 98765
"""


def test_busy_is_all_but_idle_iowait_and_the_guests_already_in_user() -> None:
    assert figures.busy_ticks(PROC_STAT) == 100 + 20 + 30 + 5 + 6 + 7


def test_busy_of_an_old_kernel_without_the_late_fields() -> None:
    assert figures.busy_ticks("cpu  100 20 30 5000\n") == 150


def test_busy_without_a_cpu_line_is_refused() -> None:
    with pytest.raises(ValueError):
        figures.busy_ticks("cpu0 1 2 3 4\n")


def test_machine_busy_is_none_without_proc_stat(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(figures, "PROC_STAT", tmp_path / "absent")
    assert figures.machine_busy_s() is None
    assert figures.spent(None, 2.0) is None and figures.spent(1.0, None) is None


@pytest.mark.skipif(not Path("/proc/stat").exists(), reason="Linux only")
def test_machine_busy_grows_on_linux() -> None:
    before = figures.machine_busy_s()
    assert before is not None and before > 0
    after = figures.machine_busy_s()
    assert after is not None and figures.spent(before, after) == after - before >= 0


def test_summary_is_median_and_range_or_none() -> None:
    assert figures.summary([0.3, 0.1, 0.2]) == {"median": 0.2, "min": 0.1, "max": 0.3}
    assert figures.summary([0.1, None]) is None
    assert figures.summary([]) is None


def test_floor_is_busy_spread_over_every_core_against_sequential_wall() -> None:
    # The lead's figures: 0.164 s busy while sweeping concurrently, 0.149 s sequential, 2 cores.
    assert figures.floor_ratio([0.164], [0.149], 2) == 0.55
    # Medians of each, not of the quotients.
    assert figures.floor_ratio([0.1, 0.2, 0.4], [0.5, 0.1, 0.2], 4) == round(0.2 / (4 * 0.2), 2)


def test_floor_is_none_without_its_figures() -> None:
    assert figures.floor_ratio([None, 0.1], [0.2, 0.2], 2) is None
    assert figures.floor_ratio([0.1], [0.2], None) is None
    assert figures.floor_ratio([], [0.2], 2) is None


def test_ratio_of_medians() -> None:
    assert figures.ratio([0.128, 0.2, 0.1], [0.201, 0.3, 0.1]) == 0.64
