"""The catalogue's figures bound to PromQL: shipped defaults (promql.toml), per-environment overrides.

Kept apart from logic/metrics.py (units and thresholds live there): this file only says which
expression measures which figure. Expressions are never parsed: `$words` are replaced by the
environment's values and the text goes to the server as it is, so whatever PromQL the team's
Prometheus understands works, and a mistake comes back as the server's own error.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from omniops_tui.core.errors import UserError

if TYPE_CHECKING:
    from omniops_tui.config.model import Environment, PrometheusConfig

PROMQL_FILE = Path(__file__).with_name("promql.toml")
_VARIABLE = re.compile(r"\$([a-z_]+)")
#: Variables that must have a value: a query using one is not asked when it is empty.
REQUIRED_VARIABLES = frozenset({"expected_version_re"})


@dataclass(frozen=True, slots=True)
class PromQLBinding:
    """One figure's expression, as written (with `$variables`), and how to read its answer."""

    metric: str
    expr: str
    per_host: bool = False
    exporter: str = ""
    label: str = ""
    unit: str = ""
    overridden: bool = False


@dataclass(frozen=True, slots=True)
class BoundQuery:
    """A binding with the environment's values in place: what is actually sent."""

    binding: PromQLBinding
    query: str

    @property
    def metric(self) -> str:
        return self.binding.metric

    @property
    def per_host(self) -> bool:
        return self.binding.per_host


@lru_cache(maxsize=4)
def default_bindings(path: Path = PROMQL_FILE) -> dict[str, PromQLBinding]:
    """Every figure of the data file, with or without an expression (in file order)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UserError(f"{path}: cannot read the PromQL catalogue ({exc})") from exc
    bindings: dict[str, PromQLBinding] = {}
    for name, raw in data.get("metric", {}).items():
        bindings[name] = PromQLBinding(
            metric=name,
            expr=str(raw.get("expr", "")),
            per_host=bool(raw.get("per_host", False)),
            exporter=str(raw.get("exporter", "")),
            label=str(raw.get("label", "")),
            unit=str(raw.get("unit", "")),
        )
    return bindings


def bindings_for(settings: PrometheusConfig, *, where: str = "prometheus") -> dict[str, PromQLBinding]:
    """The defaults with the environment's `queries` applied; only figures that have an expression.

    An override naming a figure the catalogue does not have is a `UserError` naming `where`
    (e.g. `config.toml: env.production.prometheus.queries`) and the known names.
    """
    merged = dict(default_bindings())
    for name, expr in settings.queries.items():
        base = merged.get(name)
        if base is None:
            known = ", ".join(sorted(merged))
            raise UserError(f"{where}.queries: '{name}' is not a figure of the catalogue ({known})")
        merged[name] = PromQLBinding(
            name, expr.strip(), base.per_host, "configured", base.label, base.unit, overridden=True
        )
    return {name: binding for name, binding in merged.items() if binding.expr}


def variables(settings: PrometheusConfig, environment: Environment | None) -> dict[str, str]:
    """What each `$word` of an expression stands for in this environment."""
    expected = (environment.expected_version if environment else "").strip()
    bare = expected[1:] if expected[:1] in ("v", "V") else expected
    return {
        "app": settings.app_selector,
        "node": settings.node_selector,
        "postgres": settings.postgres_selector,
        "redis": settings.redis_selector,
        "window": settings.window or "1m",
        "host_label": settings.host_label or "instance",
        # A PromQL string holds a regex: `.` escaped for the regex, the backslash for the string.
        "expected_version_re": re.sub(r"([.+*?^$()\[\]{}|\\])", r"\\\\\1", bare),
    }


def render(expr: str, values: dict[str, str]) -> str | None:
    """The expression with its variables replaced; None when a required one is empty.

    Unknown `$words` are left as they are: the server says what is wrong with them.
    """
    missing = False

    def substitute(match: re.Match[str]) -> str:
        nonlocal missing
        name = match.group(1)
        if name not in values:
            return match.group(0)
        if name in REQUIRED_VARIABLES and not values[name]:
            missing = True
        return values[name]

    text = _VARIABLE.sub(substitute, expr)
    return None if missing else text


def bound_queries(
    settings: PrometheusConfig, environment: Environment | None, *, where: str = "prometheus"
) -> list[BoundQuery]:
    """Every figure this environment reads from Prometheus, ready to send."""
    values = variables(settings, environment)
    queries = []
    for binding in bindings_for(settings, where=where).values():
        text = render(binding.expr, values)
        if text is not None:
            queries.append(BoundQuery(binding, text))
    return queries


def host_of(label_value: str, aliases: dict[str, str] | None = None) -> str:
    """The host a node series is about: `prod-1:9100` → `prod-1`; an alias maps an address to
    the configured host's name (`10.0.0.12` → `production`)."""
    value = label_value.strip()
    if value.startswith("[") and "]" in value:  # [::1]:9100
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        value = value.rsplit(":", 1)[0]
    return (aliases or {}).get(value, value)
