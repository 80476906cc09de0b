"""Secrets: which names are secret, where their values come from, how they are shown.

The one list. Everything that decides "is this a secret?" reads it from here: the config
keys that name a secret's variable (`database_url_env` …), the words that make a name secret
(an environment variable, a JSON or dict key, a `NAME=value` in a log line), the rule for the
config's `secrets = [...]` entries, and how a secret is shown (`$NAME (set)`, `***`). The
session redactor (sessions/redact.py) builds its patterns from these lists.

Secrets never live in the config (DESIGN principle 4): `database_url_env =
"PRODUCTION_DATABASE_URL"` names the variable, `resolve_secret` reads it when a check needs it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from omniops_tui.config.toml import Locator
from omniops_tui.core.errors import UserError


class _HasPath(Protocol):
    """A config, as far as secrets are concerned: where it was read from (for file:line)."""

    path: Path | None


class _Named(Protocol):
    """An environment, as far as secrets are concerned: its name (its keys are read by name)."""

    name: str


#: The environment keys that name the variable holding a secret, by the check target needing it.
SECRET_OF_TARGET: dict[str, str] = {"postgres": "database_url_env", "redis": "redis_url_env"}
SECRET_KEYS: tuple[str, ...] = tuple(SECRET_OF_TARGET.values())

#: A name is secret when it ends with one of these, in any case, whatever comes before it:
#: PGPASSWORD, client_secret, csrftoken, X-Api-Key, SecretAccessKey, Set-Cookie.
SECRET_SUFFIXES: tuple[str, ...] = (
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "accesskey",
    "access_key",
    "access-key",
    "secretkey",
    "secret_key",
    "private_key",
    "privatekey",
    "credential",
    "credentials",
    "signature",
    "authorization",
    "cookie",
)
#: ... or ends with one of these after `_` or `-`, or is one (DB_PASS, db-pwd, pass); never
#: inside a word ("bypass", "compass" are not secrets).
SECRET_WORDS: tuple[str, ...] = ("pass", "pwd")
#: ... or is written in capitals, as variables are, and ends with one of these (STRIPE_KEY,
#: MYAPP_DB_PASS).
SECRET_CAPITAL_SUFFIXES: tuple[str, ...] = ("_KEY", "PASS")
#: Variables whose names look secret but whose values are not (a folder, a helper program).
NOT_SECRET_VARIABLES = re.compile(r"(?:OLD)?PWD|[A-Z_]*ASKPASS")

_NAME_CHAR = r"[A-Za-z0-9_.-]"
SECRET_NAME_PATTERN = (
    rf"{_NAME_CHAR}*?(?:"
    rf"(?i:{'|'.join(re.escape(s) for s in SECRET_SUFFIXES)})"
    rf"|(?:(?<![A-Za-z0-9])|[_-])(?i:{'|'.join(SECRET_WORDS)})"
    rf"|(?<![a-z])(?:{'|'.join(SECRET_CAPITAL_SUFFIXES)})"
    r")"
)
"""A regex for a whole secret name; use it between name boundaries (see `is_secret_name`)."""
_SECRET_NAME = re.compile(SECRET_NAME_PATTERN)

#: A config `secrets` entry that looks like a variable name (but may not be set).
VARIABLE_LIKE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def is_secret_name(name: str) -> bool:
    """Does `name` (a key, a header, a variable) say that its value is a secret?"""
    return _SECRET_NAME.fullmatch(name) is not None


def is_secret_variable(name: str) -> bool:
    """Is the environment variable `name` one whose value is a secret?"""
    return is_secret_name(name) and NOT_SECRET_VARIABLES.fullmatch(name) is None


def secret_entry_kind(entry: str, environ: Mapping[str, str]) -> str:
    """The rule for the config's `secrets = [...]` entries (config-wide and per environment).

    "variable": the name of a set variable, meaning its value; "unset": looks like a variable
    name (UPPER_CASE_WITH_UNDERSCORES) but is not set, so it is ignored (and warned about);
    "literal": anything else is the secret itself (it should not be in the file: it is
    masked when the config is printed).
    """
    if _IDENTIFIER.fullmatch(entry) and environ.get(entry):
        return "variable"
    if VARIABLE_LIKE.fullmatch(entry):
        return "unset"
    return "literal"


# ---------------------------------------------------------------------------- resolution
def resolve_secret(config: _HasPath, environment: _Named, key: str) -> str:
    """Read the secret whose variable `environment.<key>` names; a missing one is an error."""
    variable = getattr(environment, key)
    if not variable:
        return ""
    value = os.environ.get(variable)
    if not value:
        try:
            text = config.path.read_text(encoding="utf-8") if config.path and config.path.exists() else ""
        except (OSError, UnicodeDecodeError):
            text = ""
        locator = Locator(text, str(config.path or "<config>"))
        raise UserError(
            locator.at(
                f"env.{environment.name}.{key}",
                f"names ${variable}, which is not set; export {variable} or remove the key",
            )
        )
    return value


def missing_secrets(config: _HasPath, environment: _Named) -> list[str]:
    """Every configured secret variable that is not set (for a start-up check)."""
    errors: list[str] = []
    for key in SECRET_KEYS:
        try:
            resolve_secret(config, environment, key)
        except UserError as exc:
            errors.append(str(exc))
    return errors


# ---------------------------------------------------------------------------- showing
_URL_PASSWORD = re.compile(
    r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^:/@\s]*):(?P<password>[^@/\s]+)@"
)
LITERAL_SHOWN = "*** (a secret written in the config: put it in a variable and name the variable)"


def mask_url(text: str) -> str:
    """Hide the password of every URL in `text`: postgresql://app:***@db/prod."""
    return _URL_PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}:***@", text)


def secret_state(variable: str) -> str:
    """How a secret variable is shown: its name and whether it is set, never its value."""
    return f"${variable} ({'set' if os.environ.get(variable) else 'not set'})"


def shown_entry(entry: Any, environ: Mapping[str, str] | None = None) -> str:
    """A `secrets` entry as `omniops-tui config` prints it: a variable by name, a literal never."""
    environ = os.environ if environ is None else environ
    if not isinstance(entry, str) or secret_entry_kind(entry, environ) == "literal":
        return LITERAL_SHOWN
    return secret_state(entry)
