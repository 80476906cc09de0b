"""Which rollback criteria are firing, folded from `criterion_fired` / `criterion_cleared`.

The banner on every screen reads this, so a replayed session shows the banner exactly when
the live one did, without re-evaluating anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from omniops_tui.core.events import CriterionCleared, CriterionFired
from omniops_tui.sessions.state import SessionState, register_handler


@dataclass
class FiringCriteria:
    firing: dict[str, CriterionFired] = field(default_factory=dict)

    def snapshot(self) -> FiringCriteria:
        return FiringCriteria(dict(self.firing))


def firing(state: SessionState) -> FiringCriteria:
    found = state.extra.get("criteria")
    if found is None:
        found = state.extra["criteria"] = FiringCriteria()
    return found


def _fired(state: SessionState, event: CriterionFired) -> None:
    firing(state).firing[event.criterion_id] = event


def _cleared(state: SessionState, event: CriterionCleared) -> None:
    firing(state).firing.pop(event.criterion_id, None)


register_handler(CriterionFired, _fired)
register_handler(CriterionCleared, _cleared)
