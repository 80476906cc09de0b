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

from omniops_tui.errors import UserError
from omniops_tui.locations import default_config_path

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
    tls_host: str = ""
    tls_port: int = 443
    verify_tls: bool = True
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

    def environment(self, name: str | None = None) -> Environment | None:
        """The named environment (or the default); None when none is configured."""
        if not self.env:
            if name:
                raise UserError(self._where(f"no environments configured, so --env {name} "
                                            "cannot be used; add an [env.NAME] table"))
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
        line = getattr(exc, "lineno", None)
        message = getattr(exc, "msg", str(exc))
        raise UserError(f"{where}:{line}: invalid TOML: {message}" if line
                        else f"{where}: invalid TOML: {exc}") from exc
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
        raise UserError(locator.at("default_env", f"names '{config.default_env}', "
                                                  "which has no [env.…] table"))
    return config


def _check_environment(environment: Environment, locator: _Locator) -> None:
    prefix = f"env.{environment.name}"
    if environment.base_url and urlparse(environment.base_url).scheme not in ("http", "https"):
        raise UserError(locator.at(f"{prefix}.base_url", "must start with http:// or https://"))
    if environment.s3 and environment.s3.backup_url and not environment.s3.backup_url.startswith("s3://"):
        raise UserError(locator.at(f"{prefix}.s3.backup_url", "must look like s3://bucket/prefix"))
    for key in ("database_url_env", "redis_url_env"):
        value = getattr(environment, key)
        if value and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
            raise UserError(locator.at(
                f"{prefix}.{key}",
                "must be the NAME of an environment variable (it looks like a value); "
                "never put the secret itself in the config",
            ))


def resolve_secret(config: Config, environment: Environment, key: str) -> str:
    """Read the secret whose variable `environment.<key>` names; a missing one is an error."""
    variable = getattr(environment, key)
    if not variable:
        return ""
    value = os.environ.get(variable)
    if not value:
        locator = _Locator(config.path.read_text(encoding="utf-8") if config.path and
                           config.path.exists() else "", str(config.path or "<config>"))
        raise UserError(locator.at(
            f"env.{environment.name}.{key}",
            f"names ${variable}, which is not set; export {variable} or remove the key",
        ))
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


def _build(cls: type, raw: dict[str, Any], prefix: str, locator: _Locator,
           skip: set[str] | None = None) -> Any:
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
    return {dict: "a table", list: "a list", str: "a string", bool: "a boolean",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def _closest(key: str, names: set[str]) -> str | None:
    import difflib

    matches = difflib.get_close_matches(key, sorted(names), n=1, cutoff=0.6)
    return matches[0] if matches else None
