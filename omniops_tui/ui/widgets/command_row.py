"""A command block's row: framed and labelled by its class, its substituted values highlighted.

The class comes from `classify_block`'s rules (read-only, changes something, destructive; text
blocks are not commands); the highlighted spans from `substitute_for`. The row keeps the
original code: `c` copies it substituted once, in the engine; `x` plans it there; `v` shows it
as the runbook writes it.
"""

from __future__ import annotations

from functools import lru_cache

from rich.style import Style
from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Static

from omniops_tui.core.text import visible, visible_line
from omniops_tui.runbooks.model import CommandBlock, ExpectedOutput
from omniops_tui.runbooks.placeholders import Substitution
from omniops_tui.runbooks.safety import Classification, classify
from omniops_tui.ui.widgets.row import Row

LEXERS = {"": "text", "sh": "bash", "shell": "bash", "console": "bash", "js": "javascript"}
SUBSTITUTED = Style(bold=True, underline=True, bgcolor="grey30")  # the environment's value
PLACEHOLDER = Style(underline=True, italic=True)  # the runbook's example value (`v`)
MISSING = Style(bold=True, color="black", bgcolor="yellow")  # no value yet: x asks for it


class CommandRow(Row):
    """A fenced block, framed and labelled by its class (read-only, changes, destructive).

    The row keeps the original code (`c` copies it substituted, once, in the engine); it shows
    the environment's values in place of the placeholders, highlighted, or, after `v`, the code
    as the runbook writes it with its placeholders marked. `x` runs it.
    """

    kind = "command"

    def __init__(
        self, block: CommandBlock, substitution: Substitution | None = None, label: str = ""
    ) -> None:
        self.classification = None if label else block_class(block.code, block.language)
        super().__init__(classes=_command_classes(self.classification))
        self.block = block
        self.code = block.code
        self.substitution = substitution
        self.label = label
        self.original = False

    def compose(self) -> ComposeResult:
        body = Static(self.body_text(), classes="command-body")
        body.border_title = Content(self.title_text())
        body.border_subtitle = Content(self.keys_text())
        yield body

    def title_text(self) -> str:
        title = visible_line(self.label or (self.block.language or "text"))
        found = self.classification
        if found is None:
            return title
        if found.not_a_command:
            return title + (" · ⚠ DESTRUCTIVE text (copy only)" if found.destructive else " · not a command")
        label = {"read-only": "read-only", "changes": "changes something", "destructive": "⚠ DESTRUCTIVE"}
        title += " · " + label.get(found.safety, found.safety)
        if found.interactive:
            title += " · interactive (copy it)"
        elif found.long_running:
            title += " · runs until stopped"
        return title

    def keys_text(self) -> str:
        if self.classification is None or self.classification.not_a_command:
            return "c copy"
        keys = "c copy · x run"
        substitution = self.substitution
        if substitution is not None and substitution.spans:
            keys += " · v substituted" if self.original else " · v original"
            if substitution.required:
                keys += f" · needs {len(substitution.required)} value(s)"
        return keys

    def body_text(self) -> Text:
        """The code, syntax-highlighted, with its placeholders' spans marked."""
        substitution = self.substitution
        if substitution is None or not substitution.spans:
            return highlighted(visible(self.code), self.block.language)
        shown = substitution.original if self.original else substitution.text
        text = highlighted(visible(shown), self.block.language).copy()
        if visible(shown) != shown:
            return text  # control characters changed the offsets: no marks rather than wrong ones
        for span in substitution.spans:
            start, end = (span.start, span.end) if self.original else (span.out_start, span.out_end)
            style = SUBSTITUTED if span.resolved and not self.original else PLACEHOLDER
            if not span.resolved:
                style = MISSING
            text.stylize(style, start, end)
        return text

    def shown_original(self, original: bool) -> Row:
        self.original = original
        return self

    def show_original(self, original: bool) -> None:
        """`v`: the code as the runbook writes it, or with the environment's values."""
        if original == self.original:
            return
        self.original = original
        for body in self.query(".command-body").results(Static):
            body.update(self.body_text())
            body.border_subtitle = Content(self.keys_text())


class ExpectedRow(CommandRow):
    kind = "expected"

    def __init__(self, expected: ExpectedOutput) -> None:
        super().__init__(expected.block, None, label=expected.label)
        self.add_class("expected-row")


@lru_cache(maxsize=512)
def highlighted(code: str, language: str) -> Text:
    """Syntax-highlight once: a `Syntax` renderable re-lexes on every layout pass, which made
    a long procedure section cost ~0.1 s per redraw; highlighted `Text` only wraps."""
    syntax = Syntax(code, LEXERS.get(language, language), theme="ansi_dark", background_color="default")
    text = syntax.highlight(code)
    text.rstrip()
    return text


@lru_cache(maxsize=1024)
def block_class(code: str, language: str) -> Classification:
    """A block's class, once per text (classifying parses the shell: ~1 ms a block)."""
    return classify(code, language)


def _command_classes(found: Classification | None) -> str:
    if found is None:
        return "command-row"
    safety = "destructive" if found.destructive else found.safety
    return f"command-row safety-{safety}" + (" destructive" if found.destructive else "")
