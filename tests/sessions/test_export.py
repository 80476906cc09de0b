"""Every export format against the recorded incident: the content, not just that a file appeared."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from omniops_tui.cli import cli, main
from omniops_tui.core.events import (
    CheckResultEvent,
    CriterionFired,
    ItemChecked,
    NoteAdded,
    RunbookStarted,
    StepConfirmed,
)
from omniops_tui.runbooks.model import RunbookSet
from omniops_tui.sessions.export import export_session
from omniops_tui.sessions.reader import read_session
from tests.sessions.conftest import (
    ER,
    ITEM_RESPONDING,
    ITEM_VERSION,
    Recorded,
    check,
    incident_script,
    record_script,
)


def section(text: str, title: str) -> str:
    """The body of one `## title` section of the markdown."""
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else None]


def test_markdown_post_mortem_tells_the_story(incident: Recorded, runbook_set: RunbookSet) -> None:
    md = export_session(incident.path, "md", runbooks=runbook_set)
    header = read_session(incident.path).header
    assert md.startswith(f"# Incident Timeline - session {header.session_id}\n")
    assert "40 events, 2025-03-14 03:00:00 UTC to 2025-03-14 03:26:40 UTC (26m 40s)" in md
    assert [line for line in md.splitlines() if line.startswith("## ")] == [
        "## Detection",
        "## Response",
        "## Impact",
        "## Root Cause",
        "## TODO for the engineer",
        "## Commands run",
        "## Full timeline",
        "## Runbooks followed",
        "## Notes",
        "## Failing checks",
        "## Wizard",
        "## Diagnostics gathered",
    ]
    assert section(md, "Detection").splitlines()[1:] == [
        "- Time: 2025-03-14 03:01:00 UTC (+0:01:00) [#8]",
        "- Detected by: automated check error_rate",
        "- Initial symptom: error rate 8.2% > 5%",
    ]
    response = section(md, "Response")
    # opening the runbook is not a rollback: its first step confirmed is
    assert (
        "- Rollback initiated: 2025-03-14 03:03:10 UTC (+0:03:10) - step confirmed: Vercel Rollback [#26]"
    ) in response
    assert (
        "- Rollback completed: 2025-03-14 03:23:20 UTC (+0:23:20) - Version confirmed rolled back "
        "(check version passed) [#28]" in response
    )
    # the criterion cleared at 03:23:50, but the error-rate figure failed until 03:24:23
    stable = "- Systems stable: 2025-03-14 03:24:23 UTC (+0:24:23) - no check or figure failing"
    assert stable in response
    impact = section(md, "Impact")
    assert "- Duration: 23.4 minutes (detection [#8] to stable [#37])\n" in impact  # 03:01:00 -> 03:24:23
    assert "- Error rate peak: 9.7%" in impact
    assert "Hypothesis (from notes): Root cause hypothesis: connection pool exhaustion in v1.3.0" in md

    timeline = section(md, "Full timeline")
    assert "- 03:01:00 (+0:01:00) ✗ error_rate: error rate 8.2% > 5%" in timeline
    assert (
        "- 03:02:00 (+0:02:00) 🚨 Rollback criterion: error_rate > 5% for 10+ minutes → Rollback" in timeline
    )
    assert "- 03:23:20 (+0:23:20) ✓ version: version v1.2.0 (expected v1.2.0) (pass)" in timeline
    assert "- 03:03:20 (+0:03:20) ✎ Rolling back to v1.2.0 with vercel rollback" in timeline
    # two log batches in a row are one summarised line, the first error quoted, not a dump
    assert (
        "- 03:01:05 (+0:01:05) logs: 3 line(s) from app-1, 2 error(s); first: 2025-03-14T03:01:05Z "
        "ERROR pool exhausted: timeout acquiring connection"
    ) in timeline
    assert "GET /api/chat 500" not in md
    assert "Screen" not in timeline and "home" not in timeline  # navigation is not history
    assert timeline.count("error_rate:") == 3  # status changes only: pass, fail, pass

    runbooks = section(md, "Runbooks followed")
    assert "### Emergency Rollback - 9/28" in runbooks
    assert "**Immediate Assessment (T-0, 2 minutes)** - 5/5" in runbooks
    assert "**Verification Checklist** - 4/8" in runbooks
    assert "- ✓ Engineering lead notified - ticked by hand (" in runbooks
    assert (
        "- ✓ Version confirmed rolled back - check version pass: version v1.2.0 (expected v1.2.0)" in runbooks
    )
    assert ("- ✓ Response times acceptable (< 500ms P95) - override: ticked by hand (") in runbooks
    assert "against check p95 warn: P95 620 ms > 500 ms; reason: dashboard shows 380 ms" in runbooks
    assert (
        "- ✓ Application responding to requests - check health pass: health 200 OK "
        "[flagged: health: 503 Service Unavailable]" in runbooks
    )
    assert "- ✗ Critical user flows working - not done" in runbooks

    notes = section(md, "Notes")
    assert "- 2025-03-14 03:03:20 UTC (+0:03:20): Rolling back to v1.2.0 with vercel rollback" in notes
    assert "- 2025-03-14 03:25:10 UTC (+0:25:10): Root cause hypothesis" in notes

    checks = section(md, "Failing checks")
    assert "### error_rate (http) - fail" in checks and "### health (http) - error" in checks
    assert (
        "First failed: 2025-03-14 03:01:00 UTC (+0:01:00); 1 failing result(s); last status: pass" in checks
    )
    assert '"errorRate": 8.2' in checks and '"body": "upstream timeout"' in checks

    wizard = section(md, "Wizard")
    assert (
        "1. Is production down or severely degraded? -> **yes** (confirmed, probe suggested yes; "
        "evidence: error rate 8.2%)"
    ) in wizard
    assert "2. Complete outage? -> **no**" in wizard
    assert "**Use EMERGENCY ROLLBACK runbook** (`emergency-rollback`)" in wizard
    assert "`incident-diagnostics/20250314_032500` - docker-logs.txt, timeline.md" in md
    assert "  - problem: db: unreachable" in md


def test_json_export_is_structured_for_tools(incident: Recorded, runbook_set: RunbookSet) -> None:
    data = json.loads(export_session(incident.path, "json", runbooks=runbook_set))
    assert data["format"] == "omniops-tui-postmortem" and data["version"] == 1
    assert set(data) == {
        "format",
        "version",
        "header",
        "summary",
        "timeline",
        "checklists",
        "notes",
        "checks",
        "wizard",
        "metrics",
        "diagnostics",
        "notices",
        "commands",
        "refused",
    }
    header = data["header"]
    assert header["events"] == 40 and header["duration_s"] == 1600.0 and header["status"] == "ROLLED BACK"
    assert header["environment"] == "production" and header["version"] == "v1.2.0"
    summary = data["summary"]
    assert summary["detection"]["t"] == 60.0 and summary["detection"]["by"] == "automated check error_rate"
    assert summary["rollback_started"]["at"] == "2025-03-14T03:03:10.000Z"
    assert summary["rollback_started"]["seq"] == 26 and summary["rollback_opened"]["seq"] == 20
    assert summary["rollback_completed"]["t"] == 1400.0
    assert summary["stable"]["t"] == 1463.0 and summary["relapse"] is None
    assert summary["duration_s"] == 1403.0 and summary["error_rate_peak"] == 9.7
    kinds = [entry["kind"] for entry in data["timeline"]]
    assert kinds.count("log_lines") == 2 and "screen_opened" not in kinds
    checklist = data["checklists"][0]
    assert (checklist["id"], checklist["done"], checklist["total"]) == (ER, 9, 28)
    items = {item["id"]: item for group in checklist["groups"] for item in group["items"]}
    assert items[ITEM_VERSION]["source"] == "check" and items[ITEM_VERSION]["done"]
    assert items[ITEM_RESPONDING]["flagged"]
    assert data["notes"][0]["text"] == "Rolling back to v1.2.0 with vercel rollback"
    assert [(c["check_id"], c["failures"], c["evidence"].get("status_code")) for c in data["checks"]] == [
        ("error_rate", 1, 200),
        ("health", 1, 503),
    ]
    assert [a["answer"] for a in data["wizard"]["answers"]] == [True, False]
    assert data["wizard"]["recommendation"]["runbook_id"] == ER
    assert data["metrics"]["p95"]["value"] == 420.0 and data["metrics"]["cpu"]["value"] == 35.0


def test_deploy_log_entry_has_the_documents_shape(incident: Recorded, runbook_set: RunbookSet) -> None:
    text = export_session(incident.path, "deploy-log", runbooks=runbook_set)
    user = read_session(incident.path).header.user
    assert (
        text
        == "\n".join(
            [
                "=================================",
                "Deployment: v1.2.0",
                "Date: 2025-03-14 03:00:00 UTC",
                "Commit: [FILL IN]",
                f"Deployer: {user}",
                "Duration: 26m 40s",
                "Status: ROLLED BACK",
                "",
                "Changes:",
                "- [FILL IN]",
                "",
                "Metrics:",
                "- Response time P95: 420ms",
                "- Error rate: 0.03%",
                "- Memory usage: 2.8GB",
                "- CPU usage: 35%",
                "",
                "Backup Location: [FILL IN]",
                "=================================",
            ]
        )
        + "\n"
    )


def test_a_clean_release_logs_success_with_its_changes_and_backup(sessions_dir: Path) -> None:
    script = [
        (0.0, RunbookStarted(runbook_id="standard-release", title="Standard Release Deployment")),
        (
            5.0,
            check(
                "backup",
                "pass",
                2.0,
                "h",
                "backup 2 h old",
                [],
                kind="s3",
                evidence={"key": "s3://omniops-backups/production/backup_20250314.sql.gz"},
            ),
        ),
        (9.0, NoteAdded(text="change: Feature X implemented")),
        (9.5, NoteAdded(text="Change: Bug Y fixed")),
        (3600.0, check("version", "pass", "v1.3.0", "", "version v1.3.0", [], kind="version")),
        (3601.0, check("p95", "pass", 380.0, "ms", "P95 380 ms", [])),
        (3602.0, check("error_rate", "pass", 0.02, "%", "0.02%", [])),
    ]
    recorded = record_script(sessions_dir, script)
    text = export_session(recorded.path, "deploy-log")
    assert "Deployment: v1.3.0\n" in text and "Status: SUCCESS\n" in text and "Duration: 1h 00m\n" in text
    assert "Changes:\n- Feature X implemented\n- Bug Y fixed\n" in text
    assert "- Response time P95: 380ms\n- Error rate: 0.02%\n- Memory usage: [FILL IN]\n" in text
    assert "Backup Location: s3://omniops-backups/production/backup_20250314.sql.gz\n" in text
    md = export_session(recorded.path, "md")
    assert "- TODO: no failure persisted and no rollback criterion fired; say how it was detected" in md
    assert "- Rollback initiated: none: no rollback step was ticked, confirmed or run\n" in md
    assert "- Duration: TODO: no incident was detected in the events" in md
    assert "_No check failed._" in md and "_The decision wizard was not used._" in md


def test_completion_falls_back_to_application_responding_and_relapses_are_named(sessions_dir: Path) -> None:
    script = [
        (0.0, check("health", "pass", 200, "", "ok", [ITEM_RESPONDING])),
        (
            10.0,
            CriterionFired(
                criterion_id="db", metric="db_connections", threshold="errors", evidence="refused"
            ),
        ),
        (20.0, ItemChecked(runbook_id=ER, item_id=f"{ER}/prerequisites-checklist/x/lead-notified")),
        (25.0, StepConfirmed(runbook_id=ER, step_id=f"{ER}/step-2-docker-rollback", title="Docker Rollback")),
        (30.0, check("health", "fail", 503, "", "503", [ITEM_RESPONDING])),
        (
            40.0,
            ItemChecked(runbook_id=ER, item_id=ITEM_RESPONDING, text="Application responding to requests"),
        ),
        (50.0, check("health", "pass", 200, "", "ok", [ITEM_RESPONDING])),
        (55.0, CheckResultEvent(check_id="db", status="pass")),
        (60.0, check("db", "pass", 1, "", "ok", [])),
        (70.0, check("health", "error", None, "", "timeout", [ITEM_RESPONDING])),
    ]
    recorded = record_script(sessions_dir, script)
    data = json.loads(export_session(recorded.path, "json"))["summary"]
    assert data["detection"]["by"] == "rollback criterion db" and data["detection"]["t"] == 10.0
    # a prerequisite ticked is not a rollback; the first rollback step confirmed is
    assert data["rollback_started"]["t"] == 25.0
    assert data["rollback_started"]["text"] == "step confirmed: Docker Rollback"
    assert data["rollback_completed"]["t"] == 40.0  # no version item: application responding, by hand
    assert data["rollback_completed"]["text"] == "Application responding to requests (ticked by hand)"
    assert data["stable"] is None  # the db criterion never cleared
    assert data["ongoing"] and data["duration_s"] == 60.0  # no session_ended: the record just stops


def test_stability_after_detection_when_there_was_no_rollback(sessions_dir: Path) -> None:
    script = [
        (0.0, check("p95", "fail", 900.0, "ms", "slow", [])),
        (15.0, check("p95", "fail", 910.0, "ms", "still slow", [])),
        (30.0, check("p95", "pass", 300.0, "ms", "ok", [])),
        (90.0, check("p95", "fail", 950.0, "ms", "slow again", [])),
        (105.0, check("p95", "fail", 960.0, "ms", "slow again", [])),
    ]
    data = json.loads(export_session(record_script(sessions_dir, script).path, "json"))["summary"]
    assert data["detection"]["t"] == 0.0 and data["stable"]["t"] == 30.0
    assert data["relapse"]["t"] == 90.0 and data["relapse"]["text"] == "slow again"
    assert data["rollback_started"] is None and data["duration_s"] == 30.0


def test_cli_export_to_stdout_and_to_a_file(
    incident: Recorded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["sessions", "export", str(incident.path), "--format", "deploy-log"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("=================================\nDeployment: v1.2.0\n")
    out = tmp_path / "exports" / "postmortem.md"
    result = runner.invoke(cli, ["sessions", "export", str(incident.path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("# Incident Timeline - session ")
    by_name = runner.invoke(
        cli,
        [
            "--sessions-dir",
            str(incident.path.parent),
            "sessions",
            "export",
            incident.path.name,
            "--format",
            "json",
        ],
    )
    assert by_name.exit_code == 0 and json.loads(by_name.output)["header"]["events"] == 40
    bad = runner.invoke(cli, ["sessions", "export", str(incident.path), "--format", "pdf"])
    assert bad.exit_code == 2
    with pytest.raises(SystemExit) as exited:
        main(["sessions", "export", str(tmp_path / "nope.jsonl")])
    assert exited.value.code == 2
    assert capsys.readouterr().err == f"omniops-tui: error: {tmp_path / 'nope.jsonl'}: no such session file\n"


@pytest.mark.parametrize("fmt", ["md", "json", "deploy-log"])
def test_exports_of_a_truncated_session_still_work(sessions_dir: Path, fmt: str) -> None:
    recorded = record_script(sessions_dir, incident_script())
    with open(recorded.path, "ab") as handle:
        handle.write(b'{"seq":40,"t":1601.0,"type":"note_ad')
    text = export_session(recorded.path, fmt)
    assert "Rolling back to v1.2.0" in text or fmt == "deploy-log"
    if fmt == "md":
        assert "last line is incomplete" in section(text, "Reading notices")


def test_figures_from_prometheus_say_so_in_the_post_mortem(sessions_dir: Path) -> None:
    """A figure read from Prometheus is named as such; one the tool probed itself is not."""
    from omniops_tui.core.events import MetricSample

    script = [
        (0.0, RunbookStarted(runbook_id="standard-release", title="Standard Release Deployment")),
        (5.0, MetricSample(metric="error_rate", value=8.2, unit="%", status="fail", source="prometheus")),
        (6.0, MetricSample(metric="p95_ms", value=380.0, unit="ms", status="pass")),
    ]
    recorded = record_script(sessions_dir, script)
    text = export_session(recorded.path, "deploy-log")
    assert "- Response time P95: 380ms\n- Error rate: 8.2% (from Prometheus)\n" in text
    md = export_session(recorded.path, "md")
    assert "metric error_rate: 8.2% (fail) from Prometheus [#2]" in md
    assert "metric p95_ms: 380ms (pass) [#3]\n" in md  # cited, and not said to come from Prometheus
