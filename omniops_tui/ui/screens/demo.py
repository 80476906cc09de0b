"""The demo's own screens: the scenario switcher and the first-run tour."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from omniops_tui.sandbox.scenarios import SCENARIO_HELP, SCENARIOS


class ScenarioPicker(ModalScreen[str | None]):
    """Pick what the sandbox production does next; everything reacts within one interval."""

    DEFAULT_CSS = """
    ScenarioPicker { align: center middle; }
    ScenarioPicker > Vertical {
        width: 64; max-width: 95%; height: auto; border: thick $accent; background: $surface;
        padding: 0 1;
    }
    ScenarioPicker OptionList { height: auto; max-height: 14; border: none; }
    """
    BINDINGS = [Binding("escape", "dismiss_none", "Cancel", id="scenario.cancel")]

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Sandbox scenario (enter switches, escape cancels)", style="bold"))
            options = []
            for name in SCENARIOS:
                prompt = Text(f"{'●' if name == self.current else ' '} {name}", style="bold")
                prompt.append(f"\n   {SCENARIO_HELP.get(name, '')}", style="dim")
                options.append(Option(prompt, id=name))
            yield OptionList(*options)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = SCENARIOS.index(self.current) if self.current in SCENARIOS else 0
        options.focus()

    def on_option_list_option_selected(self, message: OptionList.OptionSelected) -> None:
        self.dismiss(message.option.id)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


TOUR = (
    (
        "Welcome to the demo",
        "A simulated production runs on this machine: an HTTP app, SSH hosts with live logs, and, "
        "when they are here, a real PostgreSQL and Redis. Everything you see is live and recorded.",
    ),
    (
        "The overview",
        "The runbooks of the document, with duration, risk and how much is done. Enter or a digit opens one.",
    ),
    (
        "Which runbook? (w)",
        "The document's decision tree. Its first questions are pre-answered from live probes, with "
        "the evidence; you confirm or override.",
    ),
    (
        "Checklists (open a runbook)",
        "Items a machine can verify tick themselves, or turn red with the evidence. Space ticks by "
        "hand; r re-runs the checks; o jumps to the next open item.",
    ),
    (
        "Logs (l) and metrics (m)",
        "The hosts' logs over SSH, with filter, search and pause. The runbooks' figures coloured by "
        "their thresholds, per host, and Emergency Rollback's criteria evaluated on the history.",
    ),
    (
        "Scenarios (S)",
        "Switch the sandbox to an error spike, slow responses, database down, an outage or a full "
        "disk, and watch checklists, metrics, logs and the wizard react.",
    ),
    (
        "Notes (n), timeline (t), replay (s)",
        "Write down what you see and decide. Every session is recorded: s lists them, enter replays "
        "one, e writes its post-mortem draft. ? shows every key.",
    ),
)


class TourScreen(ModalScreen[None]):
    """A short, skippable first-run tour: one card per feature."""

    DEFAULT_CSS = """
    TourScreen { align: center middle; background: $background 60%; }
    TourScreen > Vertical {
        width: 66; max-width: 95%; height: auto; border: thick $success; background: $surface;
        padding: 1 2;
    }
    """
    BINDINGS = [
        Binding("enter,right,space", "next", "Next", id="tour.next"),
        Binding("left,backspace", "previous", "Back", id="tour.back"),
        Binding("escape,q", "skip", "Skip the tour", id="tour.skip"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.step = 0

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(id="tour-card")

    def on_mount(self) -> None:
        self.show()

    def show(self) -> None:
        title, body = TOUR[self.step]
        text = Text()
        text.append(f"{self.step + 1}/{len(TOUR)}  {title}\n\n", style="bold")
        text.append(body + "\n\n")
        text.append("enter next · ← back · escape skip", style="dim")
        self.query_one("#tour-card", Static).update(text)

    def action_next(self) -> None:
        if self.step + 1 >= len(TOUR):
            self.dismiss(None)
            return
        self.step += 1
        self.show()

    def action_previous(self) -> None:
        self.step = max(0, self.step - 1)
        self.show()

    def action_skip(self) -> None:
        self.dismiss(None)
