"""Secrets never reach the record: a redactor applied to every event before it is written.

`Redactor` is a callable `dict -> dict` (the `redactor=` hook of `SessionRecorder`) that walks
an event record (nested dicts, lists, strings) and replaces secrets with `[REDACTED:name]`:

- literal secrets, found anywhere in any string:
  - the values of environment variables whose NAMES end in `_KEY`, `_SECRET`, `_TOKEN` or
    `_PASSWORD` (read from the environment when the redactor is built), named after the
    variable: `[REDACTED:PAGERDUTY_TOKEN]`;
  - the DSNs named by the environment's `database_url_env` / `redis_url_env`, and any other
    variable whose value is a URL with a password in it (`DATABASE_URL`, `REDIS_URL` …):
    `[REDACTED:PRODUCTION_DATABASE_URL]`, and the password inside each of them, alone,
    `[REDACTED:password]`;
  - what the config declares secret (`Config.secrets` and `Environment.secrets`). An entry
    that names a set environment variable means that variable's value (`[REDACTED:NAME]`);
    an entry that looks like a variable name (`UPPER_CASE_WITH_UNDERSCORES`) but is not set is
    ignored and listed in `Redactor.unresolved` (so the app can warn); anything else is the
    secret itself, `[REDACTED:secret]`;
  - values shorter than `MIN_LITERAL` characters are not used as literals (redacting every
    "1234" in every log line would destroy the record); their structured forms below still are.
- patterns, for secrets nobody declared:
  - passwords in URLs/DSNs: `postgresql://user:[REDACTED:password]@host`;
  - `Authorization:` header values, `Bearer …`, `Token token=…`: `[REDACTED:authorization]`;
  - AWS access key ids (`AKIA…`/`ASIA…`): `[REDACTED:aws_access_key]`, and AWS secret keys
    after `aws_secret_access_key=` and similar: `[REDACTED:aws_secret_key]`;
  - `NAME_KEY=value` / `NAME_SECRET=` / `NAME_TOKEN=` / `NAME_PASSWORD=` assignments and
    `password=` / `"password": "…"` pairs: `[REDACTED:NAME]` / `[REDACTED:password]`.
    A value that starts with `$` is a reference (`$PRODUCTION_DATABASE_URL` in a runbook
    command), not a secret, and is kept.
- dict keys that say "secret" (`password`, `token`, `authorization`, `*_key`, `*_secret` …):
  their whole string value is redacted, `[REDACTED:<key>]`.

Speed matters: log batches (up to 50k lines/s) go through it. Everything is one precompiled
regex; a batch of lines is searched joined (one C call) and only the lines that match are
rewritten. No pattern crosses a line break, so joining is safe.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

MIN_LITERAL = 6
SECRET_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*_(?:KEY|SECRET|TOKEN|PASSWORD)")
VARIABLE_LIKE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
SECRET_KEY = re.compile(
    r"(?i)(?:^|[_-])(?:password|passwd|pwd|secret|token|authorization|api[_-]?key|access[_-]?key|"
    r"secret[_-]?key|private[_-]?key|credentials?)$|^(?:password|passwd|secret|token|authorization)$"
)
SKIP_KEYS = frozenset({"type", "seq", "t", "at"})
AUTH_SCHEMES = r"(?:bearer|basic|token|oauth|digest|apikey|jwt|aws4-hmac-sha256|negotiate)"
_VALUE_END = r"[^\s'\",;&]"
# Named groups: `<name>_v` is the secret, the rest of the match is kept.
_PATTERNS = [
    # scheme://user:PASSWORD@host  (redis://:PASSWORD@host too)
    ("password", r"(?P<password_p>://[^\s:/@'\"]*:)(?P<password_v>[^\s@'\"]+)(?=@)"),
    # Authorization: Bearer X / "Authorization": "Token token=X" / authorization=X
    (
        "authorization",
        rf"(?P<authorization_p>(?i:\bauthorization['\"]?[ \t]*[:=][ \t]*['\"]?(?:{AUTH_SCHEMES}[ \t]+)?+"
        rf"(?:token=)?+))(?P<authorization_v>(?!\$|\[REDACTED){_VALUE_END}+)",
    ),
    (
        "bearer",
        r"(?P<bearer_p>(?i:\b(?:bearer|token[ \t]+token=))[ \t]*)"
        r"(?P<bearer_v>(?!\$|\[REDACTED)[A-Za-z0-9\-._~+/]+=*)",
    ),
    ("aws_access_key", r"(?P<aws_access_key_v>\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16}\b)"),
    (
        "aws_secret_key",
        r"(?P<aws_secret_key_p>(?i:aws_secret_access_key|aws_secret_key|secret_access_key|secretaccesskey)"
        r"['\"]?[ \t]*[:=][ \t]*['\"]?)(?P<aws_secret_key_v>[A-Za-z0-9/+=]{16,})",
    ),
    # export PAGERDUTY_TOKEN=abc / DB_PASSWORD: abc
    (
        "assignment",
        rf"(?P<assignment_p>\b(?P<assignment_n>[A-Z][A-Z0-9_]*_(?:KEY|SECRET|TOKEN|PASSWORD))"
        rf"['\"]?[ \t]*[:=][ \t]*['\"]?)(?P<assignment_v>(?!\$|\[REDACTED){_VALUE_END}+)",
    ),
    # password=… "api_key": "…" client_secret: …
    (
        "pair",
        r"(?P<pair_p>\b(?P<pair_n>(?i:password|passwd|api[_-]?key|access[_-]?token|secret[_-]?key|client[_-]?secret))"
        rf"['\"]?[ \t]*[:=][ \t]*['\"]?)(?P<pair_v>(?!\$|\[REDACTED){_VALUE_END}+)",
    ),
]
_NAMES = {"bearer": "authorization"}
# Every pattern above needs one of these (in lower case) in the text: a string without any of
# them, and without any literal, is clean. Substring tests run at C speed (memchr-like),
# unlike a regex alternation tried at every position, so clean log lines cost ~0.5 us each.
TRIGGERS = (
    "://",
    "authorization",
    "bearer",
    "token",
    "secret",
    "_key",
    "passw",
    "api-key",
    "apikey",
    "akia",
    "asia",
    "agpa",
    "aida",
    "aroa",
    "anpa",
)


class Redactor:
    """Replaces secrets in event records with `[REDACTED:name]`; see the module docstring.

    `literals` maps a secret value to the name shown in its place. Call it on a record
    (`redactor(record) -> record`, a new dict; the input is not modified) or on a string
    (`redactor.text(s)`).
    """

    def __init__(self, literals: Mapping[str, str] | None = None, *, unresolved: Iterable[str] = ()) -> None:
        self.literals: dict[str, str] = {
            value: name for value, name in (literals or {}).items() if len(value) >= MIN_LITERAL
        }
        self.unresolved: list[str] = list(unresolved)
        parts: list[str] = []
        if self.literals:
            # Longest first: a DSN wins over the password inside it.
            ordered = sorted(self.literals, key=len, reverse=True)
            parts.append("(?P<literal>" + "|".join(re.escape(value) for value in ordered) + ")")
        parts.extend(pattern for _, pattern in _PATTERNS)
        self._regex = re.compile("|".join(parts))
        self._sub = self._regex.sub
        self._literal_values = tuple(self.literals)

    # ------------------------------------------------------------------ the hook
    def __call__(self, record: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in record.items():
            if key in SKIP_KEYS:
                out[key] = value
            else:
                out[key] = self._value(key, value)
        return out

    def text(self, text: str) -> str:
        """One string, redacted."""
        if not self.suspect(text):
            return text
        return self._sub(self._replace, text)

    def lines(self, lines: list[str]) -> list[str]:
        """A batch of lines: one test over the joined batch, then only suspect lines are rewritten."""
        if not lines or not self.suspect("\n".join(lines)):
            return lines
        return [self.text(line) for line in lines]

    def suspect(self, text: str) -> bool:
        """Might `text` hold a secret? False means certainly not (the fast path)."""
        lower = text.lower()
        return any(map(lower.__contains__, TRIGGERS)) or any(map(text.__contains__, self._literal_values))

    def value(self, value: Any) -> Any:
        """Any JSON-like value (str, list, dict, scalars), redacted recursively."""
        return self._value("", value)

    def _value(self, key: str, value: Any) -> Any:
        kind = type(value)
        if kind is str:
            if key and SECRET_KEY.search(key) and value and not value.startswith(("$", "[REDACTED")):
                return f"[REDACTED:{key}]"
            return self.text(value)
        if kind is list:
            if value and all(type(item) is str for item in value):
                return self.lines(value)
            return [self._value("", item) for item in value]
        if kind is dict:
            return {k: self._value(k if isinstance(k, str) else "", v) for k, v in value.items()}
        if kind is tuple:
            return [self._value("", item) for item in value]
        return value

    def _replace(self, match: re.Match[str]) -> str:
        group = match.lastgroup
        if group == "literal":
            return f"[REDACTED:{self.literals.get(match.group('literal'), 'secret')}]"
        name = _group_name(match)
        if name == "aws_access_key":
            return "[REDACTED:aws_access_key]"
        if name == "assignment":
            return f"{match.group('assignment_p')}[REDACTED:{match.group('assignment_n')}]"
        if name == "pair":
            key = match.group("pair_n").lower().replace("-", "_")
            return f"{match.group('pair_p')}[REDACTED:{'password' if key.startswith('passw') else key}]"
        return f"{match.group(name + '_p')}[REDACTED:{_NAMES.get(name, name)}]"


def _group_name(match: re.Match[str]) -> str:
    """Which pattern matched (lastgroup is the innermost closed group, so strip the suffix)."""
    group = match.lastgroup or ""
    for suffix in ("_v", "_p", "_n"):
        if group.endswith(suffix):
            return group[: -len(suffix)]
    return group


# ---------------------------------------------------------------------------- building one
def secret_literals_from_environ(environ: Mapping[str, str]) -> dict[str, str]:
    """Values of variables named `*_KEY`, `*_SECRET`, `*_TOKEN`, `*_PASSWORD`, by value."""
    return {value: name for name, value in environ.items() if value and SECRET_NAME.fullmatch(name)}


def _url_password(url: str) -> str:
    try:
        return urlsplit(url.strip()).password or ""
    except ValueError:
        return ""


def url_literals(name: str, url: str) -> dict[str, str]:
    """A DSN as a whole, plus its password alone (also percent-decoded)."""
    literals = {url: name}
    password = _url_password(url)
    if password:
        literals[password] = "password"
        literals[unquote(password)] = "password"
    return literals


def build_redactor(
    config: Any = None, environment: Any = None, *, environ: Mapping[str, str] | None = None
) -> Redactor:
    """The redactor for a config and environment (both optional), reading `environ` now.

    Rule for `secrets` entries (config-wide and per environment): a set variable's name means
    its value; a variable-looking name that is not set is ignored (reported in `unresolved`);
    anything else is a literal secret.
    """
    environ = os.environ if environ is None else environ
    literals: dict[str, str] = {}
    for value, name in secret_literals_from_environ(environ).items():
        literals.update(url_literals(name, value) if "://" in value else {value: name})
    for name, value in environ.items():
        if "://" in value and "@" in value and _url_password(value):
            literals.update(url_literals(name, value))  # DATABASE_URL, REDIS_URL … with a password
    unresolved: list[str] = []
    for key in ("database_url_env", "redis_url_env"):
        variable = getattr(environment, key, "") if environment is not None else ""
        if variable and environ.get(variable):
            literals.update(url_literals(variable, environ[variable]))
    entries = [*(getattr(config, "secrets", None) or []), *(getattr(environment, "secrets", None) or [])]
    for entry in entries:
        if not isinstance(entry, str) or not entry:
            continue
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", entry) and environ.get(entry):
            value = environ[entry]
            literals.update(url_literals(entry, value) if "://" in value else {value: entry})
        elif VARIABLE_LIKE.fullmatch(entry):
            unresolved.append(entry)
        else:
            literals.setdefault(entry, "secret")
    return Redactor(literals, unresolved=unresolved)


def default_redactor() -> Redactor:
    """Patterns plus the process environment, for when there is no config at hand."""
    return build_redactor(None, None)
