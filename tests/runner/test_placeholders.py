"""Placeholders: only the document's tokens change, at token boundaries, with values that fit."""

from __future__ import annotations

from pathlib import Path

import pytest

from omniops_tui.runbooks.model import RunbookSet
from omniops_tui.runbooks.placeholders import (
    Parts,
    load_catalogue,
    substitute,
    substitute_for,
    unresolved_problems,
)
from tests.runner.conftest import PRODUCTION_LIKE, SANDBOX_LIKE, all_blocks, config_of


def _undo(result) -> str:  # type: ignore[no-untyped-def]
    """Put every span's original back into the substituted text."""
    text = result.text
    for span in reversed(result.spans):
        assert text[span.out_start : span.out_end] == (span.value if span.resolved else span.token)
        text = text[: span.out_start] + result.original[span.start : span.end] + text[span.out_end :]
    return text


@pytest.mark.parametrize("config_text", [SANDBOX_LIKE, PRODUCTION_LIKE])
def test_every_block_differs_only_inside_placeholder_spans(runbook_set: RunbookSet, config_text: str) -> None:
    config, environment = config_of(config_text)
    parts = Parts.of(config, environment)
    substituted = 0
    for block in all_blocks(runbook_set):
        result = substitute(block.code, parts)
        assert _undo(result) == block.code, block.id
        for span in result.spans:
            assert result.original[span.start : span.end] == span.token
        substituted += sum(1 for s in result.spans if s.resolved)
    assert substituted > 100  # the document is full of them: the test must see real work


def test_sandbox_values_fit_together(runbook_set: RunbookSet) -> None:
    config, environment = config_of(SANDBOX_LIKE)
    texts = "\n".join(substitute_for(b.code, config, environment).text for b in all_blocks(runbook_set))
    assert "curl -f http://127.0.0.1:40413/api/health" in texts
    assert "telnet 127.0.0.1 40413" in texts
    assert "openssl s_client -connect 127.0.0.1:40413" in texts
    assert "ssh prod-1 " in texts and "rsync -avz . prod-1:/opt/omniops/" in texts
    for wrong in (
        "https://127.0.0.1",
        "status.127.0.0.1",
        "127.0.0.1:40413 443",
        "prod-1=",
        "_prod-1",
        "/prod-1/",
    ):
        assert wrong not in texts, wrong
    for kept in (
        "npm ci --production=false",
        "NODE_ENV=production npm run start",
        "ALTER DATABASE omniops_production",
        "s3://omniops-backups/production/",
        "vercel env add OPENAI_API_KEY production",
        "cat > .env.production",
        "https://status.yourdomain.com",  # an address has no subdomain: left for the engineer
    ):
        assert kept in texts, kept


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("curl -f https://yourdomain.com/api/health", "curl -f https://example.org/api/health"),
        ("open https://status.yourdomain.com", "open https://status.example.org"),
        ("telnet yourdomain.com 443", "telnet example.org 443"),
        ('-d \'{"domain": "yourdomain.com"}\'', '-d \'{"domain": "example.org"}\''),
        ("ssh production uptime", "ssh web-1 uptime"),
        ("ssh -p 22 production uptime", "ssh -p 22 web-1 uptime"),
        ("echo myyourdomain.com yourdomain.com.au", "echo myyourdomain.com yourdomain.com.au"),
        ("curl https://api.statuspage.io/v1/pages/PAGE_ID/incidents/$INCIDENT_ID", None),
    ],
)
def test_token_boundaries(written: str, expected: str | None) -> None:
    config, environment = config_of(PRODUCTION_LIKE)
    result = substitute_for(written, config, environment)
    if expected is not None:
        assert result.text == expected
    else:  # PAGE_ID is a placeholder without a value; $INCIDENT_ID is a shell variable
        assert result.required == ["PAGE_ID"] and result.text == written


def test_typed_values_win_and_are_recorded_as_typed() -> None:
    config, environment = config_of(PRODUCTION_LIKE)
    code = 'curl -H "Authorization: OAuth YOUR_TOKEN" https://yourdomain.com/x  # YOUR_TOKEN'
    before = substitute_for(code, config, environment)
    assert before.required == ["YOUR_TOKEN"]  # the one in the comment needs nothing
    after = substitute_for(code, config, environment, typed={"YOUR_TOKEN": "$PD_TOKEN"})
    assert after.required == [] and "OAuth $PD_TOKEN" in after.text
    assert {"placeholder": "YOUR_TOKEN", "value": "$PD_TOKEN", "source": "typed"} in after.values()
    assert {
        "placeholder": "https://yourdomain.com",
        "value": "https://example.org",
        "source": "configured",
    } in after.values()


def test_no_environment_leaves_the_document_as_written(runbook_set: RunbookSet) -> None:
    for block in all_blocks(runbook_set):
        assert substitute_for(block.code, None, None).text == block.code


def test_a_teams_placeholders_file_adds_tokens(tmp_path: Path) -> None:
    (tmp_path / "runbook.md").write_text("## 1. Deploy\n", encoding="utf-8")
    (tmp_path / "placeholders.toml").write_text(
        '[[placeholder]]\ntoken = "<service>"\nfill = "value"\n', encoding="utf-8"
    )
    config, environment = config_of('[placeholders]\n"<service>" = "checkout"\n' + PRODUCTION_LIKE)
    catalogue = load_catalogue(tmp_path / "runbook.md")
    result = substitute(
        "kubectl rollout restart deploy/<service>", Parts.of(config, environment), catalogue=catalogue
    )
    assert result.text == "kubectl rollout restart deploy/checkout"


def test_unresolved_placeholders_are_lint_warnings(runbook_set: RunbookSet) -> None:
    config, environment = config_of(SANDBOX_LIKE)
    problems = [str(p) for p in unresolved_problems(runbook_set, config, environment)]
    assert any("placeholder 'YOUR_TOKEN' has no value" in p for p in problems)
    assert any("deployment-runbooks.md:" in p and "redis-cli" not in p for p in problems)
    assert not any("'https://yourdomain.com'" in p for p in problems)
