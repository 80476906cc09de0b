"""Which runbook? The document's decision tree, one question at a time.

The path so far is always visible; back and restart are one key each. The tree is data
(`decision-tree.toml` beside the runbooks) and the walk is derived from the recorded
`wizard_*` events, so a resumed or replayed session shows the same path.
"""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from omniops_tui.core.events import (
    Event,
    WizardAnswered,
    WizardBack,
    WizardRecommended,
    WizardRestarted,
    WizardStarted,
    WizardSuggested,
)
from omniops_tui.logic.decision import Outcome, Suggestion, WalkResult, suggest
from omniops_tui.ui.widgets.risk import risk_text
from omniops_tui.ui.widgets.status_bar import StatusBar


class WizardScreen(Screen[None]):
    CSS_PATH = "wizard.tcss"
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="wizard.yes"),
        Binding("n", "answer(False)", "No", id="wizard.no"),
        Binding("b,backspace", "back", "Back", id="wizard.back"),
        Binding("r", "restart", "Restart", id="wizard.restart"),
        Binding(
            "enter",
            "enter",
            "Accept / start",
            id="wizard.enter",
            tooltip="Accept the live evidence's answer, or start the recommended runbook",
        ),
        Binding("escape", "close", "Close", id="wizard.close"),
    ]

    def compose(self) -> ComposeResult:
        yield StatusBar("Which runbook?")
        with VerticalScroll(id="wizard-body"):
            yield Static(id="wizard-path")
            yield Static(id="wizard-question")
        yield Footer()

    def on_mount(self) -> None:
        self._suggested: dict[str, tuple[bool, str]] = {}
        self._redraw_pending = False
        self.app.session_changed.subscribe(self, self._on_session_event)
        if self.app.recording:
            self.app.record(WizardStarted())
        self.app.screen_opened("wizard")
        self._redraw()

    def _on_session_event(self, event: Event | None) -> None:
        if event is None or (event.type.startswith("wizard_") and event.type != "wizard_suggested"):
            self._redraw()
        elif event.type == "metric_sample" and not self._redraw_pending:
            self._redraw_pending = True  # a sampling round: one redraw for the whole burst
            self.set_timer(0.3, self._redraw_samples)

    def _redraw_samples(self) -> None:
        self._redraw_pending = False
        self._redraw()

    # ------------------------------------------------------------------ derived state
    def walk(self) -> WalkResult:
        return self.app.decision_tree.walk([a.answer for a in self.app.state.wizard.answers])

    def _redraw(self) -> None:
        result = self.walk()
        self.query_one("#wizard-path", Static).update(self._path_view(result))
        question = self.query_one("#wizard-question", Static)
        if result.outcome is not None:
            question.update(self._outcome_view(result))
            question.set_class(True, "outcome")
        elif result.question is not None:
            text = Text()
            text.append(f"Question {len(result.path) + 1}\n", style="dim")
            text.append(result.question.question + "\n", style="bold")
            if result.question.help:
                text.append(result.question.help + "\n", style="italic dim")
            suggestion = self.suggestion(result)
            if suggestion is not None and suggestion.answer is not None:
                word = "YES" if suggestion.answer else "NO"
                text.append("\nLive evidence suggests ", style="bold")
                text.append(f" {word} ", style="reverse bold " + ("red" if suggestion.answer else "green"))
                text.append(f"\n{suggestion.evidence}\n", style="cyan")
                text.append("enter accepts it; y / n answer yourself (both are recorded)\n", style="dim")
            elif suggestion is not None and suggestion.evidence:
                text.append(f"\nLive evidence: {suggestion.evidence}\n", style="dim")
            text.append("\n")
            text.append(" y ", style="reverse bold green")
            text.append(" Yes     ")
            text.append(" n ", style="reverse bold red")
            text.append(" No")
            question.update(text)
            question.set_class(False, "outcome")
        self.refresh_bindings()

    def _path_view(self, result: WalkResult) -> Text:
        text = Text()
        if not result.path:
            text.append(
                "The document's Runbook Decision Tree. Answer with y / n; b goes back, r restarts.\n",
                style="dim",
            )
            return text
        text.append("Path so far\n", style="bold")
        recorded = self.app.state.wizard.answers
        for number, answer in enumerate(result.path, 1):
            text.append(f" {number}. {answer.question} ")
            text.append("Yes" if answer.answer else "No", style="bold green" if answer.answer else "bold red")
            event = recorded[number - 1] if number <= len(recorded) else None
            if event is not None and event.suggested is not None:
                verb = "confirming" if event.suggested == event.answer else "overriding"
                text.append(f"  ({verb} the evidence: {event.evidence})", style="dim")
            text.append("\n")
        return text

    def _outcome_view(self, result: WalkResult) -> Group:
        outcome = result.outcome
        assert outcome is not None
        runbook = self.app.runbooks.get(outcome.runbook)
        heading = Text()
        heading.append("Recommendation\n", style="dim")
        heading.append(outcome.text or f"Use {outcome.runbook}", style="bold reverse")
        heading.append("\n")
        if runbook is None:
            heading.append(f"\nRunbook '{outcome.runbook}' is not in the loaded runbooks.", style="bold red")
            return Group(heading)
        why = Text("Why: ", style="bold")
        why.append(" → ".join(f"{a.question} {'Yes' if a.answer else 'No'}" for a in result.path))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        grid.add_row("Runbook", f"{runbook.number}. {runbook.title}")
        grid.add_row("Duration", runbook.duration)
        grid.add_row("Risk", risk_text(runbook.risk, runbook.risk_level))
        grid.add_row("Rollback", runbook.rollback_difficulty)
        grid.add_row("When", "; ".join(runbook.when_to_use))
        start = Text("\n")
        start.append(" enter ", style="reverse bold")
        start.append(" start this runbook    b back · r restart · esc close")
        return Group(heading, why, Text(""), grid, start)

    # ------------------------------------------------------------------ actions
    def suggestion(self, result: WalkResult) -> Suggestion | None:
        """What the live probes say about the current question (None: no probe or no data)."""
        question = result.question
        if question is None or not question.probe or self.app.context.environment is None:
            return None
        suggestion = suggest(question.probe, self.app.state)
        if suggestion.answer is not None and self.app.recording:
            shown = self._suggested.get(question.id)
            if shown != (suggestion.answer, suggestion.evidence):
                self._suggested[question.id] = (suggestion.answer, suggestion.evidence)
                self.call_later(
                    self.app.record,
                    WizardSuggested(
                        node_id=question.id, suggested=suggestion.answer, evidence=suggestion.evidence
                    ),
                )
        return suggestion

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        result = self.walk()
        if action == "answer":
            return result.question is not None
        if action == "enter":
            if result.outcome is not None:
                return True
            suggestion = self.suggestion(result) if result.question is not None else None
            return suggestion is not None and suggestion.answer is not None
        if action == "back":
            return bool(result.path)
        return True

    def action_answer(self, answer: bool) -> None:
        result = self.walk()
        if result.question is None or not self._writable():
            return
        suggestion = self.suggestion(result)
        suggested = suggestion.answer if suggestion is not None else None
        source = "manual" if suggested is None else ("confirmed" if suggested == answer else "overridden")
        self.app.record(
            WizardAnswered(
                node_id=result.question.id,
                question=result.question.question,
                answer=answer,
                source=source,
                suggested=suggested,
                evidence=suggestion.evidence if suggestion else "",
            )
        )
        after = self.walk()
        if after.outcome is not None:
            self._recommend(after.outcome, after)

    def _recommend(self, outcome: Outcome, result: WalkResult) -> None:
        self.app.record(
            WizardRecommended(
                runbook_id=outcome.runbook,
                outcome_id=outcome.id,
                text=outcome.text,
                path=[
                    {"node_id": a.node_id, "question": a.question, "answer": a.answer} for a in result.path
                ],
            )
        )

    def action_back(self) -> None:
        result = self.walk()
        if result.path and self._writable():
            self.app.record(WizardBack(node_id=result.path[-1].node_id))

    def action_restart(self) -> None:
        if self._writable():
            self.app.record(WizardRestarted())

    def action_enter(self) -> None:
        result = self.walk()
        if result.outcome is not None:
            self.action_start()
            return
        suggestion = self.suggestion(result)
        if suggestion is not None and suggestion.answer is not None:
            self.action_answer(suggestion.answer)

    def action_start(self) -> None:
        result = self.walk()
        if result.outcome is None:
            return
        self.app.pop_screen()
        self.app.open_runbook(result.outcome.runbook, via="wizard")

    def action_close(self) -> None:
        self.app.pop_screen()

    def _writable(self) -> bool:
        if not self.app.recording:
            self.notify("This session is read-only (replay)", severity="warning")
            return False
        return True

    def note_context(self) -> tuple[str, str]:
        return "", "wizard"
