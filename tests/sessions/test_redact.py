"""The redactor on its own: what is a secret, what is kept, how it is named, how fast it is."""

from __future__ import annotations

import pytest

from omniops_tui.config.model import Config, Environment
from omniops_tui.sessions.redact import Redactor, build_redactor

ENVIRON = {
    "PAGERDUTY_TOKEN": "pd-token-8f3a9c71e2",
    "STRIPE_SECRET": "sk_live_51HxYz0123",
    "OPENAI_API_KEY": "sk-proj-abcdef123456",
    "ADMIN_PASSWORD": "correct-horse-battery",
    "PRODUCTION_DATABASE_URL": "postgresql://omniops:Db-Pa55word!@db.internal:5432/omniops",
    "REDIS_URL": "redis://:r3dis-Secr3t@cache.internal:6379/0",
    "WEBHOOK_URL": "https://hooks.example.com/services/T0/B0/xyz",  # not secret-named, not declared
    "SHORT_TOKEN": "abc",  # too short to be a literal
    "HOME": "/root",
}
ENVIRONMENT = Environment(
    name="production",
    database_url_env="PRODUCTION_DATABASE_URL",
    redis_url_env="REDIS_URL",
    secrets=["WEBHOOK_URL"],
)
CONFIG = Config(secrets=["literal-from-config-42", "UNSET_VARIABLE_TOKEN"])


@pytest.fixture
def redactor() -> Redactor:
    return build_redactor(CONFIG, ENVIRONMENT, environ=ENVIRON)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # literals, named after their variable
        ("paging with pd-token-8f3a9c71e2 now", "paging with [REDACTED:PAGERDUTY_TOKEN] now"),
        ("key=sk-proj-abcdef123456", "key=[REDACTED:OPENAI_API_KEY]"),
        ("login admin/correct-horse-battery", "login admin/[REDACTED:ADMIN_PASSWORD]"),
        (
            "db postgresql://omniops:Db-Pa55word!@db.internal:5432/omniops up",
            "db [REDACTED:PRODUCTION_DATABASE_URL] up",
        ),
        ("auth failed with Db-Pa55word! for omniops", "auth failed with [REDACTED:password] for omniops"),
        ("cache redis://:r3dis-Secr3t@cache.internal:6379/0", "cache [REDACTED:REDIS_URL]"),
        ("POST https://hooks.example.com/services/T0/B0/xyz", "POST [REDACTED:WEBHOOK_URL]"),
        ("token literal-from-config-42 seen", "token [REDACTED:secret] seen"),
        # patterns, for what nobody declared
        ("postgresql://app:hunter22@other-db/app", "postgresql://app:[REDACTED:password]@other-db/app"),
        ("redis://:p4ss@127.0.0.1:6379", "redis://:[REDACTED:password]@127.0.0.1:6379"),
        (
            "curl -H 'Authorization: Bearer eyJhbGc.eyJzdWIi.sig' https://x",
            "curl -H 'Authorization: Bearer [REDACTED:authorization]' https://x",
        ),
        (
            '-H "Authorization: Token token=y_NbAkKc66ryYTWUXYEu"',
            '-H "Authorization: Token token=[REDACTED:authorization]"',
        ),
        ('{"authorization": "Basic dXNlcjpwYXNz"}', '{"authorization": "Basic [REDACTED:authorization]"}'),
        ("retrying with bearer abc.def-ghi", "retrying with bearer [REDACTED:authorization]"),
        ("key AKIAIOSFODNN7EXAMPLE in use", "key [REDACTED:aws_access_key] in use"),
        (
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "aws_secret_access_key = [REDACTED:aws_secret_key]",
        ),
        ("export DEPLOY_HOOK_TOKEN=zz9plural", "export DEPLOY_HOOK_TOKEN=[REDACTED:DEPLOY_HOOK_TOKEN]"),
        ("password=hunter2 user=bob", "password=[REDACTED:password] user=bob"),
        ('"api_key": "abc123"', '"api_key": "[REDACTED:api_key]"'),
    ],
)
def test_secrets_are_replaced_by_their_name(redactor: Redactor, text: str, expected: str) -> None:
    assert redactor.text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # references to secrets (runbook commands) are not secrets
        '-H "Authorization: Token token=$PAGERDUTY_TOKEN"',
        "psql $PRODUCTION_DATABASE_URL -c 'SELECT 1'",
        "export DB_PASSWORD=$(vault read -field=pw db)",
        # ordinary operations text
        'password authentication failed for user "omniops"',
        "GET https://example.com:443/api/health 200 in 12ms",
        "tokens used: 350 of 4000",
        "2025-03-14T03:00:05Z INFO GET /api/chat 200",
        "abc is not a secret even if SHORT_TOKEN is abc",
    ],
)
def test_ordinary_text_is_kept(redactor: Redactor, text: str) -> None:
    assert redactor.text(text) == text


def test_records_are_walked_recursively_and_not_modified(redactor: Redactor) -> None:
    record = {
        "seq": 3,
        "t": 1.0,
        "at": "2025-03-14T03:00:00.000Z",
        "type": "check_result",
        "summary": "connected to postgresql://omniops:Db-Pa55word!@db.internal:5432/omniops",
        "evidence": {
            "headers": {"Authorization": "Bearer abcdef", "X-Api-Key": "k-1234567"},
            "password": "plain",
            "env": ["PAGERDUTY_TOKEN=pd-token-8f3a9c71e2", 3, None],
            "nested": [{"token": "zzz"}, ("AKIAIOSFODNN7EXAMPLE",)],
        },
        "value": 8.2,
        "item_ids": ["a/b"],
    }
    original = repr(record)
    out = redactor(record)
    assert repr(record) == original
    assert out["summary"] == "connected to [REDACTED:PRODUCTION_DATABASE_URL]"
    assert out["evidence"]["headers"] == {
        "Authorization": "[REDACTED:Authorization]",
        "X-Api-Key": "[REDACTED:X-Api-Key]",
    }
    assert out["evidence"]["password"] == "[REDACTED:password]"
    assert out["evidence"]["env"] == ["PAGERDUTY_TOKEN=[REDACTED:PAGERDUTY_TOKEN]", 3, None]
    assert out["evidence"]["nested"] == [{"token": "[REDACTED:token]"}, ["[REDACTED:aws_access_key]"]]
    kept = (out["seq"], out["t"], out["at"], out["type"], out["value"])
    assert kept == (3, 1.0, record["at"], "check_result", 8.2)


def test_log_batches_keep_clean_lines_untouched(redactor: Redactor) -> None:
    lines = ["INFO ok", "ERROR connect postgresql://u:pw123456@h/db failed", "INFO fine"]
    out = redactor({"type": "log_lines", "lines": lines})["lines"]
    assert out == ["INFO ok", "ERROR connect postgresql://u:[REDACTED:password]@h/db failed", "INFO fine"]
    clean = ["INFO a", "INFO b"]
    assert redactor.lines(clean) is clean  # nothing to do, nothing copied


def test_the_secrets_rule_for_config_entries() -> None:
    redactor = build_redactor(CONFIG, ENVIRONMENT, environ=ENVIRON)
    assert redactor.unresolved == ["UNSET_VARIABLE_TOKEN"]  # named a variable that is not set
    assert "UNSET_VARIABLE_TOKEN" not in redactor.literals
    assert redactor.literals["literal-from-config-42"] == "secret"
    assert redactor.literals[ENVIRON["WEBHOOK_URL"]] == "WEBHOOK_URL"
    assert "abc" not in redactor.literals  # shorter than MIN_LITERAL
    bare = build_redactor(None, None, environ={})
    assert bare.literals == {} and bare.text("password=x1") == "password=[REDACTED:password]"


def test_clean_log_batches_pass_through_unchanged(redactor: Redactor) -> None:
    """A firehose of clean lines comes out as it went in (its speed: bench/redaction.py)."""
    lines = [
        f"2025-03-14T03:00:{i % 60:02d}Z INFO [app-{i % 3}] GET /api/chat status=200 n={i}"
        for i in range(5_000)
    ]
    batches = [
        {"type": "log_lines", "source_id": "app", "lines": lines[i : i + 200]} for i in range(0, 5_000, 200)
    ]
    for batch in batches:
        assert redactor(dict(batch)) == batch


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # *PASSWORD= / *PASS= assignments, whatever the prefix
        ("PGPASSWORD=pg-s3cret psql -h db", "PGPASSWORD=[REDACTED:PGPASSWORD] psql -h db"),
        ("env MYAPP_DB_PASS=hunter2x ./start", "env MYAPP_DB_PASS=[REDACTED:MYAPP_DB_PASS] ./start"),
        ("db_pass: abc123", "db_pass: [REDACTED:db_pass]"),
        ('password="two words"', 'password="[REDACTED:password]"'),
        ("{'password': 'a b c'}", "{'password': '[REDACTED:password]'}"),
        # SQL, as pg_stat_activity shows it
        (
            "ALTER ROLE app WITH PASSWORD 'n3w-pa''ss' VALID UNTIL 'infinity'",
            "ALTER ROLE app WITH PASSWORD '[REDACTED:password]' VALID UNTIL 'infinity'",
        ),
        ("create user x identified by 'mysql-pw'", "create user x identified by '[REDACTED:password]'"),
        # tokens, cookies, headers
        ("GET /reset?token=abc123def&next=/", "GET /reset?token=[REDACTED:token]&next=/"),
        ("Cookie: sid=s3ss10n; theme=dark", "Cookie: [REDACTED:cookie]"),
        ("< Set-Cookie: sid=abc; HttpOnly", "< Set-Cookie: [REDACTED:cookie]"),
        (
            "Authorization: AWS4-HMAC-SHA256 Credential=x/y, Signature=abcdef",
            "Authorization: AWS4-HMAC-SHA256 [REDACTED:authorization]",
        ),
        ("X-Api-Key: k-98765", "X-Api-Key: [REDACTED:X-Api-Key]"),
        # JWTs alone
        (
            "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl expired",
            "jwt [REDACTED:jwt] expired",
        ),
        # secrets in JSON text (evidence bodies): the whole string
        ('{"token": "abc def", "ok": true}', '{"token": "[REDACTED:token]", "ok": true}'),
        (
            '{"password":"p w","secret": "s\\"q"}',
            '{"password":"[REDACTED:password]","secret": "[REDACTED:secret]"}',
        ),
        ('{"SecretAccessKey": "wJal/rXU+tnF"}', '{"SecretAccessKey": "[REDACTED:SecretAccessKey]"}'),
        ('{"Authorization": "Bearer abc"}', '{"Authorization": "Bearer [REDACTED:Authorization]"}'),
        # AWS temporary keys and their session tokens
        ("using ASIAY34FZKBOKMUTVV7A now", "using [REDACTED:aws_access_key] now"),
        ("AWS_SESSION_TOKEN=FwoGZXIvYXdzEJr", "AWS_SESSION_TOKEN=[REDACTED:AWS_SESSION_TOKEN]"),
        (
            "x-amz-security-token=IQoJb3Jp&X-Amz-Signature=9f8e",
            "x-amz-security-token=[REDACTED:x-amz-security-token]&X-Amz-Signature=[REDACTED:X-Amz-Signature]",
        ),
    ],
)
def test_what_logs_and_queries_contain_is_redacted(text: str, expected: str) -> None:
    assert build_redactor(None, None, environ={}).text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "tests pass, 3 bypassed, compass=north",
        "cache_key=user:42 max_tokens=4096 token_type=bearer",
        "status: pass",
        '{"tokens": 12, "passed": true}',
        'psql -c "ALTER ROLE app PASSWORD NULL"',
        "export PGPASSWORD=$DB_PASSWORD",
    ],
)
def test_what_only_looks_like_a_secret_is_kept(text: str) -> None:
    assert build_redactor(None, None, environ={}).text(text) == text


def test_one_list_of_secret_names_decides_keys_variables_and_patterns() -> None:
    environ = {"PGPASSWORD": "pg-literal-1", "PWD": "/home/me/work", "SUDO_ASKPASS": "/usr/bin/askpass"}
    redactor = build_redactor(None, None, environ=environ)
    assert redactor.literals == {"pg-literal-1": "PGPASSWORD"}  # the folder and the helper are not secrets
    out = redactor({"type": "x", "evidence": {"Set-Cookie": "sid=1", "cache_key": "k", "DB_PASS": "v"}})
    assert out["evidence"] == {
        "Set-Cookie": "[REDACTED:Set-Cookie]",
        "cache_key": "k",
        "DB_PASS": "[REDACTED:DB_PASS]",
    }
