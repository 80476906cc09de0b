"""The typed modals of running a command block: missing values, target and confirmation, a tick.

- `PlaceholderDialog` asks for the values of the block's unresolved placeholders (the run
  records them as typed).
- `RunDialog` shows the block's class and why, the command as it will run, the targets (the
  block's default highlighted), and asks what the class needs: read-only runs on one key
  (enter or y); a block that changes something needs `y` to a question naming the targets;
  a destructive one needs the environment's name typed in full. Picking another target plans
  again (a block that reaches its hosts itself may only run locally). The dialog only checks
  the answer to say what is wrong at once; the engine checks it again before anything runs.
- `TickOfferDialog` offers to tick a checklist item with a finished run as its evidence.

Every text shown here that came from a runbook or a command is made visible, never markup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from omniops_tui.core.text import visible, visible_line
from omniops_tui.live.run_policy import Refused, RunPlan, Target, confirmation_for

PREVIEW_LINES = 4
SAFETY_STYLES = {
    "read-only": ("READ-ONLY", "bold black on green"),
    "changes": ("CHANGES SOMETHING", "bold black on yellow"),
    "destructive": ("⚠ DESTRUCTIVE", "bold white on red"),
}

DIALOG_CSS = """
{name} {{
    align: center middle;
}}
{name} > Vertical {{
    width: 76;
    max-width: 98%;
    height: auto;
    max-height: 95%;
    border: thick $accent;
    background: $surface;
    padding: 0 1;
}}
{name} .hint {{
    color: $text-muted;
}}
{name} .error {{
    color: $error;
}}
"""


def safety_badge(safety: str) -> Text:
    label, style = SAFETY_STYLES.get(safety, (safety.upper(), "bold"))
    return Text(f" {label} ", style=style)


def command_preview(command: str, lines: int = PREVIEW_LINES) -> Text:
    """The first lines of a command as it will run (visible characters, never markup)."""
    shown = visible(command).rstrip("\n").split("\n")
    text = Text("\n".join(shown[:lines]), style="bold")
    if len(shown) > lines:
        text.append(f"\n… {len(shown) - lines} more lines", style="dim")
    return text


def question(plan: RunPlan) -> Text:
    """What the class asks, naming where it runs ("Run on prod-1, prod-2?"), or why it cannot."""
    if plan.refusal:
        return Text(visible_line(f"Not allowed: {plan.refusal}"), style="bold red")
    where = "locally, on this machine" if plan.target.kind == "local" else f"on {plan.target.label}"
    if plan.confirm == "type":
        text = f"Type {plan.expected} in full to run it {where}."
    else:
        text = f"Run it {where}?"
    return Text(visible_line(text), style="bold red" if plan.confirm == "type" else "bold")


class PlaceholderDialog(ModalScreen[dict[str, str] | None]):
    """The values a block needs before it can run; enter moves on, the last one runs."""

    DEFAULT_CSS = DIALOG_CSS.format(name="PlaceholderDialog")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="run.values.cancel")]

    def __init__(self, needs: list[str], reasons: dict[str, str], title: str = "") -> None:
        super().__init__()
        self.needs = needs
        self.reasons = reasons
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(visible_line(f"Values needed to run {self.title_text or 'this block'}"), markup=False)
            yield Label("They are recorded as typed (not configured).", classes="hint")
            for index, token in enumerate(self.needs):
                reason = self.reasons.get(token, "")
                yield Label(visible_line(token + (f"  ({reason})" if reason else "")), markup=False)
                yield Input(placeholder=f"value for {visible_line(token)}", id=f"value-{index}")
            yield Label("enter next · escape cancels", classes="hint")

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def on_input_submitted(self, message: Input.Submitted) -> None:
        message.stop()
        inputs = list(self.query(Input))
        empty = next((field for field in inputs if not field.value.strip()), None)
        if empty is not None:
            empty.focus()
            return
        self.dismiss({token: field.value.strip() for token, field in zip(self.needs, inputs, strict=True)})

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True, slots=True)
class RunApproval:
    """What the engineer approved: the plan (with the target picked) and the answer given."""

    plan: RunPlan
    answer: str | bool


class RunDialog(ModalScreen[RunApproval | None]):
    """The class, the command, the target, and the confirmation the class needs."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="RunDialog")
        + """
    RunDialog #run-command {
        max-height: 6;
        margin: 1 0;
        padding: 0 1;
        background: $boost;
    }
    RunDialog #run-targets {
        height: auto;
        max-height: 5;
        border: none;
        padding: 0;
        margin-bottom: 1;
    }
    RunDialog #run-typed {
        display: none;
        height: 1;
        border: none;
        padding: 0 1;
        background: $boost;
    }
    RunDialog.typed #run-typed {
        display: block;
    }
    """
    )
    AUTO_FOCUS = None  # the typed-name field only takes focus for a destructive block
    BINDINGS = [
        Binding("escape,n", "cancel", "Cancel", id="run.cancel", tooltip="Nothing runs"),
        Binding(
            "y",
            "approve",
            "Run",
            id="run.approve",
            tooltip="Run a read-only block, or a changing one on the targets the question names",
        ),
        Binding(
            "enter",
            "enter",
            "Run (read-only)",
            id="run.enter",
            show=False,
            tooltip="One key runs a read-only block; for a destructive one, go to the name field",
        ),
        Binding(
            "up",
            "target(-1)",
            "Previous target",
            id="run.target_up",
            show=False,
            tooltip="Where it runs: local, one host, all hosts (also while typing the name)",
        ),
        Binding("down", "target(1)", "Next target", id="run.target_down", show=False),
    ]

    def __init__(
        self, plan: RunPlan, targets: list[Target], replan: Callable[[Target], RunPlan], title: str = ""
    ) -> None:
        super().__init__()
        self.plan = plan
        self.targets = targets
        self.replan = replan
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(id="run-class")
            yield Static(command_preview(self.plan.command), id="run-command")
            if len(self.targets) > 1:
                options = [Option(self._target_label(t), id=str(i)) for i, t in enumerate(self.targets)]
                yield OptionList(*options, id="run-targets", markup=False)
            yield Static(id="run-prompt")
            yield Input(id="run-typed", placeholder=f"type {visible_line(self.plan.expected)}")
            yield Static(id="run-keys", classes="hint")

    @staticmethod
    def _target_label(target: Target) -> str:
        if target.kind == "local":
            return "local: this machine (the bastion)"
        if target.kind == "group":
            return visible_line(f"all hosts: {target.label}")
        return visible_line(f"host {target.label}")

    def on_mount(self) -> None:
        lists = list(self.query(OptionList))
        if lists:
            index = next((i for i, t in enumerate(self.targets) if t == self.plan.target), 0)
            lists[0].highlighted = index
            lists[0].focus()
        self._show()

    def on_option_list_option_highlighted(self, message: OptionList.OptionHighlighted) -> None:
        index = int(message.option.id or 0)
        target = self.targets[index]
        if target != self.plan.target:
            self.plan = self.replan(target)
            self._show()

    def on_option_list_option_selected(self, message: OptionList.OptionSelected) -> None:
        message.stop()
        self.action_enter()

    def _show(self) -> None:
        plan = self.plan
        title = Text(visible_line(self.title_text or "Run this block") + "  ")
        title.append_text(safety_badge(plan.classification.safety))
        title.append("\n" + visible_line(plan.classification.reason), style="dim")
        self.query_one("#run-class", Static).update(title)
        self.query_one("#run-command", Static).update(command_preview(plan.command))
        self.query_one("#run-prompt", Static).update(question(plan))
        self.set_class(plan.confirm == "type", "typed")
        typed = self.query_one("#run-typed", Input)
        typed.disabled = plan.confirm != "type"
        if plan.confirm == "type" and not typed.has_focus:
            typed.focus()  # type the name at once; ↑ ↓ still pick the target
        elif plan.confirm != "type" and self.query(OptionList) and not self.query_one(OptionList).has_focus:
            self.query_one(OptionList).focus()
        keys = {
            "key": "enter or y runs it · escape cancels",
            "confirm": f"y runs it on {plan.target.label} · n or escape cancels",
            "type": f"type {plan.expected} then enter · escape cancels",
            "none": "↑ ↓ another target · escape closes (c copies it on the runbook screen)",
        }[plan.confirm]
        self.query_one("#run-keys", Static).update(Text(visible_line(keys)))

    def action_target(self, step: int) -> None:
        """↑ ↓ while typing the name: another target (the list itself takes them when focused)."""
        for targets in self.query(OptionList):
            count = targets.option_count
            if count:
                targets.highlighted = ((targets.highlighted or 0) + step) % count

    def action_enter(self) -> None:
        if self.plan.confirm == "key":
            self._approve(True)
        elif self.plan.confirm == "type":
            self.query_one("#run-typed", Input).focus()
        elif self.plan.confirm == "confirm":
            self.notify(f"Press y to run it on {self.plan.target.label}", timeout=3, markup=False)

    def action_approve(self) -> None:
        if self.plan.confirm in ("key", "confirm"):
            self._approve(True)
        elif self.plan.confirm == "type":
            self.query_one("#run-typed", Input).focus()

    def on_input_submitted(self, message: Input.Submitted) -> None:
        message.stop()
        if self.plan.confirm == "type":
            self._approve(message.value)

    def _approve(self, answer: str | bool) -> None:
        try:
            confirmation_for(self.plan, answer)
        except Refused as exc:
            self.query_one("#run-prompt", Static).update(Text(visible_line(exc.message), style="bold red"))
            return
        self.dismiss(RunApproval(self.plan, answer))

    def action_cancel(self) -> None:
        self.dismiss(None)


class TickOfferDialog(ModalScreen[bool]):
    """A finished run concerns a checklist item: tick it, with the run as the evidence?"""

    DEFAULT_CSS = DIALOG_CSS.format(name="TickOfferDialog")
    AUTO_FOCUS = None
    BINDINGS = [
        Binding(
            "y,enter",
            "answer(True)",
            "Tick it",
            id="run.offer.yes",
            tooltip="After a run: tick the item it concerns, with the run as the evidence (recorded)",
        ),
        Binding("n,escape", "answer(False)", "Not now", id="run.offer.no", tooltip="Leave the item as it is"),
    ]

    def __init__(self, item_text: str, evidence: str) -> None:
        super().__init__()
        self.item_text = item_text
        self.evidence = evidence

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("The run succeeded. Tick this item with the run as its evidence?")
            yield Label(visible_line(self.item_text), markup=False)
            yield Label(visible_line(self.evidence), classes="hint", markup=False)
            yield Label("y or enter ticks it · n or escape leaves it", classes="hint")

    def action_answer(self, tick: bool) -> None:
        self.dismiss(tick)
