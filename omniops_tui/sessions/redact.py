"""Secrets never reach the record: a redactor applied to every event before it is written.

`Redactor` is a callable `dict -> dict` (the `redactor=` hook of `SessionRecorder`) that walks
an event record (nested dicts, lists, strings) and replaces secrets with `[REDACTED:name]`.
Which names are secret is decided in one place, config/secrets.py; this module turns that
into one regex. What it finds:

- literal secrets, anywhere in any string:
  - the values of environment variables with secret names (`*_KEY`, `*_TOKEN`, `*SECRET`,
    `*PASSWORD`, `*_PASS` … see `is_secret_variable`), named after the variable:
    `[REDACTED:PAGERDUTY_TOKEN]`;
  - the DSNs named by the environment's `database_url_env` / `redis_url_env`, and any other
    variable whose value is a URL with a password in it: `[REDACTED:PRODUCTION_DATABASE_URL]`,
    and the password inside each of them, alone, `[REDACTED:password]`;
  - what the config declares secret (`Config.secrets` and `Environment.secrets`), by the rule
    of `secret_entry_kind`: a set variable's name means its value, a variable-looking name
    that is not set is listed in `Redactor.unresolved` (so the app can warn), anything else
    is the secret itself, `[REDACTED:secret]`;
  - values shorter than `MIN_LITERAL` characters are not used as literals (redacting every
    "1234" in every log line would destroy the record); their structured forms still are.
- patterns, for secrets nobody declared (what logs, queries and bodies actually contain):
  - passwords in URLs/DSNs: `postgresql://user:[REDACTED:password]@host`;
  - `"token": "…"`, `"password": "…"`, `"SecretAccessKey": "…"` inside JSON text: the whole
    string, `"token": "[REDACTED:token]"`;
  - `Authorization:` header values (to the end of the line), `Bearer …`, `Token token=…`:
    `[REDACTED:authorization]`; `Cookie:` / `Set-Cookie:` values: `[REDACTED:cookie]`;
  - JWTs (`eyJ….….…`): `[REDACTED:jwt]`;
  - AWS access key ids (`AKIA…`, temporary `ASIA…` …): `[REDACTED:aws_access_key]`, and AWS
    secret keys after `aws_secret_access_key=` and similar: `[REDACTED:aws_secret_key]`;
  - SQL `PASSWORD '…'` (and `IDENTIFIED BY '…'`): `PASSWORD '[REDACTED:password]'`;
  - assignments to a secret name, `PGPASSWORD=…`, `MYAPP_DB_PASS=…`, `token=…`,
    `password: …`, `X-Api-Key: …`, quoted values whole: `[REDACTED:PGPASSWORD]`.
  A value that starts with `$` is a reference (`$PRODUCTION_DATABASE_URL` in a runbook
  command), not a secret, and is kept.
- dict keys with a secret name (`password`, `token`, `Authorization`, `X-Api-Key` …): their
  whole string value is redacted, `[REDACTED:<key>]`.

Speed matters: every log line is redacted before it is recorded, close to a million a second
from a firehose. Everything is one precompiled regex, and a string is searched at all only
when it contains one of `TRIGGERS` (every pattern needs one; keep them in step), a literal,
or "@" and "://": substring tests at C speed. A batch of lines is tested whole, and only its
suspect lines are rewritten (sessions/redact_batch.py). No pattern crosses a line break, so
testing a batch joined is safe. See bench/redact.py.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

from omniops_tui.config.secrets import (
    SECRET_CAPITAL_SUFFIXES,
    SECRET_KEYS,
    SECRET_NAME_PATTERN,
    SECRET_SUFFIXES,
    SECRET_WORDS,
    is_secret_name,
    is_secret_variable,
    secret_entry_kind,
)
from omniops_tui.sessions.redact_batch import (
    TRIGGERS,
    fold_case,
    lines_by_lowered,
    plan_literals,
    suspect_lines,
)

MIN_LITERAL = 6
SKIP_KEYS = frozenset({"type", "seq", "t", "at"})
AUTH_SCHEMES = r"(?:bearer|basic|token|oauth|digest|apikey|jwt|aws4-hmac-sha256|negotiate)"
_REFERENCE = r"(?!\$|\[REDACTED)"
_AFTER_NAME = rf"['\"]?[ \t]*[:=][ \t]*(?P<assignment_q>['\"])?(?i:{AUTH_SCHEMES}[ \t]+)?+(?i:token=)?+"


def _alternation(words: Iterable[str], *, top: bool = True) -> str:
    """`words` as one case-insensitive regex alternation factored by common prefixes (a trie).

    Each branch starts with a class of its first letter (`[Pp](?i:ass…)`), which the engine
    tests several times faster than a case-insensitive literal: the regex is tried at every
    position of a suspect line, so its first step is what costs.
    """
    branches: dict[str, list[str]] = {}
    ends = False
    for word in sorted({w.lower() for w in words}):
        if word:
            branches.setdefault(word[0], []).append(word[1:])
        else:
            ends = True
    parts = []
    for first, rest in branches.items():
        head = f"[{first}{first.upper()}]" if top and first.isalpha() else re.escape(first)
        tail = _alternation(rest, top=False)
        parts.append(head + (f"(?i:{tail})" if top and tail else tail))
    if not parts:
        return ""
    body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
    return f"(?:{body})?" if ends else body


def _word(word: str) -> str:
    """`word` in any case, its first letter as a class (see `_alternation`)."""
    return _alternation([word])


# The end of a secret name, matched where it ends (the rest of the name is read back in
# `_replace`): a suffix after anything, a word only after a boundary, capitals in capitals.
_SECRET_NAME_END = (
    _alternation(SECRET_SUFFIXES)
    + "".join(f"|{_word(w)}(?<![A-Za-z0-9](?i:{w}))" for w in SECRET_WORDS)
    + "".join(f"|{c}(?<![a-z]{c})" for c in SECRET_CAPITAL_SUFFIXES)
)
# Named groups: `<name>_v` is the secret, `<name>_p` the kept text before it, `<name>_n` its name.
# Every alternative starts with a literal or a short class (no look-behind first, no lazy
# prefix): the engine tries them at every position of a suspect line, so that must be cheap.
_PATTERNS = [
    # scheme://user:PASSWORD@host  (redis://:PASSWORD@host too)
    # (`***` is a password already masked: kept)
    ("password", r"(?P<password_p>://[^\s:/@'\"]*:)(?P<password_v>(?!\*\*\*@)[^\s@'\"]+)(?=@)"),
    # "token": "…" / "Authorization": "Bearer …" in JSON text: the whole string (scheme kept)
    (
        "json",
        rf'(?P<json_p>"(?P<json_n>{SECRET_NAME_PATTERN})"[ \t]*:[ \t]*"(?i:{AUTH_SCHEMES}[ \t]+)?+)'
        rf'(?P<json_v>{_REFERENCE}(?:[^"\\\n]|\\.)+)',
    ),
    # Authorization: Bearer X … / Authorization: Token token=X: to the end of the line or quote
    (
        "authorization",
        rf"(?P<authorization_p>{_word('authorization')}[ \t]*:[ \t]*+"
        rf"(?i:{AUTH_SCHEMES}[ \t]+)?+(?i:token=)?+)"
        rf"(?P<authorization_v>{_REFERENCE}[^\s\"'][^\r\n\"']*)",
    ),
    # Cookie: a=b; c=d / Set-Cookie: …: to the end of the line or quote
    (
        "cookie",
        rf"(?P<cookie_p>{_alternation(['set-cookie', 'cookie'])}[ \t]*:[ \t]*+)"
        rf"(?P<cookie_v>{_REFERENCE}[^\s\"'][^\r\n\"']*)",
    ),
    (
        "bearer",
        rf"(?P<bearer_p>(?:{_word('bearer')}|{_word('token')}[ \t]+(?i:token=))[ \t]*)"
        rf"(?P<bearer_v>{_REFERENCE}[A-Za-z0-9\-._~+/]+=*)",
    ),
    ("jwt", r"(?P<jwt_v>eyJ(?<![\w-]eyJ)[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*)"),
    # AWS access key ids: long-term (AKIA) and temporary (ASIA)
    ("aws_access_key", r"(?P<aws_access_key_v>A(?<![A-Z0-9]A)(?:KIA|SIA)[0-9A-Z]{16}(?![0-9A-Z]))"),
    # ALTER ROLE app PASSWORD 'x' / CREATE USER … IDENTIFIED BY 'x' ('' is a quote inside)
    (
        "sql_password",
        rf"(?P<sql_password_p>(?:{_word('password')}|{_word('identified')}[ \t]+(?i:by))[ \t]+')"
        r"(?P<sql_password_v>(?:[^'\n]|'')+)",
    ),
    # PGPASSWORD=x / token=x / DB_PASS: x / password="two words" / 'secret': 'x'
    (
        "assignment",
        rf"(?P<assignment_p>(?P<assignment_n>{_SECRET_NAME_END}){_AFTER_NAME})"
        rf"(?P<assignment_v>{_REFERENCE}(?(assignment_q)(?:(?!(?P=assignment_q))[^\n\\]|\\.)+|[^\s'\",;&]+))",
    ),
]
# How a match is named in its `[REDACTED:…]` when not by the secret's own name.
_NAMES = {"bearer": "authorization", "sql_password": "password"}
_AWS_SECRET_NAMES = frozenset(
    {"aws_secret_access_key", "aws_secret_key", "secret_access_key", "secretaccesskey"}
)
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")


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
        self._literal_plan = plan_literals(self._literal_values)  # for ASCII batches

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
        """A batch of lines (strings): only the lines that may hold a secret go through the
        regex, found for the whole batch at once (sessions/redact_batch.py); a clean batch is
        returned as is. The same result as `text` on each line, at a fraction of the cost."""
        if not lines:
            return lines
        joined = "\n".join(lines)  # TypeError for an item that is not a string
        suspects = suspect_lines(lines, joined, self._literal_plan)
        if suspects is None:
            suspects = lines_by_lowered(lines, joined, self._literal_values)
        if suspects is None:  # lower() changed a length (rare non-ASCII): line by line
            return [self.text(line) for line in lines]
        if not suspects:
            return lines
        out = list(lines)
        for index in suspects:
            out[index] = self._sub(self._replace, lines[index])
        return out

    def suspect(self, text: str) -> bool:
        """Might `text` hold a secret? False means certainly not (the fast path)."""
        lower = fold_case(text)
        return (
            any(map(lower.__contains__, TRIGGERS))
            or ("@" in text and "://" in text)
            or any(map(text.__contains__, self._literal_values))
        )

    def value(self, value: Any) -> Any:
        """Any JSON-like value (str, list, dict, scalars), redacted recursively."""
        return self._value("", value)

    def _value(self, key: str, value: Any) -> Any:
        kind = type(value)
        if kind is str:
            if key and is_secret_name(key) and value and not value.startswith(("$", "[REDACTED")):
                return f"[REDACTED:{key}]"
            return self.text(value)
        if kind is list:
            if value and type(value[0]) is str:  # a batch of lines, most likely
                with contextlib.suppress(TypeError):  # not only strings after all
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
            start = match.start("assignment_n")
            text = match.string
            while start > 0 and text[start - 1] in _NAME_CHARS:
                start -= 1  # the match starts at the secret word: the name starts before it
            secret_name = text[start : match.end("assignment_n")]
            if secret_name.lower() in _AWS_SECRET_NAMES:
                secret_name = "aws_secret_key"
            return f"{match.group('assignment_p')}[REDACTED:{secret_name}]"
        if name == "json":
            return f"{match.group('json_p')}[REDACTED:{match.group('json_n')}]"
        if name == "jwt":
            return "[REDACTED:jwt]"
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
    """Values of the variables with secret names (`is_secret_variable`), by value."""
    return {value: name for name, value in environ.items() if value and is_secret_variable(name)}


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
    for key in SECRET_KEYS:
        variable = getattr(environment, key, "") if environment is not None else ""
        if variable and environ.get(variable):
            literals.update(url_literals(variable, environ[variable]))
    entries = [*(getattr(config, "secrets", None) or []), *(getattr(environment, "secrets", None) or [])]
    for entry in entries:
        if not isinstance(entry, str) or not entry:
            continue
        kind = secret_entry_kind(entry, environ)
        if kind == "variable":
            value = environ[entry]
            literals.update(url_literals(entry, value) if "://" in value else {value: entry})
        elif kind == "unset":
            unresolved.append(entry)
        else:
            literals.setdefault(entry, "secret")
    return Redactor(literals, unresolved=unresolved)


def default_redactor() -> Redactor:
    """Patterns plus the process environment, for when there is no config at hand."""
    return build_redactor(None, None)


def patterns_only() -> Redactor:
    """Only the patterns, no literal: for text that is not from this machine's secrets (a
    config being printed), where a variable's value must not be taken for a secret."""
    return Redactor({})
