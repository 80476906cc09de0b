"""The redactor's batch fast path (issue 12): never a secret missed, never a different result.

`Redactor.lines` finds the lines that may hold a secret for a whole batch at once
(sessions/redact_batch.py) instead of testing each line. Two promises are checked here:

- its output equals the per-line path's (`Redactor.text` on each line) on random batches that
  mix clean log lines, every kind of secret the redactor knows, near misses, non-ASCII text,
  quotes, backslashes and lines holding a line break;
- batches with secrets of every kind in random lines, recorded the way the app records them
  (`SessionRecorder` with `build_redactor`, `LogLines` events), leave none of them in the file,
  and the file still reads back (sessions/reader.py) with every line in place.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from omniops_tui.core.events import LogLines
from omniops_tui.sessions.reader import read_session
from omniops_tui.sessions.recorder import SessionRecorder
from omniops_tui.sessions.redact import Redactor, build_redactor
from omniops_tui.sessions.redact_batch import TRIGGERS, plan_literals, suspect_lines
from tests.sessions.test_redact import CONFIG, ENVIRON, ENVIRONMENT  # the redactor test_redact checks

# (a line template with {s} where the secret goes, the secret): one of every kind
SECRET_LINES = [
    ("paging with {s} now", "pd-token-8f3a9c71e2"),  # a secret variable's value
    ("stripe charge key {s} ok", "sk_live_51HxYz0123"),
    ("login admin/{s}", "correct-horse-battery"),
    ("db {s} up", ENVIRON["PRODUCTION_DATABASE_URL"]),  # a DSN, whole
    ("auth failed with {s} for omniops", "Db-Pa55word!"),  # its password alone
    ("cache {s}", ENVIRON["REDIS_URL"]),
    ("POST {s} 200", ENVIRON["WEBHOOK_URL"]),  # declared in the environment's secrets
    ("token {s} seen", "literal-from-config-42"),  # a config literal
    ("connect postgresql://app:{s}@other-db/app", "hunter22-url"),  # URL passwords
    ("curl -H 'Authorization: Bearer {s}' https://x", "abcDEF123.sig-part"),
    ('-H "Authorization: Token token={s}"', "y_NbAkKc66ryYTWUXYEu"),
    ("retrying with bearer {s}", "bearer-abc.def-ghi"),
    ("key {s} in use", "AKIAIOSFODNN7EXAMPLE"),  # AWS access key ids
    ("using {s} now", "ASIAY34FZKBOKMUTVV7A"),
    ("aws_secret_access_key = {s}", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    ("export DEPLOY_HOOK_TOKEN={s}", "zz9plural-hook"),  # assignments to secret names
    ("password={s} user=bob", "hunter2-pw"),
    ("env MYAPP_DB_PASS={s} ./start", "hunter2x-pass"),
    ("db_pwd: {s}", "pwd-value-77"),
    ('{{"api_key": "{s}"}}', "abc123-api"),  # JSON text
    ('{{"SecretAccessKey": "{s}"}}', "wJal-rXU-tnF"),
    ("ALTER ROLE app WITH PASSWORD '{s}' VALID UNTIL 'infinity'", "n3w-sql-pw"),  # SQL
    ("create user x identified by '{s}'", "mysql-pw-9"),
    ("GET /reset?token={s}&next=/", "abc123def-reset"),
    ("Cookie: sid={s}; theme=dark", "s3ss10n-cookie"),
    ("< Set-Cookie: sid={s}; HttpOnly", "set-cookie-v4l"),
    ("X-Api-Key: {s}", "k-98765-api"),
    ("jwt {s} expired", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"),
    ("x-amz-security-token={s}&X-Amz-Signature=9f8e", "IQoJb3Jp-sts"),
    ("CREDENTIALS={s}", "creds-in-caps-1"),  # capitals
    ("X-Signature: {s}", "sig-value-123"),
]
# Clean lines, and lines that only look like secrets (the regex leaves them as they are).
CLEAN_LINES = [
    "2026-03-14T03:00:05.123Z INFO  [api] POST /api/chat 200 320ms",
    "2026-03-14T03:00:05.123Z WARN  [db] slow query 1500ms: SELECT * FROM pages LIMIT 5",
    '2026-03-14T03:00:05.123Z ERROR [proxy] connect() failed (111) upstream: "http://10.0.0.5:8080/"',
    '10.0.0.7 - - [14/Mar/2026:03:00:05 +0000] "GET /embed.js HTTP/1.1" 200 41 "-" "curl/8"',
    "tests pass, 3 bypassed, compass=north",
    "cache_key=user:42 max_tokens=4096 token_type=bearer",
    'password authentication failed for user "omniops"',
    "psql $PRODUCTION_DATABASE_URL -c 'SELECT 1'",
    "p-as-s s.e.c.r.e.t t/o/k/e/n k_e_y",  # trigger letters apart: a false suspect, kept
    "C:\\\\logs\\\\app.log rotated",
    "",
    "   ",
    "user bob@example.com logged in from https://app.example.com/login",
    "ok\ttabbed\tfields",
    "Ünïcödé ☃ — 日本語のログ 200",
    "İstanbul ſtatus K",  # letters whose lower case or case folding is ASCII
    "multi\nline in one item",
]


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return build_redactor(CONFIG, ENVIRONMENT, environ=ENVIRON)


def _secret_line(rng: random.Random) -> tuple[str, str]:
    template, secret = rng.choice(SECRET_LINES)
    prefix = rng.choice(["", "2026-03-14T03:00:05.123Z ERROR [api] ", "WARN ", "\t"])
    return prefix + template.format(s=secret), secret


def _batch(rng: random.Random, size: int, secret_share: float) -> tuple[list[str], list[str]]:
    lines: list[str] = []
    secrets: list[str] = []
    for _ in range(size):
        if rng.random() < secret_share:
            line, secret = _secret_line(rng)
            secrets.append(secret)
        else:
            line = rng.choice(CLEAN_LINES)
        if rng.random() < 0.1:
            line = line.upper() if rng.random() < 0.5 else line.lower()
        lines.append(line)
    return lines, secrets


@pytest.mark.parametrize("seed", range(40))
def test_the_batch_path_equals_the_line_path(redactor: Redactor, seed: int) -> None:
    rng = random.Random(seed)
    size = rng.choice([1, 2, 7, 50, 400])
    lines, _ = _batch(rng, size, secret_share=rng.choice([0.0, 0.01, 0.2, 0.9]))
    if seed % 2 == 0:  # ASCII only, the fast path proper (non-ASCII batches go the older way)
        lines = [line for line in lines if line.isascii() and (seed % 4 or "\n" not in line)]
    assert redactor.lines(lines) == [redactor.text(line) for line in lines]


def test_the_batch_path_equals_the_line_path_on_random_text(redactor: Redactor) -> None:
    """Random text over an alphabet dense in trigger letters, separators and secret pieces, so
    that triggers straddle punctuation, lines and case."""
    rng = random.Random(12)
    pieces = [*TRIGGERS, *(t.upper() for t in TRIGGERS), "=", ":", " ", "-", "_", "'", '"', "@", "://"]
    pieces += ["eyJ", "AKIA", "ASIA", "x", "0", "ABCDEFGHIJKLMNOP", "\n"]
    pieces += ["Db-Pa55word!", "literal-from-config-42"]  # literals
    for _ in range(300):
        lines = ["".join(rng.choice(pieces) for _ in range(rng.randrange(0, 12))) for _ in range(20)]
        assert redactor.lines(lines) == [redactor.text(line) for line in lines]


def test_a_clean_ascii_batch_is_found_clean_at_once(redactor: Redactor) -> None:
    lines = CLEAN_LINES[:4] * 100
    assert suspect_lines(lines, "\n".join(lines), plan_literals(redactor.literals)) == ()
    assert redactor.lines(lines) is lines  # nothing to do, nothing copied


def test_recorded_batches_hold_no_secret(tmp_path: Path, redactor: Redactor) -> None:
    """Secrets of every kind in random lines of log batches, recorded as the app records
    them: the file holds none of them, and reads back whole."""
    rng = random.Random(7)
    recorder = SessionRecorder.create(tmp_path, ["runbook.md"], environment="production", redactor=redactor)
    planted: set[str] = set()
    sent: list[list[str]] = []
    for number in range(30):
        lines, secrets = _batch(rng, rng.choice([3, 200, 2_000]), secret_share=0.05)
        for _ in range(3):  # and at least a few in every batch
            line, secret = _secret_line(rng)
            lines.insert(rng.randrange(len(lines) + 1), line)
            secrets.append(secret)
        planted.update(secrets)
        sent.append(lines)
        recorder.record(LogLines(source_id="app", host="prod-1", lines=lines, errors_only=number % 5 == 0))
    recorder.close()

    data = recorder.path.read_bytes()
    leaked = sorted(secret for secret in planted if secret.encode() in data)
    assert not leaked, f"secrets in the record: {leaked}"
    assert b"[REDACTED:" in data

    session = read_session(recorder.path)
    batches = [event for event in session.events if isinstance(event, LogLines)]
    assert [len(event.lines) for event in batches] == [len(lines) for lines in sent]
    for event, lines in zip(batches, sent, strict=True):
        assert event.lines == redactor.lines(lines)  # clean lines as they were, in order


@pytest.mark.parametrize(
    "line",
    ["paſsword=hunter2", "PAſSWORD=hunter2", "credentıal=abc123", "CREDENTİAL=abc123", "to\u212aen=abc123"],
)
def test_letters_the_regex_folds_into_ascii_make_a_line_suspect(redactor: Redactor, line: str) -> None:
    """The regex's case-insensitive parts match "ſ" as s, "ı" and "İ" as i, "K" as k: such a
    secret name must make its line suspect, or the regex never sees it (it used to)."""
    assert "[REDACTED:" in redactor.text(line)
    batch = ["INFO ok", line, "INFO fine"]
    assert redactor.lines(batch) == ["INFO ok", redactor.text(line), "INFO fine"]


def test_literals_are_found_however_they_are_looked_for() -> None:
    """A literal that holds a trigger, a DSN, one searched in the squeezed copy, one too short
    for it (digits: nothing is left of them squeezed) and a non-ASCII one."""
    literals = {
        "pd-token-8f3a9c71e2": "A_TOKEN",  # holds "token"
        "postgresql://u:Pw-55-x@db/app": "DSN",  # "@" and "://"
        "correct-horse-battery": "ADMIN_PASS",  # squeezed: correcthorsebattery
        "9876543210-42": "PIN",  # squeezed: nothing
        "mot-de-passé-9": "FR",  # not ASCII
    }
    plan = plan_literals(literals)
    assert plan.squeezed == (b"correcthorsebattery",) and plan.raw == ("9876543210-42",)
    redactor = Redactor(literals)
    lines = [f"INFO {i} ok" for i in range(100)]
    for index, value in enumerate(literals):
        lines[index * 20 + 3] = f"WARN used {value} here"
    out = redactor.lines(lines)
    assert out == [redactor.text(line) for line in lines]
    assert not any(value in line for value in literals for line in out)
