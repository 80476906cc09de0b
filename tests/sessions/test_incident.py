"""The post-mortem states only what happened (issue #9 C): three sessions recorded with the real
recorder, each with the statements its draft must make, citing events by sequence number.

1. Blips only: a healthy session with two isolated failures. No detection, no rollback.
2. Error spike -> rollback steps confirmed and run -> recovered.
3. Outage -> Disaster Recovery opened, never resolved, the session ended.
"""

from __future__ import annotations

import json
from pathlib import Path

from omniops_tui.core.events import (
    CommandFinished,
    CommandOutput,
    CommandStarted,
    CriterionCleared,
    CriterionFired,
    Event,
    ItemChecked,
    RunbookStarted,
    SessionEnded,
    SessionStarted,
    StepConfirmed,
    WizardRecommended,
)
from omniops_tui.sessions.export import export_session
from omniops_tui.sessions.player import Timeline
from tests.sessions.conftest import ER, ITEM_VERSION, PREREQUISITES, check, record_script
from tests.sessions.test_export import section


def _seq(script: list[tuple[float, Event]], t: float) -> int:
    """The sequence number the recorder gives the event at offset `t` (the header is not an event)."""
    return next(i for i, (offset, _e) in enumerate(script, 1) if offset == t)


def _draft(sessions_dir: Path, script: list[tuple[float, Event]]) -> tuple[str, dict]:
    recorded = record_script(sessions_dir, script)
    md = export_session(recorded.path, "md")
    data = json.loads(export_session(recorded.path, "json"))
    return md, data


# ---------------------------------------------------------------------------- 1. blips only
BLIPS: list[tuple[float, Event]] = [
    (0, SessionStarted(tool_version="test", environment="production")),
    (10, check("health", "pass", 200, "", "health 200 OK", [])),
    (12, check("latency-p95", "pass", 180.0, "ms", "P95 180 ms", [])),
    (40, check("latency-p95", "fail", 2886.0, "ms", "P95 2886 ms > 500 ms", [])),
    (55, check("latency-p95", "pass", 190.0, "ms", "P95 190 ms", [])),
    (90, RunbookStarted(runbook_id=ER, title="Emergency Rollback", via="home")),  # only looked at it
    (200, check("health", "error", None, "", "health: HTTP 500", [])),
    (215, check("health", "pass", 200, "", "health 200 OK", [])),
    (300, SessionEnded(reason="quit")),
]


def test_blips_are_not_detection_and_opening_the_rollback_is_not_a_rollback(sessions_dir: Path) -> None:
    md, data = _draft(sessions_dir, BLIPS)
    assert section(md, "Detection").splitlines()[1:] == [
        "- TODO: no failure persisted and no rollback criterion fired; say how it was detected",
        "- Isolated blip (not detection): 2025-03-14 03:00:40 UTC (+0:00:40) automated check latency-p95: "
        f"P95 2886 ms > 500 ms [#{_seq(BLIPS, 40)}]",
        "- Isolated blip (not detection): 2025-03-14 03:03:20 UTC (+0:03:20) automated check health: "
        f"health: HTTP 500 [#{_seq(BLIPS, 200)}]",
    ]
    response = section(md, "Response")
    assert (
        "- Rollback initiated: none: no rollback step was ticked, confirmed or run; Emergency Rollback "
        f"opened (via home) at 2025-03-14 03:01:30 UTC (+0:01:30) [#{_seq(BLIPS, 90)}]\n"
    ) in response
    assert "- Rollback completed: none (no rollback)" in response and "Systems stable" not in response
    assert "- Duration: TODO: no incident was detected in the events" in section(md, "Impact")
    assert "ongoing" not in md and "Detected by" not in md
    summary = data["summary"]
    assert summary["detection"] is None and summary["rollback_started"] is None
    assert [b["seq"] for b in summary["blips"]] == [_seq(BLIPS, 40), _seq(BLIPS, 200)]
    assert data["header"]["status"] == "SUCCESS"


# ---------------------------------------------------------------------------- 2. spike -> rollback
RUN = "run-1"
SPIKE: list[tuple[float, Event]] = [
    (0, SessionStarted(tool_version="test", environment="production")),
    (10, check("error_rate", "pass", 0.1, "%", "error rate 0.1%", [])),
    (11, check("version", "pass", "v1.3.0", "", "version v1.3.0", [], kind="version")),
    (60, check("error_rate", "fail", 8.2, "%", "error rate 8.2% > 5%", [])),
    (75, check("error_rate", "fail", 9.1, "%", "error rate 9.1% > 5%", [])),
    (
        90,
        CriterionFired(
            criterion_id="error-rate",
            metric="error_rate",
            threshold="> 5%",
            action="Rollback",
            evidence="9.1%",
        ),
    ),
    (95, WizardRecommended(runbook_id=ER, text="Use EMERGENCY ROLLBACK runbook")),
    (100, RunbookStarted(runbook_id=ER, title="Emergency Rollback", via="wizard")),
    (110, ItemChecked(runbook_id=ER, item_id=PREREQUISITES[1], text="Engineering lead notified")),
    (130, StepConfirmed(runbook_id=ER, step_id=f"{ER}/step-2-docker-rollback", title="Docker Rollback")),
    (
        135,
        CommandStarted(
            run_id=RUN,
            runbook_id=ER,
            block_id=f"{ER}/step-2-docker-rollback/code-1",
            command="docker-compose down\ndocker-compose up -d",
            target="prod-1",
            hosts=["prod-1"],
            safety="changes",
            confirmation="confirmed",
            via="ui",
        ),
    ),
    (136, CommandOutput(run_id=RUN, host="prod-1", text="Stopping app ... done\nStarting app ... done\n")),
    (140, CommandFinished(run_id=RUN, host="prod-1", exit_code=0, duration_s=5.0)),
    (200, check("version", "pass", "v1.2.0", "", "version v1.2.0", [ITEM_VERSION], kind="version")),
    (210, check("error_rate", "pass", 0.3, "%", "error rate 0.3%", [])),
    (230, CriterionCleared(criterion_id="error-rate", evidence="0.3% for 2 min")),
    (300, SessionEnded(reason="quit")),
]


def test_spike_rollback_recovered_cites_every_moment(sessions_dir: Path) -> None:
    md, data = _draft(sessions_dir, SPIKE)
    assert section(md, "Detection").splitlines()[1:] == [
        f"- Time: 2025-03-14 03:01:00 UTC (+0:01:00) [#{_seq(SPIKE, 60)}]",
        "- Detected by: automated check error_rate",
        "- Initial symptom: error rate 8.2% > 5%",
    ]
    assert section(md, "Response").splitlines()[1:] == [
        "- Rollback initiated: 2025-03-14 03:02:10 UTC (+0:02:10) - step confirmed: Docker Rollback "
        f"[#{_seq(SPIKE, 130)}]",
        "- Rollback completed: 2025-03-14 03:03:20 UTC (+0:03:20) - Version confirmed rolled back "
        f"(check version passed) [#{_seq(SPIKE, 200)}]",
        "- Step confirmed: 2025-03-14 03:02:10 UTC (+0:02:10) - step confirmed: Docker Rollback "
        f"[#{_seq(SPIKE, 130)}]",
        "- Systems stable: 2025-03-14 03:03:50 UTC (+0:03:50) - criteria cleared, no check or figure "
        f"failing (2 checks passing), no criterion active [#{_seq(SPIKE, 230)}]",
    ]
    assert (
        f"- Duration: 2.8 minutes (detection [#{_seq(SPIKE, 60)}] to stable [#{_seq(SPIKE, 230)}])"
        in section(md, "Impact")
    )
    commands = section(md, "Commands run")
    user = data["header"]["user"] or "the engineer"
    assert (
        f"- 2025-03-14 03:02:15 UTC (+0:02:15) [#{_seq(SPIKE, 135)}] {user} ran "
        "`docker-compose down … (+1 lines)` on prod-1 (changes, confirmed): prod-1: exit 0 after 5.0s"
    ) in commands
    assert "    | Starting app ... done" in commands
    run = data["commands"][0]
    assert run["results"][0]["exit_code"] == 0 and run["target"] == "prod-1" and run["safety"] == "changes"
    assert data["header"]["status"] == "ROLLED BACK" and "TODO: the incident was not resolved" not in md
    kinds = {m.kind for m in Timeline.open(Path(data["header"]["file"])).markers}
    assert {"step_confirmed", "command_started", "command_finished", "criterion_fired"} <= kinds


# ---------------------------------------------------------------------------- 3. outage, unresolved
OUTAGE: list[tuple[float, Event]] = [
    (0, SessionStarted(tool_version="test", environment="production")),
    (10, check("health", "pass", 200, "", "health 200 OK", [])),
    (60, check("health", "error", None, "", "health: 503 Service Unavailable", [])),
    (75, check("health", "error", None, "", "health: 503 Service Unavailable", [])),
    (80, check("db-ping", "pass", 1, "", "db ping ok", [])),
    (90, check("health", "error", None, "", "health: connection refused", [])),
    (100, WizardRecommended(runbook_id="disaster-recovery", text="Use DISASTER RECOVERY runbook")),
    (110, RunbookStarted(runbook_id="disaster-recovery", title="Disaster Recovery", via="wizard")),
    (150, check("health", "error", None, "", "health: connection refused", [])),
    (300, SessionEnded(reason="quit")),
]


def test_outage_unresolved_says_so_without_calling_an_ended_session_ongoing(sessions_dir: Path) -> None:
    md, data = _draft(sessions_dir, OUTAGE)
    assert f"- Time: 2025-03-14 03:01:00 UTC (+0:01:00) [#{_seq(OUTAGE, 60)}]" in md
    assert "- Detected by: automated check health" in md
    response = section(md, "Response")
    assert "- Rollback initiated: none: no rollback step was ticked, confirmed or run\n" in response
    assert "- Systems stable: TODO: not reached in this record" in response
    assert (
        "- Duration: at least 4.0 minutes: unresolved when the session ended at 2025-03-14 03:05:00 UTC "
        f"(+0:05:00) [#{_seq(OUTAGE, 300)}]"
    ) in section(md, "Impact")
    assert "ongoing" not in md
    assert "- TODO: the incident was not resolved in this record; say when and how it was" in md
    summary = data["summary"]
    assert summary["ongoing"] is False and summary["stable"] is None and summary["duration_s"] == 240.0
    assert data["header"]["status"] == "FAILED"


def test_items_written_ticked_are_done_from_the_start_and_the_draft_says_why(sessions_dir: Path) -> None:
    item = f"{ER}/verification-checklist/version-confirmed-rolled-back"
    script: list[tuple[float, Event]] = [
        (0, SessionStarted(tool_version="test")),
        (5, RunbookStarted(runbook_id=ER, title="Emergency Rollback", via="home", preticked=[item])),
        (10, SessionEnded(reason="quit")),
    ]
    md, data = _draft(sessions_dir, script)
    assert "▶ Started runbook Emergency Rollback (via home); 1 item(s) start ticked (written - [x])" in md
    assert "- ✓ version confirmed rolled back - ticked in the document (written - [x])" in md
    assert data["summary"]["rollback_started"] is None  # the document's tick is not an act
    [report] = [r for r in data["checklists"] if r["id"] == ER]
    assert report["groups"][0]["items"][0]["source"] == "document"


def test_a_resumed_session_that_did_not_end_again_is_ongoing(sessions_dir: Path) -> None:
    from omniops_tui.core.events import SessionResumed

    script: list[tuple[float, Event]] = [
        *OUTAGE,
        (400, SessionResumed(tool_version="test")),
        (420, check("health", "error", None, "", "health: connection refused", [])),
    ]
    md, data = _draft(sessions_dir, script)
    assert data["summary"]["ongoing"] is True and data["summary"]["ended"] is None
    assert f"still ongoing at the last event recorded [#{len(script)}]" in md
