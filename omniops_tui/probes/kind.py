"""What a check kind is: its parameters' schema, its default threshold, where its code lives.

The declarations of the kinds (probes/kinds_*.py) are data built from these classes; the
registry (probes/registry.py) indexes them. Nothing here imports a client library: a kind's
module is imported the first time one of its checks runs (`CheckKind.load`).
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from omniops_tui.core.thresholds import thresholds
from omniops_tui.probes.base import CheckResult, CheckSpec, Threshold

if TYPE_CHECKING:
    from omniops_tui.probes.context import CheckContext

CheckFn = Callable[["CheckSpec", "CheckContext"], Awaitable[CheckResult]]


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter of a kind: the TOML types it accepts, its default, what it is for."""

    types: tuple[type, ...]
    default: Any = None
    required: bool = False
    doc: str = ""

    @property
    def type_names(self) -> str:
        names = {
            str: "a string",
            int: "a whole number",
            float: "a number",
            bool: "true or false",
            list: "a list",
            dict: "a table",
        }
        return " or ".join(names.get(t, t.__name__) for t in self.types)


@dataclass(frozen=True, slots=True)
class CheckKind:
    """A kind of probe. `target` names the config section it needs (http, postgres, …)."""

    name: str
    module: str
    function: str
    target: str
    doc: str
    params: dict[str, Param] = field(default_factory=dict)
    default_threshold: Threshold | None = None
    uses_threshold: bool = True
    per_host: bool = False

    def load(self) -> CheckFn:
        module = importlib.import_module(self.module)
        return getattr(module, self.function)


def param(*types: type, default: Any = None, required: bool = False, doc: str = "") -> Param:
    """A parameter declaration, short enough to read one per line in the kinds' tables."""
    return Param(types, default, required, doc)


def limits_threshold(name: str) -> Threshold:
    """A kind's default threshold: the entry `name` of the one thresholds file."""
    return Threshold(**thresholds().limits_of(name).check_threshold())


JUDGED_BY = param(
    str,
    doc="the thresholds.toml entry the number is judged by when the binding gives no below/above "
    "(e.g. error_rate); a value outside the entry's range is unknown, not a number",
)
