"""`x` on a runbook screen: from the highlighted block (or item) to a started run, and after it.

`RunActions` is the runbook screen's part that runs (a mixin, so runbook.py keeps only its
bindings, the docked pane and two hooks): `x` runs, `ctrl+c` interrupts, `v` shows commands as
written or substituted, `O` hides or shows the output pane. `RunFlow` is the sequence of one run,
the engine's rules made visible: a block the policy or its class refuses is
refused at once with the one-line reason (and recorded); missing placeholder values are asked
for first; then the class, the command, the target and the confirmation the class needs
(run_dialogs.py); then the engine starts the run and the pane under the section shows it. When
the pane sees the run end, the items the run concerns are offered to be ticked (the ticks the
bindings make exact were already recorded by the engine).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.binding import Binding
from textual.screen import Screen

from omniops_tui.live.run_policy import Refused, RunPlan, Target
from omniops_tui.live.session_runs import TickOffer
from omniops_tui.runbooks.model import ChecklistItem, CommandBlock
from omniops_tui.ui.screens.run_dialogs import PlaceholderDialog, RunApproval, RunDialog, TickOfferDialog
from omniops_tui.ui.widgets.run_pane import RunPane
from omniops_tui.ui.widgets.runbook_rows import ChecklistItemRow, CommandRow

if TYPE_CHECKING:
    from omniops_tui.live.session import LiveSession
    from omniops_tui.ui.context import ScreenContext

RUN_BINDINGS = [
    Binding(
        "x",
        "run",
        "Run",
        id="runbook.run",
        tooltip="Run the highlighted command block (or its step's, or an item's bound command): "
        "pick the target, confirm as its class needs; the output shows below (recorded)",
    ),
    Binding(
        "ctrl+c",
        "interrupt",
        "Stop run",
        id="runbook.interrupt",
        tooltip="Interrupt the run on show (SIGINT, then a kill after a grace period)",
    ),
    Binding(
        "v",
        "toggle_original",
        "Original",
        id="runbook.original",
        show=False,
        tooltip="Show the commands as the runbook writes them, or with the environment's values",
    ),
    Binding(
        "O",
        "toggle_output",
        "Output",
        id="runbook.output",
        show=False,
        tooltip="Hide or show the pane with the latest run's output",
    ),
]
RUN_ACTIONS = frozenset({"run", "interrupt"})


@dataclass(frozen=True, slots=True)
class Runnable:
    """What `x` acts on: a command block, or a checklist item with a bound command."""

    title: str
    runbook_id: str
    block: CommandBlock | None = None
    item: ChecklistItem | None = None


class RunFlow:
    """Plans, asks and starts runs for one runbook screen; its pane shows them."""

    def __init__(self, screen: Screen[None], engine: LiveSession, pane: RunPane) -> None:
        self.screen = screen
        self.engine = engine
        self.pane = pane

    def run(self, what: Runnable, typed: Mapping[str, str] | None = None) -> None:
        """Refuse, ask for values, or open the run dialog (a modal)."""
        runs = self.engine.runs
        if what.item is not None and runs.item_command(what.item) is None:
            self._say("This item has no command to run (runs.toml binds items to commands); space ticks it")
            return
        plan = self._plan(what, None, typed)
        if plan.refusal:
            if not plan.classification.not_a_command:  # an output sample was never a command
                runs.refuse(plan, plan.refusal)
            self._say(f"Not run: {plan.refusal}", severity="warning")
            return
        if plan.needs:
            reasons = {span.token: span.reason for span in plan.substitution.unresolved}

            def values_given(values: dict[str, str] | None) -> None:
                if values:
                    self.run(what, {**(typed or {}), **values})

            self.screen.app.push_screen(PlaceholderDialog(plan.needs, reasons, what.title), values_given)
            return
        dialog = RunDialog(plan, runs.targets(), lambda target: self._plan(what, target, typed), what.title)
        self.screen.app.push_screen(dialog, self._approved)

    def _plan(self, what: Runnable, target: Target | None, typed: Mapping[str, str] | None) -> RunPlan:
        runs = self.engine.runs
        if what.block is not None:
            plan = runs.plan_block(what.block, what.runbook_id, target=target, typed=typed)
            if target is None and plan.refusal and plan.classification.remote_hosts:
                # runs.toml sent a block that reaches its hosts itself (ssh) to a host: run it here
                plan = runs.plan_block(what.block, what.runbook_id, target=Target.local(), typed=typed)
            return plan
        assert what.item is not None
        found = runs.plan_item(what.item, target=target, typed=typed)
        assert found is not None
        return found

    def _approved(self, approval: RunApproval | None) -> None:
        if approval is None:
            return
        try:
            run = self.engine.runs.start(approval.plan, approval.answer)
        except Refused as exc:
            self._say(f"Not run: {exc.message}", severity="error")
            return
        self.pane.show_run(run.run_id)

    # ------------------------------------------------------------------ after a run
    def finished(self, run_id: str) -> None:
        """The pane saw the run end: offer the items it concerns, one dialog each."""
        self._offer(list(self.engine.runs.take_offers(run_id)))

    def _offer(self, offers: list[TickOffer]) -> None:
        if not offers:
            return
        offer, rest = offers[0], offers[1:]

        def answered(tick: bool | None) -> None:
            if tick:
                self.engine.runs.tick_from_run(offer)
            self._offer(rest)

        self.screen.app.push_screen(TickOfferDialog(offer.item.text, offer.evidence), answered)

    def _say(self, text: str, severity: str = "information") -> None:
        self.screen.notify(text, severity=severity, timeout=6, markup=False)  # type: ignore[arg-type]


class RunActions:
    """The runbook screen's running keys (a mixin of `RunbookScreen`; `self` is the screen)."""

    ctx: ScreenContext
    runbook: Any
    original_commands = False  # `v`: commands as written instead of substituted
    _run_flow: RunFlow | None = None
    _offers_waiting: tuple[str, ...] = ()  # runs that ended while another screen was on top

    @property
    def run_pane(self) -> RunPane:
        return self._screen.query_one("#run-pane", RunPane)

    def follow_runs(self) -> None:
        """The run pane follows this runbook's latest run; nothing while the screen is being
        taken down (its pane may already be gone while the rest of it still mounts)."""
        panes = self._screen.query("#run-pane").results(RunPane)
        for pane in panes:
            pane.follow_latest(self.runbook.id)

    @property
    def _screen(self) -> Any:
        return self

    def run_check_action(self, action: str) -> bool:
        """`x` in a live session only; `ctrl+c` only while a run is on show (else the App's)."""
        if action == "run":
            return self.ctx.writable
        return self.ctx.engine is not None and self.run_pane.live

    def action_run(self) -> None:
        """x: run the highlighted block, the step's first block, or an item's bound command."""
        screen = self._screen
        engine = screen.writable_engine()
        if engine is None:
            return
        if self.run_pane.live:
            screen.notify("A run is still going: ctrl+c stops it", timeout=3)
            return
        if self._run_flow is None:
            self._run_flow = RunFlow(screen, engine, self.run_pane)
        row = screen.current_row()
        if isinstance(row, ChecklistItemRow):
            self._run_flow.run(Runnable(row.item.text, self.runbook.id, item=row.item))
            return
        command = row if isinstance(row, CommandRow) else screen._command_after(row)
        if command is None:
            screen.notify("Highlight a command block (or its step) to run it", timeout=3)
            return
        title = command.block.id.rsplit("/code-", 1)[0].rsplit("/", 1)[-1]
        self._run_flow.run(Runnable(title, self.runbook.id, block=command.block))

    def action_interrupt(self) -> None:
        engine = self.ctx.engine
        if engine is not None and engine.runs.interrupt(self.run_pane.run_id):
            self._screen.notify("Interrupting the run (SIGINT; killed if it does not stop)", timeout=3)

    def on_run_pane_finished(self, message: RunPane.Finished) -> None:
        if self._screen.is_current:
            self._offer_ticks(message.run_id)
        else:
            self._offers_waiting = (*self._offers_waiting, message.run_id)

    def offer_waiting_ticks(self) -> None:
        """Back on screen: offer the ticks of the runs that ended meanwhile."""
        waiting, self._offers_waiting = self._offers_waiting, ()
        for run_id in waiting:
            self._offer_ticks(run_id)

    def _offer_ticks(self, run_id: str) -> None:
        if self._run_flow is not None and self.ctx.writable:
            self._run_flow.finished(run_id)

    def action_toggle_original(self) -> None:
        self.original_commands = not self.original_commands
        for row in self._screen.query(CommandRow):
            row.show_original(self.original_commands)
        shown = "as the runbook writes them" if self.original_commands else "with the environment's values"
        self._screen.notify(f"Commands {shown}", timeout=2)

    def action_toggle_output(self) -> None:
        pane = self.run_pane
        if not pane.run_id:
            self._screen.notify("No run yet: x runs the highlighted command", timeout=3)
            return
        pane.display = not pane.display

    def focus_output(self) -> bool:
        """tab from the content: into the run's output when it is shown (False: it is not)."""
        pane = self.run_pane
        if pane.display and pane.run_id and self._screen.focused is not pane.log_view:
            pane.log_view.focus()
            return True
        return False
