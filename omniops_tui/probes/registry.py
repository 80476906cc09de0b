"""The registry of check kinds, by name: what bindings.toml may name and how each is judged.

The schema lives apart from the check modules, so bindings.toml can be validated (and the UI
can list kinds) without importing httpx, asyncpg, boto3, asyncssh or redis. The kinds are
declared as data in probes/kinds_*.py and indexed here explicitly, in one place, with no
import side effects.
"""

from __future__ import annotations

from omniops_tui.core.errors import UserError
from omniops_tui.core.thresholds import Limits, thresholds
from omniops_tui.probes import kinds_hosts, kinds_stores, kinds_web
from omniops_tui.probes.base import CheckSpec, Threshold
from omniops_tui.probes.kind import CheckFn, CheckKind, Param  # noqa: F401  (re-exported)


def _index(*groups: list[CheckKind]) -> dict[str, CheckKind]:
    kinds: dict[str, CheckKind] = {}
    for kind in (kind for group in groups for kind in group):
        if kind.name in kinds:
            raise ValueError(f"check kind {kind.name!r} declared twice")
        kinds[kind.name] = kind
    return kinds


KINDS: dict[str, CheckKind] = _index(kinds_web.KINDS, kinds_stores.KINDS, kinds_hosts.KINDS)


def get_kind(name: str) -> CheckKind:
    return KINDS[name]


def limits_for(spec: CheckSpec) -> Limits | None:
    """The thresholds.toml entry a binding names with `judged_by` (None when it names none)."""
    name = spec.params.get("judged_by")
    if not name:
        return None
    try:
        return thresholds().limits_of(str(name))
    except KeyError as exc:
        raise UserError(f"checks.{spec.base_id}: judged_by: {exc.args[0]}") from exc


def threshold_of(spec: CheckSpec) -> Threshold | None:
    """The binding's threshold, else the entry it is `judged_by`, else its kind's default.

    None: the value is only shown.
    """
    if spec.threshold is not None and not spec.threshold.empty:
        return spec.threshold
    limits = limits_for(spec)
    if limits is not None:
        return Threshold(**limits.check_threshold())
    kind = KINDS.get(spec.kind)
    return kind.default_threshold if kind else None
