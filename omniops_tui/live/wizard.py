"""The wizard's moves, recorded: start, answer (yourself, or accepting the evidence), back, restart.

The decision tree is data; where the walk stands is derived from the recorded answers
(sessions/wizard_view.py). This driver records the engineer's moves and, for the question on
screen, the live probes' suggestion (`wizard_suggested`) whenever it changes, so a replay shows
exactly what the engineer saw and the post-mortem can say which answers followed the evidence.
"""

from __future__ import annotations

from omniops_tui.core.events import (
    WizardAnswered,
    WizardBack,
    WizardRecommended,
    WizardRestarted,
    WizardStarted,
    WizardSuggested,
)
from omniops_tui.live.base import SessionCore
from omniops_tui.logic.decision import suggest
from omniops_tui.sessions.wizard_view import WizardView, wizard_view


class WizardDriver:
    def __init__(self, session: SessionCore) -> None:
        self.session = session

    @property
    def available(self) -> bool:
        return self.session.basis.tree is not None

    def view(self) -> WizardView | None:
        tree = self.session.basis.tree
        return wizard_view(tree, self.session.state) if tree is not None else None

    def start(self) -> None:
        """The wizard was opened: recorded, and the first question's evidence is looked up."""
        if self.available and self.session.writable:
            self.session.record(WizardStarted())
            self.refresh()

    def refresh(self) -> None:
        """Record the probes' suggestion for the current question when it changed."""
        view = self.view()
        session = self.session
        if view is None or view.result.question is None or not session.writable:
            return
        question = view.result.question
        if not question.probe or session.setup.environment is None:
            return
        suggestion = suggest(question.probe, session.state.metrics)
        if suggestion.answer is None and not suggestion.evidence:
            return
        shown = view.suggestion
        if shown is None or (shown.suggested, shown.evidence) != (suggestion.answer, suggestion.evidence):
            session.record(
                WizardSuggested(
                    node_id=question.id, suggested=suggestion.answer, evidence=suggestion.evidence
                )
            )

    def answer(self, answer: bool) -> None:
        view = self.view()
        if view is None or view.result.question is None or not self.session.writable:
            return
        question = view.result.question
        suggested = view.suggested_answer
        source = "manual" if suggested is None else ("confirmed" if suggested == answer else "overridden")
        evidence = view.suggestion.evidence if view.suggestion is not None else ""
        evidence_at = view.suggestion.evidence_at if view.suggestion is not None else None
        self.session.record(
            WizardAnswered(
                node_id=question.id,
                question=question.question,
                answer=answer,
                source=source,
                suggested=suggested,
                evidence=evidence,
                evidence_at=evidence_at,
            )
        )
        after = self.view()
        if after is not None and after.result.outcome is not None:
            outcome = after.result.outcome
            self.session.record(
                WizardRecommended(
                    runbook_id=outcome.runbook,
                    outcome_id=outcome.id,
                    text=outcome.text,
                    path=[
                        {"node_id": a.node_id, "question": a.question, "answer": a.answer}
                        for a in after.result.path
                    ],
                )
            )
        self.refresh()

    def accept(self) -> bool:
        """Answer with the evidence's suggestion; False when there is none."""
        view = self.view()
        if view is None or view.suggested_answer is None:
            return False
        self.answer(view.suggested_answer)
        return True

    def back(self) -> None:
        view = self.view()
        if view is not None and view.result.path and self.session.writable:
            self.session.record(WizardBack(node_id=view.result.path[-1].node_id))
            self.refresh()

    def restart(self) -> None:
        if self.available and self.session.writable:
            self.session.record(WizardRestarted())
            self.refresh()
