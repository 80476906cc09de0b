"""The `hostile` scenario: a production that sends what a security review (issue 10) sent.

Healthy figures, so every screen still works, but the text the hosts and the app send is
hostile: terminal control sequences (OSC 52 writes the clipboard, OSC 2 the title, `ESC [ 2J`
wipes the screen, `ESC [ 10;10H` moves the cursor, an 8-bit CSI), markup-like text that a
careless widget would interpret (`[@click=app.quit]`, `[link=file:///etc/passwd]`, a stray
`[/db/primary]` closing tag), and secrets of every form the redactor must catch. They arrive
through every real path: log tails and `docker-compose logs`, command output (`docker-compose
ps`), the health endpoints' bodies. Tests plant nothing by hand: they run the scenario and grep
what was shown and written (`PAYLOADS`, `PLANTED_SECRETS`).

`/api/health/huge?mb=N` (every scenario) streams an N MiB JSON body, for body-size caps.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

# Terminal control: each did its thing in the review's terminal.
OSC52_CLIPBOARD = "\x1b]52;c;ZWNobyBwd25lZA==\x1b\\"  # clipboard := "echo pwned"
OSC2_TITLE = "\x1b]2;PWNED-TITLE\x1b\\"
CLEAR_SCREEN = "\x1b[2J"
CURSOR_MOVE = "\x1b[10;10HXXX"
C1_CSI = "\x9b1;31m"  # CSI as one 8-bit character
PAYLOADS: tuple[str, ...] = (OSC52_CLIPBOARD, OSC2_TITLE, CLEAR_SCREEN, CURSOR_MOVE, C1_CSI)
# Markup a widget must show, not interpret.
MARKUP: tuple[str, ...] = (
    "[/x]",
    "[bold red]",
    "[@click=app.quit]",
    "[link=file:///etc/passwd]",
    "[/db/primary]",
)

# Secrets, each in the form logs and queries really carry it; every value is unique so a test
# can grep every written file for it.
PG_PASSWORD = "hostile-pgpass-Q7x2"
APP_DB_PASS = "hostile-dbpass-Z9k4"
SQL_PASSWORD = "hostile-sqlpw-M3v8"
URL_TOKEN = "hostile-urltoken-W5n1"
COOKIE = "hostile-cookie-J2p6"
SET_COOKIE = "hostile-setcookie-B8r3"
BEARER = "hostile-bearer-T4c9"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJob3N0aWxlIn0.aG9zdGlsZS1qd3Qtc2ln"
JSON_TOKEN = "hostile-jsontoken-K1d5"
JSON_PASSWORD = "hostile jsonpassword F6h0"  # with spaces: the whole string must go
JSON_SECRET = "hostile-jsonsecret-N2g7"
AWS_ACCESS_KEY = "AKIAHOSTILEKEY000001"
AWS_TEMPORARY_KEY = "ASIAHOSTILETEMP00002"
AWS_SECRET_KEY = "hostileAwsSecretKey/0123456789abcdefXYZ"
PLANTED_SECRETS: tuple[str, ...] = (
    PG_PASSWORD,
    APP_DB_PASS,
    SQL_PASSWORD,
    URL_TOKEN,
    COOKIE,
    SET_COOKIE,
    BEARER,
    JWT,
    JSON_TOKEN,
    JSON_PASSWORD,
    JSON_SECRET,
    AWS_ACCESS_KEY,
    AWS_TEMPORARY_KEY,
    AWS_SECRET_KEY,
)

_SECRET_LINES = (
    f"deploy hook ran: PGPASSWORD={PG_PASSWORD} psql -h db -c 'select 1'",
    f"env dump MYAPP_DB_PASS={APP_DB_PASS} NODE_ENV=production",
    f"slow statement: ALTER ROLE omniops WITH PASSWORD '{SQL_PASSWORD}'",
    f"GET /api/reset?token={URL_TOKEN}&next=/admin 302",
    f"request headers Cookie: sid={COOKIE}; theme=dark",
    f"upstream answered Set-Cookie: session={SET_COOKIE}; HttpOnly",
    f"proxying with Authorization: Bearer {BEARER}",
    f"websocket auth {JWT} expired",
    f'webhook body {{"token": "{JSON_TOKEN}", "password": "{JSON_PASSWORD}", "secret": "{JSON_SECRET}"}}',
    f"s3 client keys {AWS_ACCESS_KEY} / {AWS_TEMPORARY_KEY} aws_secret_access_key={AWS_SECRET_KEY}",
)
_CONTROL_LINES = (
    f"user agent {OSC52_CLIPBOARD} logged in",
    f"title {OSC2_TITLE} set",
    f"render {CLEAR_SCREEN} done",
    f"cursor {CURSOR_MOVE} moved",
    f"8-bit {C1_CSI}red{C1_CSI} text",
    "markup " + " ".join(MARKUP) + " in a message",
)


def _template(text: str) -> str:
    """A log template is `str.format`ted: braces in the payload are literal."""
    return text.replace("{", "{{").replace("}", "}}")


#: (weight, level, component, message template) for sandbox/logs.py's hostile mix: ERROR and
#: WARN, so error.log and the log-errors check carry them too.
LOG_TEMPLATES: list[tuple[int, str, str, str]] = [
    *((4, "ERROR", "api", _template(line)) for line in _CONTROL_LINES),
    *((3, "WARN", "app", _template(line)) for line in _SECRET_LINES),
]


def health_text() -> str:
    """`GET /api/health` in the scenario: 200, plain text, raw control bytes and markup."""
    return f"ok {OSC52_CLIPBOARD}{OSC2_TITLE}{CLEAR_SCREEN}{CURSOR_MOVE} {' '.join(MARKUP)}\n"


def comprehensive_fields() -> dict[str, object]:
    """What the scenario puts in `/api/health/comprehensive` (JSON escapes the controls on the
    wire; a client that decodes it holds them raw again)."""
    return {
        "database": f"[/db/primary] {OSC2_TITLE}connected{CLEAR_SCREEN}",
        "message": f"{OSC52_CLIPBOARD}[bold red]all good[@click=app.quit]{C1_CSI}",
        "token": JSON_TOKEN,
        "auth": {"password": JSON_PASSWORD, "secret": JSON_SECRET},
        "headers": {"Cookie": f"sid={COOKIE}", "Authorization": f"Bearer {BEARER}"},
    }


def compose_ps_row() -> str:
    """An extra `docker-compose ps` row whose service name and state are hostile."""
    name = f"omniops-{OSC2_TITLE}x"
    return f"{name:<16}{'[/x] ' + CLEAR_SCREEN + 'sh':<34}{'Exit 1 ' + CURSOR_MOVE:<18}\n"


HUGE_MAX_MB = 4096
_CHUNK = 1 << 16


def huge_size(query: dict[str, str]) -> int:
    """Bytes `/api/health/huge?mb=N` sends (N may be fractional; 1 MiB by default)."""
    try:
        mb = float(query.get("mb", "1"))
    except ValueError:
        mb = 1.0
    return max(64, int(min(max(mb, 0.0), HUGE_MAX_MB) * (1 << 20)))


async def huge_body(size: int) -> AsyncIterator[bytes]:
    """A JSON object of exactly `size` bytes, in 64 KiB chunks, made as it is sent."""
    head = b'{"status":"ok","padding":"'
    tail = b'"}'
    yield head
    left = size - len(head) - len(tail)
    block = b"x" * _CHUNK
    while left > 0:
        part = block if left >= _CHUNK else block[:left]
        left -= len(part)
        yield part
    yield tail
