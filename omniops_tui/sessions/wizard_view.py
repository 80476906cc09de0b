"""Where the wizard stands, read from the folded `wizard_*` events (live and replay alike).

The walk is the decision tree followed with the recorded answers; the live probes' suggestion
for the current question is the latest recorded `wizard_suggested` about it. Nothing here asks a
probe: the engine records suggestions, screens and replays only read them.
"""

from __future__ import annotations

from dataclasses import dataclass

from omniops_tui.core.events import WizardSuggested
from omniops_tui.logic.decision import DecisionTree, WalkResult
from omniops_tui.sessions.state import SessionState


@dataclass(frozen=True, slots=True)
class WizardView:
    result: WalkResult
    suggestion: WizardSuggested | None

    @property
    def suggested_answer(self) -> bool | None:
        return self.suggestion.suggested if self.suggestion is not None else None


def wizard_view(tree: DecisionTree, state: SessionState) -> WizardView:
    result = tree.walk([answer.answer for answer in state.wizard.answers])
    suggestion = state.wizard.suggestion_for(result.question.id) if result.question is not None else None
    return WizardView(result, suggestion)
