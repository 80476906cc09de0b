"""The parser against the bundled document: everything in it reaches the model."""

from __future__ import annotations

import pytest

from omniops_tui.runbooks.model import (
    ChecklistGroup,
    CommandBlock,
    MarkdownBlock,
    RunbookSet,
    Step,
    TroubleshootingEntry,
    iter_blocks,
)
from omniops_tui.runbooks.parser import parse_markdown
from tests.conftest import ORIGINAL_DOCUMENT

# (sections, steps, command blocks, checklist items) per runbook, counted by hand from the document.
EXPECTED_COUNTS = {
    "standard-release": (9, 18, 24, 45),
    "hotfix": (9, 9, 10, 28),
    "database-migration": (9, 13, 19, 41),
    "emergency-rollback": (11, 12, 14, 28),
    "first-time-deploy": (9, 20, 23, 66),
    "scaling-up": (5, 0, 2, 14),
    "disaster-recovery": (6, 5, 8, 0),
}


def test_seven_runbooks_in_document_order(runbook_set: RunbookSet) -> None:
    assert [r.id for r in runbook_set.runbooks] == list(EXPECTED_COUNTS)
    assert [r.number for r in runbook_set.runbooks] == [str(n) for n in range(1, 8)]


@pytest.mark.parametrize("runbook_id", list(EXPECTED_COUNTS))
def test_per_runbook_counts(runbook_set: RunbookSet, runbook_id: str) -> None:
    runbook = runbook_set.get(runbook_id)
    assert runbook is not None
    counts = (
        len(runbook.sections),
        len(runbook.steps()),
        len(runbook.command_blocks()),
        len(runbook.checklist_items()),
    )
    assert counts == EXPECTED_COUNTS[runbook_id]


def test_all_222_checklist_items_with_unique_ids(runbook_set: RunbookSet) -> None:
    items = runbook_set.all_items()
    assert len(items) == 222
    assert len({i.id for i in items}) == 222
    source = ORIGINAL_DOCUMENT.read_text()
    texts = [line.split("- [ ]", 1)[1].strip() for line in source.splitlines() if "- [ ]" in line]
    assert sorted(i.text for i in items) == sorted(t.replace("**", "") for t in texts)


def test_every_fence_is_kept(runbook_set: RunbookSet) -> None:
    fences = sum(1 for line in ORIGINAL_DOCUMENT.read_text().splitlines() if line.startswith("```"))
    # The original has one stray fence line, repaired in the bundled copy.
    total = sum(
        len(r.command_blocks()) + sum(len(s.expected) for s in r.steps()) for r in runbook_set.runbooks
    )
    total += sum(
        len(list(iter_blocks(s.blocks, CommandBlock))) for s in runbook_set.appendix + runbook_set.preamble
    )
    assert total * 2 == fences - 1


def test_metadata_of_every_runbook(runbook_set: RunbookSet) -> None:
    for runbook in runbook_set.runbooks:
        meta = runbook.metadata
        assert meta is not None, runbook.id
        assert all([meta.duration, meta.risk, meta.rollback_difficulty, meta.best_time, meta.minimum_team]), (
            runbook.id
        )
    standard = runbook_set.get("standard-release")
    assert standard.metadata.best_time == "Tuesday-Thursday, 2-4 AM UTC"
    assert standard.metadata.minimum_team == "2 (deployer + on-call)"
    assert runbook_set.get("emergency-rollback").risk_level == "critical"


def test_overview_table_and_when_to_use(runbook_set: RunbookSet) -> None:
    assert runbook_set.overview is not None
    assert len(runbook_set.overview.rows) == 7
    first_time = runbook_set.get("first-time-deploy")
    assert first_time.overview["when_to_use"] == "Initial setup"
    assert first_time.duration == "8-12 hours"
    assert runbook_set.get("scaling-up").when_to_use[-1] == "New customer onboarding"
    assert runbook_set.get("first-time-production-deploy") is first_time  # alias
    assert runbook_set.get("5") is first_time


def test_checklist_groups_carry_their_bold_label_and_timing(runbook_set: RunbookSet) -> None:
    groups = list(runbook_set.get("standard-release").checklist_groups())
    code_quality = groups[0]
    assert (code_quality.title, code_quality.timing, len(code_quality.items)) == ("Code Quality", "T-48h", 7)
    assert code_quality.items[0].text == "All tests passing (`npm run test:all`)"
    assert code_quality.items[0].id == (
        "standard-release/prerequisites-checklist/code-quality/all-tests-passing-npm-run-test-all"
    )
    verification = next(g for g in groups if g.id.startswith("standard-release/verification"))
    assert verification.title == "After deployment, verify"
    assert verification.items[0].id == (
        "standard-release/verification-checklist/health-endpoint-returns-200-ok"
    )


def test_steps_commands_and_expected_output(runbook_set: RunbookSet) -> None:
    steps = {s.number: s for s in runbook_set.get("standard-release").steps() if s.number}
    assert list(steps) == ["1", "2", "3", "4", "5", "6a", "6b", "6c", "7", "8", "9", "10", "11", "12"]
    final = steps["1"]
    assert final.title == "Final Verification"
    assert final.blocks[0].language == "bash"
    assert "git tag -a v1.2.0" in final.blocks[0].code
    assert final.expected[0].label == "Expected Output"
    assert "All tests passed" in final.expected[0].block.code
    assert steps["8"].expected[0].label == "Expected Metrics"
    assert steps["2"].expected[0].block.language == "json"


def test_headings_inside_fences_stay_code(runbook_set: RunbookSet) -> None:
    rollback = runbook_set.get("emergency-rollback")
    gather = next(s for s in rollback.steps() if s.number == "8")
    assert "## Detection" in gather.blocks[0].code
    assert not any(s.title == "Detection" for s in rollback.sections)


def test_troubleshooting_symptom_cause_resolution(runbook_set: RunbookSet) -> None:
    entries = list(iter_blocks(runbook_set.get("standard-release").sections[-1].blocks, TroubleshootingEntry))
    assert [e.title for e in entries] == ["Health Check Failing", "High Error Rate", "Slow Response Times"]
    assert "Failed to connect" in entries[0].symptoms[0].code
    assert "docker-compose ps" in entries[0].resolution[0].code
    persist = next(
        iter_blocks(runbook_set.get("emergency-rollback").sections[-1].blocks, TroubleshootingEntry)
    )
    assert persist.cause == "Infrastructure issue, not application issue"


def test_decision_criteria_and_do_not_rollback(runbook_set: RunbookSet) -> None:
    criteria = runbook_set.get("emergency-rollback").decision_criteria
    assert criteria is not None
    assert criteria.rollback_if[0] == {
        "metric": "Error Rate",
        "threshold": "> 5% for 10+ minutes",
        "action": "Rollback",
    }
    assert len(criteria.rollback_if) == 6
    assert criteria.do_not_rollback[0] == "Issue is minor (< 1% error rate)"
    assert len(criteria.do_not_rollback) == 4


def test_scaling_up_and_disaster_recovery_own_sections(runbook_set: RunbookSet) -> None:
    scaling = [s.title for s in runbook_set.get("scaling-up").sections]
    assert "Quick Commands for Scaling" in scaling and "Verification After Scaling" in scaling
    dr = runbook_set.get("disaster-recovery")
    titles = [s.title for s in dr.sections]
    assert titles[2:] == [
        "Immediate Actions (First 5 Minutes)",
        "Recovery Steps",
        "Data Loss Assessment",
        "Post-Recovery Communication",
    ]
    assert [s.title for s in dr.steps()] == [
        "Assess Damage",
        "Database Recovery",
        "Application Recovery",
        "Verification",
        "Re-enable Service",
    ]


def test_appendix_and_preamble_reach_the_model(runbook_set: RunbookSet) -> None:
    assert [s.title for s in runbook_set.appendix] == [
        "Emergency Contacts Template",
        "Common Commands Cheat Sheet",
        "Runbook Decision Tree",
    ]
    tree = next(iter_blocks(runbook_set.appendix[2].blocks, CommandBlock))
    assert "Is production down or severely degraded?" in tree.code
    assert "Runbook Overview" in [s.title for s in runbook_set.preamble]


def test_unrecognised_content_is_kept_as_markdown() -> None:
    text = "## 1. A\n\n### Metadata\n- **Risk Level**: Low\n\n### Notes\n\nSome *prose*.\n\n> quote\n"
    runbook = parse_markdown(text).runbooks.runbooks[0]
    notes = runbook.sections[1]
    assert [b.text for b in notes.blocks if isinstance(b, MarkdownBlock)] == ["Some *prose*.", "> quote"]


def test_original_document_loses_scaling_up_to_the_stray_fence() -> None:
    parsed = parse_markdown(ORIGINAL_DOCUMENT.read_text(), "orig.md").runbooks
    assert "scaling-up" not in [r.id for r in parsed.runbooks]
    assert len(parsed.all_items()) == 208


def test_destructive_commands_are_marked(runbook_set: RunbookSet) -> None:
    docker = next(s for s in runbook_set.get("emergency-rollback").steps() if s.number == "2")
    assert docker.blocks[0].destructive
    health = next(s for s in runbook_set.get("standard-release").steps() if s.number == "7")
    assert not health.blocks[0].destructive


def test_json_model_has_stable_ids(runbook_set: RunbookSet) -> None:
    data = runbook_set.to_dict()
    runbook = data["runbooks"][0]
    assert runbook["id"] == "standard-release"
    assert runbook["counts"]["checklist_items"] == 45
    group = runbook["sections"][2]["blocks"][0]
    assert group["kind"] == "checklist" and group["items"][0]["id"].startswith("standard-release/")
    steps = [b for b in runbook["sections"][4]["blocks"][0]["blocks"] if b["kind"] == "step"]
    assert steps[0]["id"] == "standard-release/step-1-final-verification"
    assert isinstance(Step, type) and isinstance(ChecklistGroup, type)
