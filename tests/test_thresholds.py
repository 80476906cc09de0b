"""The one thresholds file: ranges per kind, bands, words, and every reader using it."""

from __future__ import annotations

from pathlib import Path

import pytest

from omniops_tui.core.errors import UserError
from omniops_tui.core.thresholds import Band, Limits, load_thresholds, thresholds
from omniops_tui.live.sampler import SERVICE_FIGURES
from omniops_tui.logic.metrics import BY_NAME, CATALOGUE, format_value
from omniops_tui.probes.base import Threshold
from omniops_tui.probes.bindings import bundled_bindings
from omniops_tui.probes.registry import KINDS, threshold_of


def test_every_entry_has_the_documents_words_and_a_source() -> None:
    for name, limits in thresholds().limits.items():
        assert limits.words and limits.source, name
    for definition in CATALOGUE:
        assert definition.label and definition.kind, definition.name


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("error_rate", 503, "out of range: 503 for a percentage (0–100)"),
        ("error_rate", -0.1, "out of range: -0.1 for a percentage (0–100)"),
        ("uptime_s", -1, "out of range: -1 for a duration (>= 0)"),
        ("health_ok", 0.5, "out of range: 0.5 for a yes/no figure (0 or 1)"),
        ("unused_indexes", 2.5, "out of range: 2.5 for a count (a whole number >= 0)"),
        ("p95_ms", float("nan"), "not a number: nan"),
        ("p95_ms", float("inf"), "not a number: inf"),
        ("error_rate", 100, ""),
        ("health_ok", 1, ""),
    ],
)
def test_values_outside_a_figures_range_are_not_measurements(name: str, value: float, problem: str) -> None:
    definition = BY_NAME[name]
    assert definition.limits.out_of_range(value) == problem
    measured = definition.measure(value)
    if problem:
        assert (measured.value, measured.status, measured.reason) == (None, "unknown", problem)
        assert definition.status(value) == "unknown"  # never green
    else:
        assert measured.value == value and measured.status != "unknown"


def test_colours_follow_the_documents_thresholds() -> None:
    assert [BY_NAME["p95_ms"].status(v) for v in (420, 500, 3000, 3001)] == ["pass", "warn", "warn", "fail"]
    assert [BY_NAME["error_rate"].status(v) for v in (0.03, 0.1, 5, 8.2)] == ["pass", "warn", "warn", "fail"]
    assert [BY_NAME["redis_hit_rate"].status(v) for v in (89, 80, 49)] == ["pass", "warn", "fail"]
    assert BY_NAME["cpu_percent"].status(72) == "warn"
    assert BY_NAME["db_connected"].status(0) == "fail"
    assert BY_NAME["uptime_s"].status(12) == "pass"  # no band: shown, not judged
    assert format_value(BY_NAME["error_rate"], 0.03) == "0.03%"
    assert format_value(BY_NAME["health_ok"], 1) == "yes"
    assert BY_NAME["p95_ms"].threshold_text() == "< 500 ms"
    assert BY_NAME["chat_ok"].threshold_text() == "yes"


def test_check_kinds_and_bindings_take_their_numbers_from_the_file() -> None:
    assert KINDS["http_latency"].default_threshold == Threshold(below=500)
    assert KINDS["pg_connections"].default_threshold == Threshold(below=90, warn_above=75)
    assert KINDS["ssh_disk"].default_threshold == Threshold(below=90, warn_above=80)
    assert KINDS["pg_unused_indexes"].default_threshold == Threshold(warn_above=0)
    checks = bundled_bindings().checks
    for check in checks.values():
        named = check.params.get("judged_by")
        if named:
            assert named in thresholds().limits, (check.id, named)
    assert threshold_of(checks["app-response-time"]) == Threshold(below=500, warn_above=100)
    assert threshold_of(checks["smoke-performance"]) == Threshold(warn_above=500)
    assert all(BY_NAME.get(figure.metric) for figure in SERVICE_FIGURES)


def test_a_check_threshold_is_exact_or_refused(tmp_path: Path) -> None:
    def entry(**raw: str) -> str:
        return '[metrics.x]\nkind = "percent"\n' + "".join(f'{k} = "{v}"\n' for k, v in raw.items())

    path = tmp_path / "thresholds.toml"
    for raw, message in (
        ({"pass": "<= 5"}, 'check = "pass" needs a strict pass band'),
        ({"pass": "< 5", "warn": "< 9", "check": "pass+warn"}, "needs an inclusive pass band"),
        ({"pass": "<= 5", "warn": "<= 9", "check": "pass+warn"}, 'the warn band "<= 9" must be strict'),
        ({"pass": "about 5"}, "is not a band like"),
        ({"warn": "< 5"}, "a warn band needs a pass band"),
        ({"pass": "< 5", "check": "maybe"}, "check 'maybe' is not one of"),
    ):
        path.write_text(entry(**raw))
        with pytest.raises(UserError, match=message) as raised:
            load_thresholds(path)
        assert str(path) in str(raised.value) and "[metrics.x]" in str(raised.value)
    path.write_text('[metrics.x]\nkind = "speed"\n')
    with pytest.raises(UserError, match="kind 'speed' is not one of"):
        load_thresholds(path)
    path.write_text("[metrics.x\n")
    with pytest.raises(UserError, match="invalid TOML"):
        load_thresholds(path)


def test_red_bands_are_where_neither_pass_nor_warn_holds() -> None:
    assert str(Limits("x", "percent", Band("<", 0.1), Band("<=", 5)).red_band()) == "> 5"
    assert str(Limits("x", "percent", Band(">", 80), Band(">=", 50)).red_band()) == "< 50"
    assert str(Limits("x", "boolean", Band("==", 1)).red_band()) == "== 0"
    assert Limits("x", "size").red_band() is None
