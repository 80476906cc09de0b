"""The classifier against every block of the document, and the forms it must tell apart."""

from __future__ import annotations

import pytest

from omniops_tui.runbooks.model import RunbookSet
from omniops_tui.runbooks.safety import classify, classify_block
from tests.runner.conftest import all_blocks

# Every command block of the bundled document: (class, "" | "text" | "interactive").
# Read-only means nothing outside the terminal changes; an unknown command counts as a change.
EXPECTED: dict[str, tuple[str, str]] = {
    "standard-release/before-you-start/team-readiness/code-1": ("read-only", "text"),
    "standard-release/before-you-start/environment-check/code-1": ("read-only", ""),
    "standard-release/before-you-start/backup-creation/code-1": ("changes", ""),
    "standard-release/step-1-final-verification/code-1": ("changes", ""),
    "standard-release/step-2-build-and-test-locally/code-1": ("destructive", ""),
    "standard-release/step-3-status-communication/code-1": ("changes", ""),
    "standard-release/step-4-run-database-migrations/code-1": ("changes", ""),
    "standard-release/step-5-create-performance-indexes/code-1": ("changes", ""),
    "standard-release/step-6a-vercel-deployment/code-1": ("changes", ""),
    "standard-release/step-6b-docker-deployment/code-1": ("changes", ""),
    "standard-release/step-6c-self-hosted-deployment/code-1": ("changes", ""),
    "standard-release/step-7-comprehensive-health-checks/code-1": ("changes", ""),
    "standard-release/step-8-performance-verification/code-1": ("read-only", ""),
    "standard-release/step-9-functional-verification/code-1": ("changes", ""),
    "standard-release/step-10-enable-monitoring/code-1": ("changes", "interactive"),
    "standard-release/step-11-document-deployment/code-1": ("changes", ""),
    "standard-release/step-12-team-communication/code-1": ("changes", ""),
    "standard-release/rollback-procedure/if-issues-detected-within-1-hour/code-1": ("destructive", ""),
    "standard-release/troubleshooting/health-check-failing/code-1": ("read-only", "text"),
    "standard-release/troubleshooting/health-check-failing/code-2": ("changes", "interactive"),
    "standard-release/troubleshooting/high-error-rate/code-1": ("read-only", "text"),
    "standard-release/troubleshooting/high-error-rate/code-2": ("changes", ""),
    "standard-release/troubleshooting/slow-response-times/code-1": ("read-only", "text"),
    "standard-release/troubleshooting/slow-response-times/code-2": ("destructive", ""),
    "hotfix/before-you-start/severity-assessment/code-1": ("read-only", "text"),
    "hotfix/before-you-start/fast-track-approval/code-1": ("changes", ""),
    "hotfix/step-1-create-hotfix-branch/code-1": ("changes", "interactive"),
    "hotfix/step-2-fast-track-review/code-1": ("changes", ""),
    "hotfix/step-3-deploy-to-production/code-1": ("changes", ""),
    "hotfix/step-4-immediate-verification/code-1": ("changes", ""),
    "hotfix/step-5-monitor-impact/code-1": ("read-only", ""),
    "hotfix/step-6-communicate-resolution/code-1": ("changes", ""),
    "hotfix/rollback-procedure/if-hotfix-introduces-new-issues/code-1": ("destructive", ""),
    "hotfix/troubleshooting/hotfix-doesn-t-resolve-problem/code-1": ("changes", ""),
    "database-migration/before-you-start/database-state-assessment/code-1": ("read-only", ""),
    "database-migration/before-you-start/communication-template/code-1": ("read-only", "text"),
    "database-migration/step-1-final-backup/code-1": ("changes", ""),
    "database-migration/step-2-enable-maintenance-mode-if-downtime/code-1": ("changes", ""),
    "database-migration/step-3-drain-active-connections/code-1": ("destructive", ""),
    "database-migration/step-4-run-migration-with-timing/code-1": ("changes", ""),
    "database-migration/step-5-verify-migration-success/code-1": ("destructive", ""),
    "database-migration/step-6-update-application-schema-types/code-1": ("changes", ""),
    "database-migration/step-7-deploy-updated-application-code/code-1": ("changes", ""),
    "database-migration/step-8-data-integrity-checks/code-1": ("read-only", ""),
    "database-migration/step-9-performance-validation/code-1": ("read-only", ""),
    "database-migration/step-10-re-enable-normal-operations/code-1": ("destructive", ""),
    "database-migration/rollback-procedure/if-migration-fails-or-causes-issues/code-1": (
        "destructive",
        "interactive",
    ),
    "database-migration/troubleshooting/migration-timeout/code-1": ("read-only", "text"),
    "database-migration/troubleshooting/migration-timeout/code-2": ("changes", ""),
    "database-migration/troubleshooting/lock-contention/code-1": ("read-only", "text"),
    "database-migration/troubleshooting/lock-contention/code-2": ("changes", ""),
    "database-migration/troubleshooting/disk-space-exhaustion/code-1": ("read-only", "text"),
    "database-migration/troubleshooting/disk-space-exhaustion/code-2": ("destructive", ""),
    "emergency-rollback/before-you-start/incident-declaration/code-1": ("changes", ""),
    "emergency-rollback/before-you-start/identify-current-and-previous-versions/code-1": ("read-only", ""),
    "emergency-rollback/step-1-vercel-rollback/code-1": ("destructive", ""),
    "emergency-rollback/step-2-docker-rollback/code-1": ("destructive", ""),
    "emergency-rollback/step-3-self-hosted-rollback/code-1": ("destructive", ""),
    "emergency-rollback/step-4-quick-smoke-tests/code-1": ("changes", ""),
    "emergency-rollback/step-5-monitor-recovery/code-1": ("changes", "interactive"),
    "emergency-rollback/step-6-database-rollback-decision/code-1": ("destructive", "interactive"),
    "emergency-rollback/step-7-communication-while-rollback-completes/code-1": ("changes", ""),
    "emergency-rollback/step-8-gather-diagnostics/code-1": ("changes", ""),
    "emergency-rollback/step-9-root-cause-investigation/code-1": ("read-only", ""),
    "emergency-rollback/step-10-develop-fix/code-1": ("changes", ""),
    "emergency-rollback/troubleshooting/rollback-completes-but-errors-persist/code-1": ("read-only", ""),
    "emergency-rollback/troubleshooting/previous-version-also-has-errors/code-1": ("changes", ""),
    "first-time-deploy/before-you-start/team-assembly/code-1": ("read-only", "text"),
    "first-time-deploy/before-you-start/infrastructure-checklist/code-1": ("changes", ""),
    "first-time-deploy/step-1-database-initialization/code-1": ("changes", ""),
    "first-time-deploy/step-2-enable-database-extensions/code-1": ("changes", ""),
    "first-time-deploy/step-3-run-database-migrations/code-1": ("changes", ""),
    "first-time-deploy/step-4-create-performance-indexes/code-1": ("changes", ""),
    "first-time-deploy/step-5-setup-redis/code-1": ("changes", ""),
    "first-time-deploy/step-6-configure-cdn-optional-but-recommended/code-1": ("changes", ""),
    "first-time-deploy/step-7a-vercel-deployment/code-1": ("changes", "interactive"),
    "first-time-deploy/step-7b-docker-deployment/code-1": ("changes", ""),
    "first-time-deploy/step-7c-self-hosted-deployment/code-1": ("changes", ""),
    "first-time-deploy/step-8-configure-reverse-proxy-nginx/code-1": ("changes", ""),
    "first-time-deploy/step-9-seed-initial-data-if-needed/code-1": ("changes", ""),
    "first-time-deploy/step-10-initial-scrape-optional/code-1": ("changes", ""),
    "first-time-deploy/step-11-configure-error-tracking-sentry/code-1": ("changes", "interactive"),
    "first-time-deploy/step-12-configure-uptime-monitoring/code-1": ("changes", ""),
    "first-time-deploy/step-13-configure-alerts/code-1": ("changes", ""),
    "first-time-deploy/step-14-full-smoke-test-suite/code-1": ("changes", ""),
    "first-time-deploy/step-15-load-testing/code-1": ("changes", ""),
    "first-time-deploy/rollback-procedure/for-first-time-deploy-rollback-means/code-1": ("destructive", ""),
    "first-time-deploy/troubleshooting/ssl-certificate-not-valid/code-1": ("changes", ""),
    "first-time-deploy/troubleshooting/database-connection-errors/code-1": ("read-only", ""),
    "first-time-deploy/troubleshooting/high-response-times/code-1": ("read-only", ""),
    "scaling-up/quick-commands-for-scaling/code-1": ("changes", ""),
    "scaling-up/verification-after-scaling/code-1": ("read-only", ""),
    "disaster-recovery/immediate-actions-first-5-minutes/code-1": ("changes", ""),
    "disaster-recovery/step-1-assess-damage/code-1": ("read-only", ""),
    "disaster-recovery/step-2-database-recovery/code-1": ("destructive", ""),
    "disaster-recovery/step-3-application-recovery/code-1": ("changes", ""),
    "disaster-recovery/step-4-verification/code-1": ("changes", ""),
    "disaster-recovery/step-5-re-enable-service/code-1": ("destructive", ""),
    "disaster-recovery/data-loss-assessment/code-1": ("read-only", ""),
    "disaster-recovery/post-recovery-communication/code-1": ("changes", ""),
    "appendix/emergency-contacts-template/code-1": ("read-only", "text"),
    "appendix/common-commands-cheat-sheet/code-1": ("destructive", "interactive"),
    "appendix/runbook-decision-tree/code-1": ("read-only", "text"),
}


def test_every_block_of_the_document(runbook_set: RunbookSet) -> None:
    blocks = all_blocks(runbook_set)
    assert {b.id for b in blocks} == set(EXPECTED)
    for block in blocks:
        c = classify_block(block)
        kind = "text" if c.not_a_command else ("interactive" if c.interactive else "")
        assert (c.safety, kind) == EXPECTED[block.id], (block.id, c.reason, c.refusal)
        if block.destructive:  # whatever the parser frames in red stays red
            assert c.destructive, block.id


@pytest.mark.parametrize(
    ("code", "safety"),
    [
        ("curl -f https://x/api/health | jq .", "read-only"),
        ("curl -X POST https://x/api/chat -d '{}'", "changes"),
        ("curl -o backup.sql https://x/dump", "changes"),
        ("kubectl get pods -n prod", "read-only"),
        ("kubectl delete pod web-1", "destructive"),
        ("ps aux | grep node; df -h; tail -n 100 /var/log/x.log", "read-only"),
        ("psql $DATABASE_URL -c 'SELECT count(*) FROM messages'", "read-only"),
        ("psql $DATABASE_URL -c 'UPDATE messages SET x = 1'", "changes"),
        ("psql $DATABASE_URL -c 'TRUNCATE messages'", "destructive"),
        ("psql $DATABASE_URL << 'EOF'\nSELECT 1;\nDROP TABLE messages;\nEOF", "destructive"),
        ("ssh prod 'docker-compose down'", "destructive"),
        ("ssh prod << 'R'\npm2 status\nR", "read-only"),
        ("ssh prod << 'R'\npm2 restart all\nR", "changes"),
        ("git push --force origin main", "destructive"),
        ("certbot --nginx -d x --force-renewal", "changes"),
        ("redis-cli -h cache FLUSHALL", "destructive"),
        ("redis-cli -h cache INFO stats", "read-only"),
        ("aws s3 ls s3://bucket/", "read-only"),
        ("aws s3 rm s3://bucket/key", "destructive"),
        ("pg_restore --list backup.dump | head", "read-only"),
        ("pg_restore --clean --dbname=$URL backup.dump", "destructive"),
        ("echo ok > status.txt", "changes"),
        ("frobnicate --all", "changes"),
        ("watch -n 5 'curl -s https://x/api/health'", "read-only"),
        ("sudo systemctl stop nginx", "destructive"),
        ("systemctl status omniops", "read-only"),
    ],
)
def test_forms(code: str, safety: str) -> None:
    assert classify(code).safety == safety, classify(code).reason


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("psql $DATABASE_URL", "psql without -c"),
        ("ssh production", "ssh without a command"),
        ("vim config.js", "editor"),
        ("less /var/log/x.log", "pager"),
        ("top", "top without -b"),
        ('read -p "Continue? " X', "typed answer"),
        ("redis-cli -h cache", "Redis shell"),
    ],
)
def test_interactive_commands_are_refused_with_a_reason(code: str, why: str) -> None:
    refusal = classify(code).refusal
    assert refusal.startswith("interactive: ") and why in refusal and refusal.endswith("copy it instead")


def test_non_interactive_forms_are_not_refused() -> None:
    for code in (
        "top -bn1 | head",
        "psql $URL -c 'SELECT 1'",
        "psql $URL < m.sql",
        "ssh prod uptime",
        "tail -f x",
    ):
        assert classify(code).refusal == "", code
    assert classify("tail -f /var/log/x").long_running and classify("watch -n 5 date").long_running
    assert classify("Error rate: 5.2%", language="").not_a_command
