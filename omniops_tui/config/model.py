"""TOML configuration: environments, their targets, and the *names* of the secrets' variables.

Read with tomllib and validated against the dataclasses below: an unknown key, a wrong type or
a variable that is not set is a `UserError` naming the key and, where it can be found, the
file:line. Secrets never live in the file (DESIGN principle 4): `database_url_env =
"PRODUCTION_DATABASE_URL"` names the variable, `resolve_secret` reads it when a check needs it.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from omniops_tui.config.locations import default_config_path
from omniops_tui.core.errors import UserError

DEFAULT_CHECK_INTERVAL = 15.0
DEFAULT_TIMEOUT = 5.0


@dataclass(slots=True)
class HostConfig:
    """An SSH host; `name` is resolved through ~/.ssh/config like `ssh NAME` would."""

    name: str
    hostname: str = ""
    user: str = ""
    port: int = 0
    known_hosts: str = ""
    client_keys: list[str] = field(default_factory=list)
    ssh_config: str = ""
    logs: list[str] = field(default_factory=list)
    log_commands: list[str] = field(default_factory=list)
    commands: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class S3Config:
    backup_url: str = ""
    endpoint_url: str = ""
    profile: str = ""
    region: str = ""
    max_age_hours: float = 26.0

    @property
    def bucket(self) -> str:
        return urlparse(self.backup_url).netloc

    @property
    def prefix(self) -> str:
        return urlparse(self.backup_url).path.lstrip("/")


@dataclass(slots=True)
class Environment:
    name: str = ""
    base_url: str = ""
    health_path: str = "/api/health"
    comprehensive_health_path: str = "/api/health/comprehensive"
    version_path: str = "/api/version"
    expected_version: str = ""
    previous_version: str = ""
    tls_host: str = ""
    tls_port: int = 443
    verify_tls: bool = True
    tls_ca_file: str = ""
    database_url_env: str = ""
    redis_url_env: str = ""
    required_extensions: list[str] = field(
        default_factory=lambda: ["uuid-ossp", "vector", "pg_trgm", "btree_gin"]
    )
    timeout: float = 0.0
    check_interval: float = 0.0
    latency_requests: int = 50
    latency_concurrency: int = 10
    log_buffer_lines: int = 10_000
    placeholders: dict[str, str] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)
    s3: S3Config | None = None
    hosts: list[HostConfig] = field(default_factory=list)
    # What may run from the runbooks here: "confirm" (the default: confirmations by class),
    # "read-only" (read-only blocks only) or "off" (nothing runs; commands are copied).
    run: str = ""


@dataclass(slots=True)
class Config:
    path: Path | None = None
    default_env: str = ""
    check_interval: float = DEFAULT_CHECK_INTERVAL
    timeout: float = DEFAULT_TIMEOUT
    sessions_dir: str = ""
    log_record_cap_mb: float = 50.0
    read_only: bool = False
    placeholders: dict[str, str] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)
    env: dict[str, Environment] = field(default_factory=dict)
    # The most of one HTTP body or SSH command output a check reads; the rest is not read.
    max_response_mb: float = 1.0

    def environment(self, name: str | None = None) -> Environment | None:
        """The named environment (or the default); None when none is configured."""
        if not self.env:
            if name:
                raise UserError(
                    self._where(
                        f"no environments configured, so --env {name} cannot be used; add an [env.NAME] table"
                    )
                )
            return None
        chosen = name or self.default_env or next(iter(self.env))
        if chosen not in self.env:
            known = ", ".join(sorted(self.env))
            raise UserError(self._where(f"unknown environment '{chosen}' (configured: {known})"))
        environment = self.env[chosen]
        return environment

    def interval(self, environment: Environment | None) -> float:
        if environment is not None and environment.check_interval:
            return environment.check_interval
        return self.check_interval

    def timeout_for(self, environment: Environment | None) -> float:
        if environment is not None and environment.timeout:
            return environment.timeout
        return self.timeout

    def placeholders_for(self, environment: Environment | None) -> dict[str, str]:
        merged = dict(self.placeholders)
        if environment is not None:
            merged.update(environment.placeholders)
        return merged

    def _where(self, message: str) -> str:
        return f"{self.path}: {message}" if self.path else message


# ---------------------------------------------------------------------------- loading
def load_config(path: Path | None = None, *, required: bool = False) -> Config:
    """Load the config; a missing default config is an empty one (the app still works)."""
    explicit = path is not None
    path = path or default_config_path()
    if path.is_dir():
        raise UserError(f"{path}: is a folder; --config needs a TOML file")
    if not path.exists():
        if explicit or required:
            raise UserError(f"{path}: config file not found (create one with `omniops-tui init`)")
        return Config()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{path}: cannot read config ({exc.strerror})") from exc
    return parse_config(text, path)


def parse_config(text: str, path: Path | None = None) -> Config:
    where = str(path) if path else "<config>"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(toml_error(where, exc, text)) from exc
    locator = _Locator(text, where)
    envs_raw = data.pop("env", {})
    config = _build(Config, data, "", locator, skip={"path", "env"})
    config.path = path
    if not isinstance(envs_raw, dict):
        raise UserError(locator.at("env", "must be a table of environments ([env.NAME])"))
    for name, raw in envs_raw.items():
        if not isinstance(raw, dict):
            raise UserError(locator.at(f"env.{name}", "must be a table"))
        environment = _build(Environment, {**raw, "name": name}, f"env.{name}", locator)
        _check_environment(environment, locator)
        config.env[name] = environment
    if config.default_env and config.default_env not in config.env:
        raise UserError(
            locator.at("default_env", f"names '{config.default_env}', which has no [env.…] table")
        )
    return config


def toml_error(where: str, exc: tomllib.TOMLDecodeError, text: str = "") -> str:
    """`file:line: invalid TOML: what` (Python 3.11's error only says the line in its text)."""
    line = getattr(exc, "lineno", None)
    message = getattr(exc, "msg", None) or str(exc)
    found = re.search(r"\s*\(at line (\d+), column \d+\)", message)
    if found:
        line = line or int(found.group(1))
        message = message.replace(found.group(0), "")
    elif "(at end of document)" in message:
        line = line or max(1, len(text.splitlines()))
        message = message.replace(" (at end of document)", " at the end of the file")
    return f"{where}:{line}: invalid TOML: {message}" if line else f"{where}: invalid TOML: {message}"


def _check_environment(environment: Environment, locator: _Locator) -> None:
    prefix = f"env.{environment.name}"
    if environment.base_url and urlparse(environment.base_url).scheme not in ("http", "https"):
        raise UserError(locator.at(f"{prefix}.base_url", "must start with http:// or https://"))
    if environment.s3 and environment.s3.backup_url and not environment.s3.backup_url.startswith("s3://"):
        raise UserError(locator.at(f"{prefix}.s3.backup_url", "must look like s3://bucket/prefix"))
    if environment.run and environment.run not in ("read-only", "confirm", "off"):
        raise UserError(locator.at(f"{prefix}.run", 'must be "read-only", "confirm" or "off"'))
    for key in ("database_url_env", "redis_url_env"):
        value = getattr(environment, key)
        if value and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
            raise UserError(
                locator.at(
                    f"{prefix}.{key}",
                    "must be the NAME of an environment variable (it looks like a value); "
                    "never put the secret itself in the config",
                )
            )


def resolve_secret(config: Config, environment: Environment, key: str) -> str:
    """Read the secret whose variable `environment.<key>` names; a missing one is an error."""
    variable = getattr(environment, key)
    if not variable:
        return ""
    value = os.environ.get(variable)
    if not value:
        locator = _Locator(
            config.path.read_text(encoding="utf-8") if config.path and config.path.exists() else "",
            str(config.path or "<config>"),
        )
        raise UserError(
            locator.at(
                f"env.{environment.name}.{key}",
                f"names ${variable}, which is not set; export {variable} or remove the key",
            )
        )
    return value


def missing_secrets(config: Config, environment: Environment) -> list[str]:
    """Every configured secret variable that is not set (for a start-up check)."""
    errors: list[str] = []
    for key in ("database_url_env", "redis_url_env"):
        try:
            resolve_secret(config, environment, key)
        except UserError as exc:
            errors.append(str(exc))
    return errors


# ---------------------------------------------------------------------------- schema
class _Locator:
    """Finds the line of a dotted key in the TOML text, for file:line errors."""

    def __init__(self, text: str, where: str) -> None:
        self.lines = text.splitlines()
        self.where = where

    def line_of(self, dotted: str) -> int | None:
        parts = dotted.split(".")
        key = parts[-1]
        table = ".".join(parts[:-1])
        current = ""
        header = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
        for number, line in enumerate(self.lines, 1):
            match = header.match(line)
            if match:
                current = match.group(1).replace('"', "")
                if current == dotted or current.startswith(dotted + "."):
                    return number
                continue
            if re.match(rf'^\s*"?{re.escape(key)}"?\s*=', line) and (
                current == re.sub(r"\.\d+(?=\.|$)", "", table) or not table
            ):
                return number
        return None

    def at(self, dotted: str, message: str) -> str:
        line = self.line_of(dotted)
        location = f"{self.where}:{line}" if line else self.where
        return f"{location}: {dotted} {message}"


def _build(
    cls: type, raw: dict[str, Any], prefix: str, locator: _Locator, skip: set[str] | None = None
) -> Any:
    skip = skip or set()
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)} - skip
    values: dict[str, Any] = {}
    for key, value in raw.items():
        dotted = f"{prefix}.{key}" if prefix else key
        if key not in names:
            suggestion = _closest(key, names)
            hint = f" (did you mean '{suggestion}'?)" if suggestion else ""
            raise UserError(locator.at(dotted, f"is not a known setting{hint}"))
        values[key] = _convert(hints[key], value, dotted, locator)
    return cls(**values)


def _convert(hint: Any, value: Any, dotted: str, locator: _Locator) -> Any:
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _convert(options[0], value, dotted, locator)
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise UserError(locator.at(dotted, f"must be a table, not {_kind(value)}"))
        return _build(hint, value, dotted, locator)
    if origin is list:
        (inner,) = typing.get_args(hint)
        if not isinstance(value, list):
            raise UserError(locator.at(dotted, f"must be a list, not {_kind(value)}"))
        return [_convert(inner, v, f"{dotted}.{i}", locator) for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise UserError(locator.at(dotted, f"must be a table, not {_kind(value)}"))
        if not all(isinstance(v, str) for v in value.values()):
            raise UserError(locator.at(dotted, "values must all be strings"))
        return dict(value)
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise UserError(locator.at(dotted, f"must be a number, not {_kind(value)}"))
        if value < 0:
            raise UserError(locator.at(dotted, "must not be negative"))
        return float(value)
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise UserError(locator.at(dotted, f"must be a whole number, not {_kind(value)}"))
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise UserError(locator.at(dotted, f"must be true or false, not {_kind(value)}"))
        return value
    if hint is str:
        if not isinstance(value, str):
            raise UserError(locator.at(dotted, f"must be a string, not {_kind(value)}"))
        return value
    return value


def _kind(value: Any) -> str:
    return {
        dict: "a table",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


def _closest(key: str, names: set[str]) -> str | None:
    import difflib

    matches = difflib.get_close_matches(key, sorted(names), n=1, cutoff=0.6)
    return matches[0] if matches else None


# ---------------------------------------------------------------------------- masking
_URL_PASSWORD = re.compile(
    r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^:/@\s]*):(?P<password>[^@/\s]+)@"
)
SECRET_KEYS = ("database_url_env", "redis_url_env")


def mask_url(text: str) -> str:
    """Hide the password of every URL in `text`: postgresql://app:***@db/prod."""
    return _URL_PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}:***@", text)


def secret_state(variable: str) -> str:
    """How a secret variable is shown: its name and whether it is set, never its value."""
    return f"${variable} ({'set' if os.environ.get(variable) else 'not set'})"


def masked_config(config: Config) -> dict[str, Any]:
    """The effective config as plain data, safe to print: no secret value, no URL password."""
    data = dataclasses.asdict(config)
    data.pop("path", None)
    data["secrets"] = [secret_state(v) for v in config.secrets]
    for environment in data["env"].values():
        for key in SECRET_KEYS:
            if environment.get(key):
                environment[key] = secret_state(environment[key])
        environment["secrets"] = [secret_state(v) for v in environment.get("secrets", [])]
        environment.pop("name", None)
    return _mask_strings(_drop_none(data))


def masked_config_text(config: Config, selected_env: str | None = None) -> str:
    """`omniops-tui config`: a TOML dump of the effective config with secrets masked."""
    import tomli_w

    if config.path is not None:
        head = [f"# effective config from {config.path}"]
    else:
        head = [
            f"# no config file at {default_config_path()}: defaults shown "
            "(create one with `omniops-tui init`)"
        ]
    if config.env:
        chosen = selected_env or config.default_env or next(iter(config.env))
        head.append(f"# environment in use: {chosen}")
    head.append("# secrets masked: variables as $NAME (set / not set), URL passwords as ***")
    return "\n".join(head) + "\n\n" + tomli_w.dumps(masked_config(config))


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value if v is not None]
    return value


def _mask_strings(value: Any) -> Any:
    if isinstance(value, str):
        return mask_url(value)
    if isinstance(value, dict):
        return {k: _mask_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_strings(v) for v in value]
    return value


# ---------------------------------------------------------------------------- starter config
def starter_config_text() -> str:
    """The commented config `omniops-tui init` writes (TOML bodies by tomli-w, comments by us)."""
    import tomli_w

    def entry(key: str, value: Any, comment: str) -> str:
        notes = "".join(f"# {line}\n" for line in comment.splitlines())
        return notes + tomli_w.dumps({key: value})

    def table(header: str, comment: str, entries: list[tuple[str, Any, str]]) -> str:
        notes = "".join(f"# {line}\n" for line in comment.splitlines())
        return notes + f"{header}\n" + "".join(entry(*e) for e in entries)

    production = [
        (
            "base_url",
            "https://yourdomain.com",
            "The application's public URL: health checks, smoke tests and latency probes go here.",
        ),
        ("health_path", "/api/health", "Paths of the health endpoints under base_url."),
        ("comprehensive_health_path", "/api/health/comprehensive", ""),
        ("version_path", "/api/version", ""),
        ("expected_version", "", 'The version being deployed (e.g. "v1.2.1"), compared with /api/version.'),
        (
            "previous_version",
            "",
            'The version a rollback returns to (Emergency Rollback: "Version confirmed rolled back").',
        ),
        (
            "database_url_env",
            "PRODUCTION_DATABASE_URL",
            "NAME of the variable holding the PostgreSQL URL (never the URL itself).",
        ),
        ("redis_url_env", "REDIS_URL", "NAME of the variable holding the Redis URL."),
        (
            "required_extensions",
            ["uuid-ossp", "vector", "pg_trgm", "btree_gin"],
            "PostgreSQL extensions First-Time Deploy requires.",
        ),
        ("latency_requests", 50, "The latency probe: requests per run and how many at once."),
        ("latency_concurrency", 10, ""),
        ("verify_tls", True, 'Verify HTTPS certificates (tls_ca_file = "…" adds a private CA).'),
    ]
    text = [
        "# omniops-tui configuration, written by `omniops-tui init`.\n"
        "#\n"
        "# Secrets never go in this file: keys ending in _env hold the NAME of an environment\n"
        "# variable (export PRODUCTION_DATABASE_URL=postgresql://… in your shell); its value is read\n"
        "# only when a check needs it. `omniops-tui config` prints this config with secrets masked.\n\n",
        entry("default_env", "production", "Environment used when --env is not given."),
        entry(
            "check_interval",
            DEFAULT_CHECK_INTERVAL,
            "Seconds between two runs of an open runbook's live checks.",
        ),
        entry(
            "timeout",
            DEFAULT_TIMEOUT,
            "Seconds a check may wait for an answer (a dead host costs one timeout, no more).",
        ),
        entry("read_only", False, "Never run a runbook command, even on request (like --read-only)."),
        "\n",
        table(
            "[placeholders]",
            "Words of the runbooks replaced when commands are shown or copied.",
            [("yourdomain.com", "yourdomain.com", "")],
        ),
        "\n",
        table("[env.production]", "One table per environment; choose one with --env NAME.", production),
        "\n",
        table(
            "[env.production.s3]",
            "Where database backups are uploaded (checked: newest one present "
            'and recent).\nendpoint_url = "…" for S3-compatible storage; profile = "…" for an AWS '
            "profile.",
            [
                ("backup_url", "s3://omniops-backups/production/", ""),
                ("max_age_hours", 26.0, "A backup older than this fails the check."),
            ],
        ),
        "\n",
        table(
            "[[env.production.hosts]]",
            "SSH hosts, one [[env.production.hosts]] table each. `name` is resolved through\n"
            "~/.ssh/config like `ssh production`; its key must already be in ~/.ssh/known_hosts.",
            [
                ("name", "production", ""),
                (
                    "logs",
                    ["/var/log/omniops/combined.log", "/var/log/omniops/error.log"],
                    "Log files streamed by the log panes; the first one is checked for ERROR spikes.",
                ),
            ],
        ),
        "\n",
        table(
            "[env.staging]",
            "A second environment: omniops-tui --env staging …",
            [
                ("base_url", "https://staging.yourdomain.com", ""),
                ("database_url_env", "STAGING_DATABASE_URL", ""),
            ],
        ),
    ]
    return "".join(text)


def write_starter_config(path: Path, *, force: bool = False) -> Path:
    """Write the starter config; an existing file is kept unless `force` (UserError, exit 2)."""
    path = path.expanduser()
    if path.exists() and not force:
        raise UserError(f"{path}: already exists; not overwriting it (use --force to replace it)")
    if path.is_dir():
        raise UserError(f"{path}: is a folder; give a file path with --path")
    text = starter_config_text()
    parse_config(text, path)  # what we write must load
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{path}: cannot write config ({exc.strerror})") from exc
    return path
