"""Rollback criteria on the metric history, wizard probes, and metric colouring."""

from __future__ import annotations

from omniops_tui.core.events import MetricSample
from omniops_tui.logic.criteria import CRITERIA_FILE, CriteriaEvaluator, load_criteria
from omniops_tui.logic.decision import suggest
from omniops_tui.logic.history import MetricHistory
from omniops_tui.logic.metrics import BY_NAME, format_value
from omniops_tui.runbooks.loader import BUNDLED_DIR
from omniops_tui.runbooks.model import RunbookSet
from omniops_tui.sessions.state import SessionState

CRITERIA = load_criteria(BUNDLED_DIR / CRITERIA_FILE)


def test_criteria_toml_uses_the_documents_words(runbook_set: RunbookSet) -> None:
    table = runbook_set.get("emergency-rollback").decision_criteria.rollback_if
    assert [(c.metric, c.threshold, c.action) for c in CRITERIA] == [
        (row["metric"], row["threshold"], row["action"]) for row in table
    ]
    assert [c.id for c in CRITERIA if c.manual] == ["data-loss", "security-issue"]


def test_error_rate_fires_after_ten_minutes_and_clears() -> None:
    evaluator = CriteriaEvaluator(CRITERIA)
    t = 0.0
    for _ in range(40):  # 15 s samples at 0 … 9m45s: not yet ten minutes
        evaluator.observe("error_rate", 8.2, t)
        assert evaluator.evaluate(t) == []
        t += 15
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
    assert evaluator.evaluate(600 + 10) == []
    assert evaluator.states["response-time"].status == "breaching"
    assert "of 10m00s" in evaluator.states["response-time"].evidence
    assert [x.criterion.id for x in evaluator.evaluate(930)] == ["response-time"]


def test_database_connection_errors_fire_within_a_minute() -> None:
    evaluator = CriteriaEvaluator(CRITERIA)
    evaluator.observe("db_connected", 0, 0)
    evaluator.observe("db_connected", 0, 60)
    assert [x.criterion.id for x in evaluator.evaluate(60)] == ["database-connections"]


def _state(*samples: tuple[str, str, float | None, str]) -> MetricHistory:
    state = SessionState()
    for metric, host, value, status in samples:
        state.apply(MetricSample(metric=metric, host=host, value=value, status=status))
    return state.metrics


def test_wizard_probes_from_a_healthy_and_an_outage_history() -> None:
    healthy = _state(
        ("health_ok", "", 1, "pass"),
        ("health_ok", "", 1, "pass"),
        ("error_rate", "", 0.03, "pass"),
        ("p95_ms", "", 120, "pass"),
        ("cpu_percent", "prod-1", 35, "pass"),
    )
    assert suggest("production_down", healthy).answer is False
    assert suggest("production_down", healthy).evidence == "health failed 0/2, error rate 0.0%, P95 0.1 s"
    assert suggest("capacity_issue", healthy).answer is False
    outage = _state(
        *[("health_ok", "", 0, "fail")] * 3,
        ("error_rate", "", 100.0, "fail"),
        ("db_connected", "", 0, "fail"),
    )
    down = suggest("production_down", outage)
    assert down.answer is True and "health failed 3/3" in down.evidence
    assert suggest("complete_outage", outage).answer is True
    spike = _state(
        ("health_ok", "", 1, "pass"), ("error_rate", "", 8.2, "fail"), ("db_connected", "", 1, "pass")
    )
    assert suggest("production_down", spike).answer is True
    assert suggest("complete_outage", spike).answer is False
    assert suggest("production_down", SessionState().metrics).answer is None


def test_metric_colours_follow_the_documents_thresholds() -> None:
    assert BY_NAME["p95_ms"].status(420) == "pass"
    assert BY_NAME["p95_ms"].status(612) == "warn"
    assert BY_NAME["p95_ms"].status(3200) == "fail"
    assert BY_NAME["error_rate"].status(0.03) == "pass"
    assert BY_NAME["error_rate"].status(8.2) == "fail"
    assert BY_NAME["redis_hit_rate"].status(89) == "pass"
    assert BY_NAME["cpu_percent"].status(72) == "warn"
    assert format_value(BY_NAME["error_rate"], 0.03) == "0.03%"
    assert format_value(BY_NAME["health_ok"], 1) == "yes"
