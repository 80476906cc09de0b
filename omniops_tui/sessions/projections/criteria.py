"""Which rollback criteria are firing, folded from `criterion_fired` / `criterion_cleared`.

The banner on every screen reads this, so a replayed session shows the banner exactly when
the live one did, without re-evaluating anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from omniops_tui.core.events import CriterionCleared, CriterionFired


@dataclass(slots=True)
class FiringCriteria:
    """The criteria firing now, by id, each with the event that fired it."""

    firing: dict[str, CriterionFired] = field(default_factory=dict)

    def fired(self, event: CriterionFired) -> None:
        self.firing[event.criterion_id] = event

    def cleared(self, event: CriterionCleared) -> None:
        self.firing.pop(event.criterion_id, None)

    def snapshot(self) -> FiringCriteria:
        return FiringCriteria(dict(self.firing))
