"""The rows of a runbook section: each model block becomes one or more list items.

A section is shown as a `ListView` of rows so the keyboard moves through it item by item
(up/down), the highlighted row is what keys act on (space ticks, c copies), and long text
wraps instead of being cut. Rows are built lazily, per section, from the model.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from functools import lru_cache

from rich.markdown import Markdown
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import ListItem, Static

from omniops_tui.runbooks.model import (
    Block,
    ChecklistGroup,
    ChecklistItem,
    CommandBlock,
    ExpectedOutput,
    MarkdownBlock,
    Phase,
    Runbook,
    Section,
    Step,
    TableBlock,
    TroubleshootingEntry,
)
from omniops_tui.sessions.state import ItemState

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
LEXERS = {"": "text", "sh": "bash", "shell": "bash", "console": "bash", "js": "javascript"}
STATUS_MARKS = {
    "pass": ("✓", "green"),
    "warn": ("!", "yellow"),
    "fail": ("✗", "bold red"),
    "error": ("✗", "red"),
    "unknown": ("?", "dim"),
}


class Row(ListItem):
    """Base row; `kind` lets screens and tests find rows without isinstance chains."""

    kind = "row"


class ProseRow(Row):
    kind = "prose"

    def __init__(self, block: MarkdownBlock) -> None:
        super().__init__(classes="prose-row")
        self.block = block

    def compose(self) -> ComposeResult:
        yield Static(Markdown(self.block.text, code_theme="ansi_dark"))


class HeadingRow(Row):
    """A phase, step or troubleshooting title: where you are inside a long section."""

    kind = "heading"

    def __init__(self, text: Text, level: str, anchor_id: str = "") -> None:
        super().__init__(classes=f"heading-row heading-{level}")
        self.text = text
        self.anchor_id = anchor_id

    def compose(self) -> ComposeResult:
        yield Static(self.text)


class CommandRow(Row):
    """A fenced block; `c` copies it (placeholders substituted), destructive ones are marked."""

    kind = "command"

    def __init__(self, block: CommandBlock, code: str, label: str = "") -> None:
        classes = "command-row destructive" if block.destructive else "command-row"
        super().__init__(classes=classes)
        self.block = block
        self.code = code
        self.label = label

    def compose(self) -> ComposeResult:
        title = self.label or (self.block.language or "text")
        if self.block.destructive:
            title += " · ⚠ DESTRUCTIVE: read before you paste"
        body = Static(highlighted(self.code, self.block.language), classes="command-body")
        body.border_title = title
        body.border_subtitle = "c copy"
        yield body


class ExpectedRow(CommandRow):
    kind = "expected"

    def __init__(self, expected: ExpectedOutput, code: str) -> None:
        super().__init__(expected.block, code, label=expected.label)
        self.add_class("expected-row")


class TableRow(Row):
    kind = "table"

    def __init__(self, block: TableBlock) -> None:
        super().__init__(classes="table-row")
        self.block = block

    def compose(self) -> ComposeResult:
        table = Table(show_lines=False, expand=True, header_style="bold")
        for header in self.block.headers:
            table.add_column(header, overflow="fold")
        for row in self.block.rows:
            table.add_row(*row)
        yield Static(table)


class ChecklistHeaderRow(Row):
    """`Code Quality (T-48h)  3/7`: the group's title, timing and live progress."""

    kind = "checklist-header"

    def __init__(self, group: ChecklistGroup) -> None:
        super().__init__(classes="checklist-header-row")
        self.group = group

    def compose(self) -> ComposeResult:
        yield Static(id=f"gh-{_dom_id(self.group.id)}", classes="checklist-header")

    def on_mount(self) -> None:
        """Show the state as it is now; later changes arrive through the screen's refresh."""
        self.update_progress(*self.app.state.progress([i.id for i in self.group.items]))

    def update_progress(self, done: int, total: int) -> None:
        text = Text()
        text.append(self.group.title, style="bold")
        if self.group.timing:
            text.append(f"  ({self.group.timing})", style="dim")
        style = "bold green" if done == total and total else ("yellow" if done else "dim")
        text.append(f"  {done}/{total}", style=style)
        self.query_one(Static).update(text)


class ChecklistItemRow(Row):
    """One checklist item: the box (manual tick or the check's verdict) and its text."""

    kind = "checklist-item"

    def __init__(self, item: ChecklistItem) -> None:
        super().__init__(classes="checklist-item-row")
        self.item = item

    def compose(self) -> ComposeResult:
        yield Static(classes="item-box")
        yield Static(classes="item-text")

    def on_mount(self) -> None:
        """Show the state as it is now; later changes arrive through the screen's refresh."""
        app = self.app
        self.update_state(
            app.state.items.get(self.item.id),
            running=self.item.id in app.running_items(),
            now=app.session_offset(),
        )

    def update_state(
        self, state: ItemState | None, *, running: bool = False, now: float | None = None
    ) -> None:
        state = state or ItemState()
        box = self.query_one(".item-box", Static)
        text_widget = self.query_one(".item-text", Static)
        self.set_class(state.done, "done")
        self.set_class(state.check_status in ("fail", "error") and not state.done, "failing")
        self.set_class(state.flagged, "flagged")
        box.update(Text("[✓]" if state.done else "[ ]", style="bold green" if state.done else ""))
        text = Text(self.item.text)
        text.stylize("dim" if state.done and state.manual is not None else "")
        if state.check_status:
            mark, style = STATUS_MARKS.get(state.check_status, ("?", "dim"))
            ago = _ago(state.check_at, now)
            text.append(f"\n{mark} {state.check_summary}", style=style)
            if ago:
                text.append(f" · {ago}", style="dim")
        if running:
            frame = SPINNER[int(time.monotonic() * 8) % len(SPINNER)]
            text.append(f"  {frame} checking…", style="italic cyan")
        if state.overridden:
            verdict = "ticked" if state.manual else "unticked"
            reason = f": {state.manual_reason}" if state.manual_reason else ""
            text.append(f"\n✎ {verdict} by hand over the check{reason}", style="italic magenta")
        if state.flagged:
            text.append(f"\n⚑ was passing, now failing: {state.flag_summary}", style="bold red")
        text_widget.update(text)


@lru_cache(maxsize=512)
def highlighted(code: str, language: str) -> Text:
    """Syntax-highlight once: a `Syntax` renderable re-lexes on every layout pass, which made
    a long procedure section cost ~0.1 s per redraw; highlighted `Text` only wraps."""
    syntax = Syntax(code, LEXERS.get(language, language), theme="ansi_dark", background_color="default")
    text = syntax.highlight(code)
    text.rstrip()
    return text


def _ago(check_at: float, now: float | None) -> str:
    if not check_at or now is None:
        return ""
    seconds = max(0, int(now - check_at))
    return f"{seconds}s ago" if seconds < 120 else f"{seconds // 60}m ago"


def _dom_id(model_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in model_id)


def section_rows(runbook: Runbook | None, section: Section, substitute) -> Iterator[Row]:
    """Every row of a section, in document order."""
    yield from _rows(runbook, section.blocks, substitute)


def _rows(runbook: Runbook | None, blocks: list[Block], substitute) -> Iterator[Row]:
    for block in blocks:
        if isinstance(block, MarkdownBlock):
            yield ProseRow(block)
        elif isinstance(block, CommandBlock):
            yield CommandRow(block, substitute(block.code))
        elif isinstance(block, TableBlock):
            yield TableRow(block)
        elif isinstance(block, ChecklistGroup):
            yield ChecklistHeaderRow(block)
            for item in block.items:
                yield ChecklistItemRow(item)
        elif isinstance(block, Phase):
            yield HeadingRow(Text(block.title, style="bold reverse"), "phase", block.id)
            yield from _rows(runbook, block.blocks, substitute)
        elif isinstance(block, Step):
            title = f"{block.number}. {block.title}" if block.number else block.title
            yield HeadingRow(Text(title, style="bold underline"), "step", block.id)
            yield from _rows(runbook, block.blocks, substitute)
            for expected in block.expected:
                yield ExpectedRow(expected, expected.block.code)
        elif isinstance(block, ExpectedOutput):
            yield ExpectedRow(block, block.block.code)
        elif isinstance(block, TroubleshootingEntry):
            yield HeadingRow(Text(f"⚠ {block.title}", style="bold yellow"), "issue", block.id)
            if block.symptoms:
                yield HeadingRow(Text("Symptoms", style="bold"), "label")
                yield from _rows(runbook, block.symptoms, substitute)
            if block.cause:
                yield ProseRow(MarkdownBlock(f"**Cause:** {block.cause}", block.line))
            if block.resolution:
                yield HeadingRow(Text("→ Resolution", style="bold green"), "label")
                yield from _rows(runbook, block.resolution, substitute)
            yield from _rows(runbook, block.other, substitute)
