"""Small typed modals: a note for the timeline, a reason for overriding a check."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from omniops_tui.core.text import visible


class TextPrompt(ModalScreen[str | None]):
    """One line of text; enter saves, escape cancels. Returns the text or None."""

    DEFAULT_CSS = """
    TextPrompt {
        align: center middle;
    }
    TextPrompt > Vertical {
        width: 70;
        max-width: 95%;
        height: auto;
        border: thick $accent;
        background: $surface;
        padding: 1 2;
    }
    TextPrompt Label {
        width: 1fr;
        margin-bottom: 1;
    }
    TextPrompt .hint {
        color: $text-muted;
        margin: 1 0 0 0;
    }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(self, title: str, subtitle: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.subtitle = subtitle
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, markup=False)
            if self.subtitle:
                yield Label(visible(self.subtitle), classes="hint", markup=False)
            yield Input(placeholder=self.placeholder, id="prompt-input")
            yield Label("enter save · escape cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, message: Input.Submitted) -> None:
        self.dismiss(message.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class NoteDialog(TextPrompt):
    """A note for the session timeline: what you saw, what you decided, and why."""

    def __init__(self, runbook_id: str = "") -> None:
        where = f" (in {runbook_id})" if runbook_id else ""
        super().__init__(
            f"Note for the timeline{where}",
            placeholder="e.g. error rate 8% since 03:04, rolling back to v1.2.0",
        )


class ReasonDialog(TextPrompt):
    """Why a manual tick goes against the automated check: recorded with the override. An empty
    reason is not an answer: the dialog says so and stays (escape cancels the tick)."""

    def __init__(self, title: str, item_text: str) -> None:
        super().__init__(title, subtitle=item_text, placeholder="reason (required)")

    def on_input_submitted(self, message: Input.Submitted) -> None:
        message.prevent_default()  # the base prompt's handler would dismiss a second time
        if not message.value.strip():
            self.notify("A reason is required to go against the check (escape cancels)", severity="warning")
            return
        self.dismiss(message.value.strip())
