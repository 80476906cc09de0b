"""The production's log history: reusing the previous window must not change a line."""

from __future__ import annotations

from omniops_tui.sandbox.logs import COMBINED_LOG, ERROR_LOG, LogSource
from omniops_tui.sandbox.scenarios import ProductionState


def test_history_reused_across_calls_is_what_a_fresh_source_says() -> None:
    state = ProductionState("error-spike")
    kept = LogSource(state, 1, rate=40.0)
    start = 1_764_547_200.0
    for path in (COMBINED_LOG, ERROR_LOG):
        for step in (0.0, 0.5, 3.0, 200.0, 200.0, 80.0):  # overlapping, equal, disjoint, earlier
            now = start + step
            assert kept.history(path, 500, now) == LogSource(state, 1, rate=40.0).history(path, 500, now)
    state.scenario = "healthy"  # another mix: other lines for the same times
    now = start + 200.0
    fresh = LogSource(state, 1, rate=40.0)
    assert kept.history(COMBINED_LOG, 50, now) == fresh.history(COMBINED_LOG, 50, now)
