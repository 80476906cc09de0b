"""Which runbook? The document's decision tree, one question at a time.

The path so far is always visible; back and restart are one key each. The tree is data
(`decision-tree.toml` beside the runbooks) and the walk is derived from the recorded
`wizard_*` events, so a resumed or replayed session shows the same path.
"""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from omniops_tui.core.events import WizardAnswered
from omniops_tui.core.text import visible_line
from omniops_tui.logic.decision import Staleness, WalkResult, is_stale
from omniops_tui.sessions.wizard_view import WizardView, wizard_view
from omniops_tui.ui.context import SessionScreen
from omniops_tui.ui.literal import literal
from omniops_tui.ui.messages import SessionUpdated
from omniops_tui.ui.widgets.footer import KeyFooter
from omniops_tui.ui.widgets.risk import risk_text
from omniops_tui.ui.widgets.runbook_search import RunbookSearch
from omniops_tui.ui.widgets.status_bar import StatusBar

NO_TREE = (
    "No decision tree for these runbooks. To add one, put a decision-tree.toml beside them (the "
    "bundled one shows the format; `omniops-tui runbooks --json` lists the ids to recommend). "
    "Meanwhile, search them: type, then enter opens the runbook."
)


class WizardScreen(SessionScreen):
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
        yield StatusBar(self.ctx, "Which runbook?")
        with VerticalScroll(id="wizard-body"):
            yield Static(id="wizard-path")
            if self.session.basis.tree is None:
                yield RunbookSearch(self.session.basis.runbooks.runbooks, id="wizard-search")
            yield Static(id="wizard-question")
        yield KeyFooter()

    def on_mount(self) -> None:
        engine = self.ctx.engine
        if engine is not None and self.ctx.writable:
            engine.wizard.start()
            engine.screen_opened("wizard")
        self._redraw()

    def session_changed(self, message: SessionUpdated) -> None:
        if message.touches(
            "wizard_answered",
            "wizard_back",
            "wizard_restarted",
            "wizard_recommended",
            "wizard_suggested",
            "wizard_started",
        ):
            self._redraw()

    # ------------------------------------------------------------------ derived state
    def view(self) -> WizardView | None:
        tree = self.session.basis.tree
        return wizard_view(tree, self.session.state) if tree is not None else None

    def walk(self) -> WalkResult:
        view = self.view()
        return view.result if view is not None else WalkResult()

    def _redraw(self) -> None:
        view = self.view()
        path = self.query_one("#wizard-path", Static)
        question = self.query_one("#wizard-question", Static)
        if view is None:
            path.update(Text(NO_TREE, style="yellow"))
            question.display = False  # the search below takes the question's place
            self.refresh_bindings()
            return
        result = view.result
        path.update(self._path_view(result))
        if result.outcome is not None:
            question.update(self._outcome_view(result))
            question.set_class(True, "outcome")
        elif result.question is not None:
            text = Text()
            text.append(f"Question {len(result.path) + 1}\n", style="dim")
            text.append(result.question.question + "\n", style="bold")
            if result.question.help:
                text.append(result.question.help + "\n", style="italic dim")
            suggestion = view.suggestion
            if suggestion is not None and suggestion.suggested is not None:
                word = "YES" if suggestion.suggested else "NO"
                text.append("\nLive evidence suggests ", style="bold")
                text.append(f" {word} ", style="reverse bold " + ("red" if suggestion.suggested else "green"))
                text.append(f"\n{visible_line(suggestion.evidence)}\n", style="cyan")
                text.append("enter accepts it; y / n answer yourself (both are recorded)\n", style="dim")
            elif suggestion is not None and suggestion.evidence:
                text.append(f"\nLive evidence: {visible_line(suggestion.evidence)}\n", style="dim")
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
                "The runbooks' decision tree. Answer with y / n; b goes back, r restarts.\n",
                style="dim",
            )
            return text
        text.append("Path so far\n", style="bold")
        recorded = self.session.state.wizard.answers
        stale = 0
        for number, answer in enumerate(result.path, 1):
            text.append(f" {number}. {answer.question} ")
            text.append("Yes" if answer.answer else "No", style="bold green" if answer.answer else "bold red")
            event = recorded[number - 1] if number <= len(recorded) else None
            if event is not None and event.suggested is not None:
                verb = "confirming" if event.suggested == event.answer else "overriding"
                text.append(f"  ({verb} the evidence: {visible_line(event.evidence)})", style="dim")
            staleness = self._staleness(event)
            if staleness is not None and staleness.stale:
                stale += 1
                text.append(f"\n    ⚠ stale: {visible_line(staleness.reason)}", style="bold yellow")
            text.append("\n")
        if stale:
            text.append(
                f"{stale} answer{'s' if stale > 1 else ''} no longer stand on the evidence: "
                "b goes back to re-ask, r restarts\n",
                style="bold yellow",
            )
        return text

    def _staleness(self, answer: WizardAnswered | None) -> Staleness | None:
        """Whether a recorded answer still stands on the figures now (None: nothing to judge)."""
        tree = self.session.basis.tree
        if answer is None or tree is None:
            return None
        return is_stale(answer, tree, self.session.state.metrics, self.session.offset())

    def _outcome_view(self, result: WalkResult) -> Group:
        outcome = result.outcome
        assert outcome is not None
        runbook = self.session.basis.runbooks.get(outcome.runbook)
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
        grid.add_row("Runbook", literal(f"{runbook.number}. {runbook.title}"))
        grid.add_row("Duration", literal(runbook.duration))
        grid.add_row("Risk", risk_text(runbook.risk, runbook.risk_level))
        grid.add_row("Rollback", literal(runbook.rollback_difficulty))
        grid.add_row("When", literal("; ".join(runbook.when_to_use)))
        start = Text("\n")
        start.append(" enter ", style="reverse bold")
        start.append(" start this runbook    b back · r restart · esc close")
        return Group(heading, why, Text(""), grid, start)

    # ------------------------------------------------------------------ actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        view = self.view()
        if view is None:
            return action == "close"
        result = view.result
        if action in ("answer", "back", "restart") and not self.ctx.writable:
            return False
        if action == "answer":
            return result.question is not None
        if action == "enter":
            if result.outcome is not None:
                return True
            return self.ctx.writable and view.suggested_answer is not None
        if action == "back":
            return bool(result.path)
        return True

    def action_answer(self, answer: bool) -> None:
        engine = self.writable_engine()
        if engine is not None:
            engine.wizard.answer(answer)

    def action_back(self) -> None:
        engine = self.writable_engine()
        if engine is not None:
            engine.wizard.back()

    def action_restart(self) -> None:
        engine = self.writable_engine()
        if engine is not None:
            engine.wizard.restart()

    def action_enter(self) -> None:
        result = self.walk()
        if result.outcome is not None:
            self.action_start()
            return
        engine = self.writable_engine()
        if engine is not None:
            engine.wizard.accept()

    def action_start(self) -> None:
        result = self.walk()
        if result.outcome is None:
            return
        self.app.pop_screen()
        self.ctx.shell.open_runbook(result.outcome.runbook, via="wizard")

    @on(RunbookSearch.Chosen)
    def _search_chosen(self, message: RunbookSearch.Chosen) -> None:
        self.app.pop_screen()
        self.ctx.shell.open_runbook(message.runbook_id, via="wizard")

    def action_close(self) -> None:
        self.app.pop_screen()

    def note_context(self) -> tuple[str, str]:
        return "", "wizard"
