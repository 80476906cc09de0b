"""The wizard's live probes: thresholds from data, unknown figures said as such, evidence age."""

from __future__ import annotations

from omniops_tui.core.events import MetricSample, WizardAnswered
from omniops_tui.logic.decision import TREE_FILE, is_stale, load_tree, suggest
from omniops_tui.logic.history import MetricHistory
from omniops_tui.runbooks.loader import BUNDLED_DIR
from omniops_tui.sessions.state import SessionState

TREE = load_tree(BUNDLED_DIR / TREE_FILE)
Row = tuple[str, str, float | None, str]


def _facts(*samples: Row, t: float = 0.0, detail: str = "") -> MetricHistory:
    facts = MetricHistory()
    add(facts, *samples, t=t, detail=detail)
    return facts


def add(facts: MetricHistory, *samples: Row, t: float = 0.0, detail: str = "") -> None:
    for metric, host, value, status in samples:
        facts.add(MetricSample(metric=metric, host=host, value=value, status=status, detail=detail, t=t))


HEALTHY: tuple[Row, ...] = (
    ("health_ok", "", 1, "pass"),
    ("health_ok", "", 1, "pass"),
    ("error_rate", "", 0.03, "pass"),
    ("p95_ms", "", 120, "pass"),
    ("db_connected", "", 1, "pass"),
    ("cpu_percent", "prod-1", 35, "pass"),
)


def test_a_healthy_history_is_not_down_nor_a_capacity_issue() -> None:
    healthy = _facts(*HEALTHY)
    down = suggest("production_down", healthy)
    assert down.answer is False
    assert down.evidence == "health failed 0/2, error rate 0.03%, P95 120 ms"
    assert suggest("capacity_issue", healthy).answer is False


def test_the_session_fold_feeds_the_probes() -> None:
    state = SessionState()
    for metric, host, value, status in HEALTHY:
        state.apply(MetricSample(metric=metric, host=host, value=value, status=status))
    assert suggest("production_down", state.metrics) == suggest("production_down", _facts(*HEALTHY))
    assert suggest("production_down", SessionState().metrics).answer is None


def test_error_rate_in_its_red_band_is_down_and_not_a_complete_outage() -> None:
    spike = _facts(
        ("health_ok", "", 1, "pass"), ("error_rate", "", 8.2, "fail"), ("db_connected", "", 1, "pass")
    )
    assert suggest("production_down", spike).answer is True
    assert suggest("complete_outage", spike).answer is False


def test_p95_over_three_seconds_alone_is_down() -> None:
    """The P95 > 3 s branch: health answering, error rate fine, latency in its red band."""
    slow = _facts(("health_ok", "", 1, "pass"), ("error_rate", "", 0.4, "warn"), ("p95_ms", "", 3200, "fail"))
    down = suggest("production_down", slow)
    assert down.answer is True and "P95 3200 ms" in down.evidence
    borderline = _facts(("health_ok", "", 1, "pass"), ("p95_ms", "", 3000, "warn"))
    assert suggest("production_down", borderline).answer is False  # "> 3s": 3000 ms is not


def test_an_app_outage_with_the_database_fine_never_says_database_down() -> None:
    outage = _facts(
        *[("health_ok", "", 0, "fail")] * 3,
        ("chat_ok", "", 0, "fail"),
        ("db_connected", "", 1, "pass"),
    )
    add(outage, ("error_rate", "", None, "unknown"), detail="HTTP 503 Service Temporarily Unavailable")
    down = suggest("production_down", outage)
    assert down.answer is True
    assert down.evidence == "health failed 3/3, error rate unknown (HTTP 503 Service Temporarily Unavailable)"
    complete = suggest("complete_outage", outage)
    assert complete.answer is True
    assert "database connected" in complete.evidence and "DOWN" not in complete.evidence
    unknown_db = _facts(*[("health_ok", "", 0, "fail")] * 3, ("db_connected", "", None, "unknown"))
    assert "database unknown" in suggest("complete_outage", unknown_db).evidence


def test_every_host_unreachable_is_a_complete_outage() -> None:
    gone = _facts(
        *[("health_ok", "", 0, "fail")] * 2,
        ("host_reachable", "prod-1", 0, "fail"),
        ("host_reachable", "prod-2", 0, "fail"),
    )
    outage = suggest("complete_outage", gone)
    assert outage.answer is True and "hosts unreachable 2/2" in outage.evidence


def test_capacity_reads_the_targets_of_the_thresholds_file() -> None:
    full = _facts(("disk_percent", "prod-1", 97, "fail"), ("disk_percent", "prod-2", 42, "pass"))
    capacity = suggest("capacity_issue", full)
    assert capacity.answer is True and capacity.evidence == "Disk / 97.0% on prod-1 (target <= 80%)"
    assert suggest("capacity_issue", _facts()).answer is None


def test_suggestions_carry_the_time_of_their_evidence() -> None:
    facts = _facts(("health_ok", "", 1, "pass"), t=100)
    add(facts, ("error_rate", "", 0.03, "pass"), t=160)
    assert suggest("production_down", facts).at == 100  # the oldest of the latest samples used
    add(facts, ("health_ok", "", 1, "pass"), t=200)
    assert suggest("production_down", facts).at == 160


def _answer(
    node: str, answer: bool, suggested: bool | None, evidence_at: float | None, t: float
) -> WizardAnswered:
    return WizardAnswered(node_id=node, answer=answer, suggested=suggested, evidence_at=evidence_at, t=t)


def test_an_answer_is_stale_when_the_evidence_changed() -> None:
    """Walked during the error spike (not a complete outage), then the outage began."""
    facts = _facts(*[("health_ok", "", 1, "pass")] * 3, ("error_rate", "", 8.2, "fail"), t=60)
    said = suggest("complete_outage", facts)
    answer = _answer("complete-outage", False, said.answer, said.at, t=65)
    assert not is_stale(answer, TREE, facts, now=70).stale
    add(facts, *[("health_ok", "", 0, "fail")] * 3, ("chat_ok", "", 0, "fail"), t=400)
    verdict = is_stale(answer, TREE, facts, now=410)
    assert verdict.stale and verdict.age_s == 350
    assert verdict.reason.startswith("the evidence has changed: it now suggests YES (health failed 3/3")
    assert verdict.current is not None and verdict.current.answer is True


def test_old_evidence_is_stale_unless_fresh_evidence_confirms_it() -> None:
    facts = _facts(*[("health_ok", "", 1, "pass")] * 3, ("error_rate", "", 0.03, "pass"), t=0)
    answer = _answer("production-down", False, False, 0.0, t=5)
    old = is_stale(answer, TREE, facts, now=900)
    assert old.stale and old.age_s == 900 and "15m00s old" in old.reason
    add(facts, ("health_ok", "", 1, "pass"), ("error_rate", "", 0.05, "pass"), t=880)
    fresh = is_stale(answer, TREE, facts, now=900)
    assert not fresh.stale and fresh.age_s == 900


def test_answers_without_a_probe_or_evidence_are_the_engineers_knowledge() -> None:
    facts = _facts(("health_ok", "", 1, "pass"), t=0)
    planned = _answer("planned-change", True, None, None, t=10)
    assert not is_stale(planned, TREE, facts, now=10_000).stale
    manual = _answer("production-down", False, None, None, t=10)
    verdict = is_stale(manual, TREE, facts, now=10_000)
    assert not verdict.stale and verdict.age_s == 9_990
    contradicted = _answer("production-down", True, None, None, t=10)
    assert is_stale(contradicted, TREE, facts, now=20).stale  # the figures now say otherwise


def test_one_failed_request_in_a_spike_does_not_hide_the_error_rate_just_measured() -> None:
    """A spike fails some health requests: the newest error rate is then unknown, and the wizard
    keeps reading the one measured just before (its age shown), not 'unknown'; an old one no."""
    facts = _facts(("health_ok", "", 1, "pass"), ("error_rate", "", 8.2, "fail"), t=100.0)
    add(facts, ("error_rate", "", None, "fail"), t=110.0, detail="HTTP 500 Internal Server Error")
    down = suggest("production_down", facts)
    assert down.answer is True and "error rate 8.2%" in down.evidence
    assert down.at == 100.0  # the evidence's age is the measured sample's
    later = _facts(("health_ok", "", 1, "pass"), ("error_rate", "", 8.2, "fail"), t=100.0)
    add(later, ("error_rate", "", None, "fail"), t=100.0 + 3600, detail="HTTP 500 Internal Server Error")
    assert "error rate unknown (HTTP 500" in suggest("production_down", later).evidence
