"""bindings.toml: every bound item exists, enough are bound, and mistakes name file:line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from omniops_tui.core.errors import UserError
from omniops_tui.probes.base import Threshold
from omniops_tui.probes.bindings import BINDINGS_FILE, bundled_bindings, load_bindings, parse_bindings
from omniops_tui.probes.registry import KINDS, threshold_of
from omniops_tui.runbooks.loader import BUNDLED_DIR
from omniops_tui.runbooks.model import RunbookSet

BUNDLED = BUNDLED_DIR / BINDINGS_FILE


def test_every_bound_item_exists_and_at_least_40_are_bound(runbook_set: RunbookSet) -> None:
    bindings = load_bindings(None, runbook_set)
    items = runbook_set.items_by_id()
    bound = bindings.bound_item_ids()
    assert bound <= set(items)
    assert len(bound) >= 40, len(bound)
    assert {i.split("/")[0] for i in bound} >= {
        "standard-release",
        "hotfix",
        "database-migration",
        "emergency-rollback",
        "first-time-deploy",
    }
    for check in bindings.checks.values():
        assert check.kind in KINDS
        assert check.item_ids or check.places, check.id


def test_checks_are_shared_and_thresholds_come_from_the_document() -> None:
    checks = bundled_bindings().checks
    health_runbooks = {i.split("/")[0] for i in checks["health"].item_ids}
    assert len(health_runbooks) >= 4  # one health check ticks the health items of several runbooks
    # The numbers come from the one thresholds file (by the kind's default or `judged_by`).
    assert threshold_of(checks["error-rate"]) == Threshold(below=0.1)
    assert threshold_of(checks["error-rate-rollback"]) == Threshold(below=0.5)
    assert threshold_of(checks["latency-p95"]) == Threshold(below=500)
    assert threshold_of(checks["db-query-p95"]) == Threshold(below=100)
    assert threshold_of(checks["redis-hit-rate"]) == Threshold(above=80)
    assert threshold_of(checks["host-cpu"]) == Threshold(below=70)
    assert threshold_of(checks["tls"]) == Threshold(above=0, warn_below=14)
    assert checks["health"].params["expect_status"] == 200
    assert "emergency-rollback/verification-checklist/version-confirmed-rolled-back" in (
        checks["version-rolled-back"].item_ids
    )
    smoke = [c for c in checks.values() if c.id.startswith("smoke-")]
    assert len(smoke) >= 7


def test_manual_items_stay_manual() -> None:
    bound = bundled_bindings().bound_item_ids()
    for text in (
        "stakeholders-notified",
        "code-review-completed",
        "no-data-loss",
        "write-post-mortem",
        "monitor-error-rates-every-15-minutes",
        "status-page-updated",
    ):
        assert not any(text in item for item in bound), text


def test_specs_for_runbook_and_section(runbook_set: RunbookSet) -> None:
    bindings = load_bindings(None, runbook_set)
    verification = bindings.specs_for_runbook("standard-release", "verification-checklist")
    assert all(
        i.startswith("standard-release/verification-checklist/") for s in verification for i in s.item_ids
    )
    assert all(not s.places for s in verification)
    assert {s.id for s in verification} >= {
        "health",
        "error-rate",
        "latency-p95",
        "redis-hit-rate",
        "host-cpu",
        "host-memory",
        "db-query-p95",
        "smoke-chat",
    }
    assert (
        bindings.specs_for_runbook("standard-release", "standard-release/verification-checklist")
        == verification
    )
    # Disaster Recovery has no checklist, but its Assess Damage step gets live answers.
    recovery = {s.id for s in bindings.specs_for_runbook("disaster-recovery")}
    assert {"health", "db-ping", "redis-ping", "host-uptime"} <= recovery
    steps = bindings.specs_for_runbook("disaster-recovery", "recovery-steps")
    assert {s.id for s in steps} >= {"health", "db-ping"}
    assert bindings.specs_for_runbook("scaling-up", "prerequisites-checklist") == []


def _error(text: str, runbook_set: RunbookSet | None = None) -> str:
    with pytest.raises(UserError) as caught:
        parse_bindings(text, Path("b.toml"), runbook_set)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_mistakes_are_one_line_with_file_and_line(runbook_set: RunbookSet) -> None:
    assert _error('version = 1\n[checks.a]\nkind = "htp"\n') == (
        "b.toml:3: checks.a.kind 'htp' is not a check kind (did you mean 'http'?)"
    )
    assert _error('[checks.a]\nkind = "http"\npth = "/x"\n').startswith(
        "b.toml:3: checks.a.pth is not a parameter of kind http (did you mean 'path'?)"
    )
    assert _error('[checks.a]\nkind = "http"\nexpect_status = "200"\n') == (
        "b.toml:3: checks.a.expect_status must be a whole number or a list"
    )
    assert _error('[checks.a]\nkind = "http"\nbelow = 5\n').startswith(
        "b.toml:3: checks.a.below: kind http takes no threshold"
    )
    assert _error('[checks.a]\nkind = "http_json"\n') == (
        "b.toml:1: checks.a needs field (kind http_json: dotted JSON field, e.g. errorRate, database, p95)"
    )
    assert _error('[checks.a]\nkind = "ssh_cpu"\nbelow = "70"\n') == (
        "b.toml:3: checks.a.below must be a number"
    )
    assert _error('[checks.a]\nkind = "redis_hit_rate"\nabove = 90\nbelow = 80\n').startswith(
        "b.toml:3: checks.a: above = 90 and below = 80"
    )
    assert _error('[checks.a]\nkind = "http"\ntimeout = 0\n') == (
        "b.toml:3: checks.a.timeout must be more than 0"
    )
    message = _error(
        '[checks.a]\nkind = "http"\nitems = [\n  "standard-release/verification-checklist/'
        'health-endpoint-returns-200",\n]\n',
        runbook_set,
    )
    assert message.startswith(
        "b.toml:4: checks.a.items: unknown checklist item 'standard-release/"
        "verification-checklist/health-endpoint-returns-200' (did you mean "
        "'standard-release/verification-checklist/health-endpoint-returns-200-ok'?)"
    )
    assert _error('[checks.a]\nkind = "http"\nplaces = ["nope/step-1"]\n', runbook_set).startswith(
        "b.toml:3: checks.a.places: unknown section or step 'nope/step-1'"
    )
    assert _error("[checks.a]\nkind = \n").startswith("b.toml:2: invalid TOML")
    assert _error("colour = 1\n") == "b.toml:1: colour is not a known setting (version, [checks.ID])"
    assert _error("version = 2\n") == "b.toml:1: version 2 is not supported (1)"


def test_bundled_file_lines_are_recorded() -> None:
    lines = BUNDLED.read_text(encoding="utf-8").splitlines()
    for check in bundled_bindings().checks.values():
        assert re.match(rf"\[checks\.{re.escape(check.id)}\]", lines[check.line - 1])


def test_a_runbooks_folder_with_its_own_bindings(tmp_path: Path) -> None:
    folder = tmp_path / "team"
    folder.mkdir()
    (folder / "runbooks.md").write_text(
        "## 1. Deploy\n\n### Verification Checklist\n\n- [ ] Health endpoint returns 200 OK\n"
        "- [ ] Someone approved\n",
        encoding="utf-8",
    )
    # Without its own bindings the bundled ones apply to the ids the team's runbooks share (none).
    assert load_bindings(folder).bound_item_ids() == set()
    (folder / BINDINGS_FILE).write_text(
        '[checks.up]\nkind = "http"\npath = "/healthz"\n'
        'items = ["deploy/verification-checklist/health-endpoint-returns-200-ok"]\n',
        encoding="utf-8",
    )
    bindings = load_bindings(folder)
    assert bindings.path == folder / BINDINGS_FILE
    [check] = bindings.specs_for_runbook("deploy")
    assert check.params["path"] == "/healthz" and check.item_ids == (
        "deploy/verification-checklist/health-endpoint-returns-200-ok",
    )
    (folder / BINDINGS_FILE).write_text('[checks.up]\nkind = "http"\nitems = ["deploy/x/y"]\n')
    with pytest.raises(UserError, match=r"bindings\.toml:3: checks\.up\.items: unknown checklist item"):
        load_bindings(folder)
