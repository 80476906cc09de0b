"""Rollback criteria on their own held evidence, and the DO NOT ROLLBACK hints."""

from __future__ import annotations

from pathlib import Path

import pytest

from omniops_tui.core.errors import UserError
from omniops_tui.core.events import MetricSample
from omniops_tui.logic.criteria import (
    CRITERIA_FILE,
    CriteriaEvaluator,
    do_not_rollback_hint,
    load_criteria,
)
from omniops_tui.logic.history import MetricHistory
from omniops_tui.runbooks.loader import BUNDLED_DIR
from omniops_tui.runbooks.model import RunbookSet

CRITERIA = load_criteria(BUNDLED_DIR / CRITERIA_FILE)


def test_criteria_toml_uses_the_documents_words(runbook_set: RunbookSet) -> None:
    table = runbook_set.get("emergency-rollback").decision_criteria.rollback_if
    assert [(c.metric, c.threshold, c.action) for c in CRITERIA] == [
        (row["metric"], row["threshold"], row["action"]) for row in table
    ]
    assert [c.id for c in CRITERIA if c.manual] == ["data-loss", "security-issue"]


def test_bands_come_from_the_thresholds_file() -> None:
    bands = {c.id: str(c.band) for c in CRITERIA if not c.manual}
    assert bands == {
        "error-rate": "> 5",
        "response-time": "> 3000",
        "database-connections": "== 0",
        "critical-feature": "== 0",
    }


def test_error_rate_fires_after_ten_minutes_of_samples_and_clears() -> None:
    evaluator = CriteriaEvaluator(CRITERIA)
    t = 0.0
    for _ in range(40):  # 15 s samples at 0 … 9m45s: not yet ten minutes of evidence
        evaluator.observe("error_rate", 8.2, t)
        assert evaluator.evaluate(t) == []
        t += 15
    assert evaluator.evaluate(t + 3600) == []  # time passing without samples is no evidence
    evaluator.observe("error_rate", 8.2, t)  # 10 minutes since the first breaching sample
    fired = evaluator.evaluate(t)
    assert [(x.criterion.id, x.fired) for x in fired] == [("error-rate", True)]
    assert "Error rate 8.2% > 5 for 10m00s" in fired[0].evidence
    assert evaluator.evaluate(t + 15) == []  # fires once
    evaluator.observe("error_rate", 0.05, t + 30)
    cleared = evaluator.evaluate(t + 30)
    assert [(x.criterion.id, x.fired) for x in cleared] == [("error-rate", False)]


def test_a_dip_resets_the_duration() -> None:
    evaluator = CriteriaEvaluator(CRITERIA)
    evaluator.observe("p95_ms", 3500, 0)
    evaluator.observe("p95_ms", 400, 300)
    evaluator.observe("p95_ms", 3500, 330)
    evaluator.observe("p95_ms", 3600, 610)
    assert evaluator.evaluate(610) == []
    assert evaluator.states["response-time"].status == "breaching"
    assert "of 10m00s" in evaluator.states["response-time"].evidence
    evaluator.observe("p95_ms", 3400, 930)
    assert [x.criterion.id for x in evaluator.evaluate(930)] == ["response-time"]


@pytest.mark.parametrize(
    ("metric", "criterion"), [("db_connected", "database-connections"), ("chat_ok", "critical-feature")]
)
def test_no_single_sample_fires_a_criterion(metric: str, criterion: str) -> None:
    evaluator = CriteriaEvaluator(CRITERIA)
    evaluator.observe(metric, 0, 0)
    assert evaluator.evaluate(10_000) == []  # one sample, however long ago, is not held evidence
    assert evaluator.states[criterion].status == "breaching"
    evaluator.observe(metric, 0, 30)
    assert evaluator.evaluate(30) == []  # two samples, not yet for the duration
    evaluator.observe(metric, 0, 130)
    assert [x.criterion.id for x in evaluator.evaluate(130)] == [criterion]


def test_unknown_samples_neither_fire_nor_clear() -> None:
    """An outage's unmeasurable error rate is no evidence either way; a firing criterion stays."""
    evaluator = CriteriaEvaluator(CRITERIA)
    evaluator.observe("error_rate", 8.2, 0)
    for t in (60, 120, 300):
        evaluator.observe("error_rate", None, t, status="unknown", detail="HTTP 503")
    assert evaluator.evaluate(600) == []  # the run is 0 s long: only the first sample measured
    evaluator.observe("error_rate", 9.0, 600)
    assert [x.fired for x in evaluator.evaluate(600)] == [True]
    evaluator.observe("error_rate", None, 615, status="unknown", detail="HTTP 503 Service Unavailable")
    assert evaluator.evaluate(615) == []
    now = evaluator.states["error-rate"]
    assert now.firing and now.value is None and now.value_text == "unknown (HTTP 503 Service Unavailable)"


def test_status_shows_current_values_not_the_value_at_firing() -> None:
    evaluator = CriteriaEvaluator(CRITERIA)
    for t in range(0, 660, 60):
        evaluator.observe("error_rate", 8.2, t)
    evaluator.evaluate(600)
    evaluator.observe("error_rate", 41.7, 660)
    evaluator.evaluate(660)
    status = {s.criterion.id: s for s in evaluator.status()}
    rate = status["error-rate"]
    assert rate.firing and rate.value == 41.7 and rate.value_text == "41.7%"
    assert (rate.since, rate.held_s, rate.samples, rate.at) == (0, 660, 12, 660)
    assert rate.evidence == "Error rate 41.7% > 5 for 11m00s"
    assert status["response-time"].status == "no data"
    assert status["data-loss"].status == "manual"
    evaluator.observe("p95_ms", 180, 660)
    assert evaluator.states["response-time"].status == "ok"
    assert evaluator.states["response-time"].evidence == "Response time P95 180 ms: within limits"


def test_observe_sample_reads_metric_samples() -> None:
    evaluator = CriteriaEvaluator(CRITERIA)
    for t in (0.0, 61.0):
        evaluator.observe_sample(MetricSample(metric="db_connected", value=0.0, status="fail", t=t))
    assert [x.criterion.id for x in evaluator.evaluate(61)] == ["database-connections"]


def test_a_teams_own_numbers_and_bad_rows(tmp_path: Path) -> None:
    own = tmp_path / CRITERIA_FILE
    own.write_text(
        '[[criterion]]\nid = "x"\nmetric = "Error Rate"\nthreshold = "> 2%"\naction = "Rollback"\n'
        'source = "error_rate"\nop = ">"\nlimit = 2\nfor_minutes = 5\n'
    )
    (criterion,) = load_criteria(own)
    assert (str(criterion.band), criterion.for_s) == ("> 2", 300)
    own.write_text(
        '[[criterion]]\nid = "x"\nmetric = "U"\nthreshold = "t"\naction = "a"\nsource = "uptime_s"\n'
    )
    with pytest.raises(UserError, match="uptime_s has no red band"):
        load_criteria(own)
    own.write_text('[[criterion]]\nid = "x"\nmetric = "U"\nthreshold = "t"\naction = "a"\nsource = "nope"\n')
    with pytest.raises(UserError, match="'nope' is not a known metric"):
        load_criteria(own)


def _history(*samples: tuple[str, float | None]) -> MetricHistory:
    facts = MetricHistory()
    for metric, value in samples:
        facts.add(MetricSample(metric=metric, value=value))
    return facts


def test_do_not_rollback_hints_come_from_data_not_prose_matching() -> None:
    minor = "Issue is minor (< 1% error rate)"
    infra = "Issue is infrastructure, not application"
    calm = _history(("error_rate", 0.4), ("db_connected", 1.0))
    assert do_not_rollback_hint(minor, calm).text == "now 0.40%: applies"
    assert do_not_rollback_hint(infra, calm) is None
    spike = _history(("error_rate", 8.2), ("db_connected", 0.0))
    hint = do_not_rollback_hint(minor, spike)
    assert hint is not None and not hint.applies and hint.text == "now 8.2%: does not apply"
    assert do_not_rollback_hint(infra, spike).text == "database not connected: check infrastructure first"
    assert do_not_rollback_hint("Issue is understood and can be hotfixed faster", spike) is None
    assert do_not_rollback_hint(minor, _history(("error_rate", None))) is None  # unknown: no hint
    assert do_not_rollback_hint("We saw < 1% error rate somewhere", calm) is None  # words, not fragments
