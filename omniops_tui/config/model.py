"""TOML configuration: environments, their targets, and the *names* of the secrets' variables.

Read with tomllib and validated against the dataclasses below (config/toml.py): an unknown
key, a wrong type, a missing `name`, a number out of range (`port = 99999`, a negative count,
`timeout = nan`) or a file that is not UTF-8 is a `UserError` naming the file:line and the key.
Secrets never live in the file (DESIGN principle 4): `database_url_env =
"PRODUCTION_DATABASE_URL"` names the variable; config/secrets.py reads it when a check needs it.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from omniops_tui.config.locations import default_config_path
from omniops_tui.config.secrets import (  # noqa: F401  (re-exported: callers import them from here)
    SECRET_KEYS,
    mask_url,
    missing_secrets,
    resolve_secret,
    secret_state,
    shown_entry,
)
from omniops_tui.config.toml import Bounds, Locator, build, decode_utf8, parse_toml, toml_error  # noqa: F401
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
class PrometheusConfig:
    """`[env.NAME.prometheus]`: read the figures (and their history) from a Prometheus server.

    Secrets follow the config's rule: `*_env` keys name the variables that hold them. The
    `*_selector` values are label matchers (`job="omniops"`) put into the default PromQL of
    omniops_tui/probes/promql.toml as `$app`, `$node`, `$postgres`, `$redis`; `queries`
    replaces a metric's expression (an empty string stops reading that metric from Prometheus).
    """

    url: str = ""
    bearer_token_env: str = ""
    username_env: str = ""
    password_env: str = ""
    verify_tls: bool = True
    tls_ca_file: str = ""
    timeout: float = 0.0
    history_minutes: float = 30.0
    window: str = "1m"
    host_label: str = "instance"
    app_selector: str = ""
    node_selector: str = ""
    postgres_selector: str = ""
    redis_selector: str = ""
    queries: dict[str, str] = field(default_factory=dict)


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
    prometheus: PrometheusConfig | None = None


@dataclass(slots=True)
class Config:
    path: Path | None = None
    default_env: str = ""
    check_interval: float = DEFAULT_CHECK_INTERVAL
    timeout: float = DEFAULT_TIMEOUT
    sessions_dir: str = ""
    log_record_cap_mb: float = 50.0
    read_only: bool = False
    run_dir: str = ""  # where local runs of command blocks start (else the session's folder)
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


# ---------------------------------------------------------------------------- validation
#: Numbers with a range of their own (every other number must be finite and not negative).
#: A 0 in an environment means "use the config-wide value"; ports are 1-65535 (0: from ssh_config).
BOUNDS: dict[str, Bounds] = {
    "Config.check_interval": Bounds(0, 86_400, above=True),
    "Config.timeout": Bounds(0, 3_600, above=True),
    "Environment.timeout": Bounds(0, 3_600),
    "Environment.check_interval": Bounds(0, 86_400),
    "Environment.tls_port": Bounds(1, 65_535),
    "Environment.latency_requests": Bounds(1, 10_000),
    "Environment.latency_concurrency": Bounds(1, 1_000),
    "Environment.log_buffer_lines": Bounds(1, 10_000_000),
    "HostConfig.port": Bounds(0, 65_535),
    "S3Config.max_age_hours": Bounds(0, 87_600, above=True),
    # Sizes read into memory or written to disk: a typo (1e12) must not become a promise.
    "Config.max_response_mb": Bounds(0, 1_024, above=True),
    "Config.log_record_cap_mb": Bounds(0, 102_400),
    "PrometheusConfig.timeout": Bounds(0, 3_600),
    "PrometheusConfig.history_minutes": Bounds(0, 10_080),
}


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
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot read config ({exc.strerror})") from exc
    return parse_config(decode_utf8(raw, str(path)), path)


def parse_config(text: str, path: Path | None = None) -> Config:
    where = str(path) if path else "<config>"
    data = parse_toml(text, where)
    locator = Locator(text, where)
    envs_raw = data.pop("env", {})
    config = build(Config, data, "", locator, skip={"path", "env"}, bounds=BOUNDS)
    config.path = path
    if not isinstance(envs_raw, dict):
        raise UserError(locator.at("env", "must be a table of environments ([env.NAME])"))
    for name, raw in envs_raw.items():
        if not isinstance(raw, dict):
            raise UserError(locator.at(f"env.{name}", "must be a table"))
        if "name" in raw:
            raise UserError(locator.at(f"env.{name}.name", "is not a known setting (the table's name is it)"))
        environment = build(Environment, {**raw, "name": name}, f"env.{name}", locator, bounds=BOUNDS)
        _check_environment(environment, locator)
        config.env[name] = environment
    if config.default_env and config.default_env not in config.env:
        raise UserError(
            locator.at("default_env", f"names '{config.default_env}', which has no [env.…] table")
        )
    return config


def _check_environment(environment: Environment, locator: Locator) -> None:
    prefix = f"env.{environment.name}"
    if environment.base_url and urlparse(environment.base_url).scheme not in ("http", "https"):
        raise UserError(locator.at(f"{prefix}.base_url", "must start with http:// or https://"))
    if environment.s3 and environment.s3.backup_url and not environment.s3.backup_url.startswith("s3://"):
        raise UserError(locator.at(f"{prefix}.s3.backup_url", "must look like s3://bucket/prefix"))
    if environment.run and environment.run not in ("read-only", "confirm", "off"):
        raise UserError(locator.at(f"{prefix}.run", 'must be "read-only", "confirm" or "off"'))
    for key in SECRET_KEYS:
        value = getattr(environment, key)
        if value and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
            raise UserError(
                locator.at(
                    f"{prefix}.{key}",
                    "must be the NAME of an environment variable (it looks like a value); "
                    "never put the secret itself in the config",
                )
            )
    for index, host in enumerate(environment.hosts):
        if not host.name.strip():
            raise UserError(locator.at(f"{prefix}.hosts.{index}.name", "must not be empty"))


# ---------------------------------------------------------------------------- showing it
def masked_config(config: Config) -> dict[str, Any]:
    """The effective config as plain data, safe to print: no secret value, no URL password."""
    data = dataclasses.asdict(config)
    data.pop("path", None)
    data["secrets"] = [shown_entry(v) for v in config.secrets]
    for environment in data["env"].values():
        for key in SECRET_KEYS:
            if environment.get(key):
                environment[key] = secret_state(environment[key])
        environment["secrets"] = [shown_entry(v) for v in environment.get("secrets", [])]
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
    head.append("# secrets masked: variables as $NAME (set / not set), URL passwords and literals as ***")
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
