"""The rows of a runbook section: each model block becomes one or more list items.

A section is shown as a `ListView` of rows so the keyboard moves through it item by item
(up/down), the highlighted row is what keys act on (space ticks, c copies, x runs), and long text
wraps instead of being cut. Rows are built lazily, per section, from the model.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from rich.markdown import Markdown
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from omniops_tui.core.events import CheckResultEvent
from omniops_tui.core.text import visible, visible_line
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
from omniops_tui.runbooks.placeholders import Substitution
from omniops_tui.sessions.state import ItemState, SessionState
from omniops_tui.ui.literal import literal
from omniops_tui.ui.widgets.command_row import CommandRow, ExpectedRow
from omniops_tui.ui.widgets.row import Row

INDENT = 2  # columns per nesting level of a checklist item
MAX_INDENT_LEVELS = 8  # deeper items stay at this indent: the text keeps room at 80 columns
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
STATUS_MARKS = {
    "pass": ("✓", "green"),
    "warn": ("!", "yellow"),
    "fail": ("✗", "bold red"),
    "error": ("✗", "red"),
    "unknown": ("?", "dim"),
}


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


class TableRow(Row):
    kind = "table"

    def __init__(self, block: TableBlock) -> None:
        super().__init__(classes="table-row")
        self.block = block

    def compose(self) -> ComposeResult:
        table = Table(show_lines=False, expand=True, header_style="bold")
        for header in self.block.headers:
            table.add_column(literal(header), overflow="fold")
        for row in self.block.rows:
            table.add_row(*(literal(cell) for cell in row))
        yield Static(table)


class ChecklistHeaderRow(Row):
    """`Code Quality (T-48h)  3/7`: the group's title, timing and live progress."""

    kind = "checklist-header"

    def __init__(self, group: ChecklistGroup, progress: tuple[int, int]) -> None:
        super().__init__(classes="checklist-header-row")
        self.group = group
        self.progress = progress

    def compose(self) -> ComposeResult:
        yield Static(
            self._text(*self.progress), id=f"gh-{_dom_id(self.group.id)}", classes="checklist-header"
        )

    def update_progress(self, done: int, total: int) -> None:
        if (done, total) != self.progress or not self.is_mounted:
            self.progress = (done, total)
            for static in self.query(Static).results(Static):
                static.update(self._text(done, total))

    def _text(self, done: int, total: int) -> Text:
        text = Text()
        text.append(visible_line(self.group.title), style="bold")
        if self.group.timing:
            text.append(f"  ({self.group.timing})", style="dim")
        style = "bold green" if done == total and total else ("yellow" if done else "dim")
        text.append(f"  {done}/{total}", style=style)
        return text


class ChecklistItemRow(Row):
    """One checklist item: the box (manual tick or the check's verdict) and its text."""

    kind = "checklist-item"

    def __init__(self, item: ChecklistItem, state: ItemState | None, *, now: float | None = None) -> None:
        super().__init__(classes="checklist-item-row")
        self.item = item
        if item.depth:  # a child item sits under its parent, tickable on its own
            self.styles.padding = (0, 0, 0, 1 + INDENT * min(item.depth, MAX_INDENT_LEVELS))
        self._initial = (state, now)
        self._shown: tuple[object, ...] | None = None
        self._plain: str | None = None  # the text last shown, to know when its lines change

    def compose(self) -> ComposeResult:
        # One widget per row (box and text in one grid): a 171-item section lays out and
        # repaints a third fewer widgets than with a box widget beside a text widget.
        yield Static(classes="item-text")

    def on_mount(self) -> None:
        state, now = self._initial
        self.update_state(state, now=now)

    def initial_state(self, state: ItemState | None, now: float | None) -> None:
        """Before it is mounted: the state to show first (the row was built earlier)."""
        self._initial = (state, now)

    def update_state(
        self, state: ItemState | None, *, running: bool = False, now: float | None = None
    ) -> None:
        state = state or ItemState()
        key = (
            state.done,
            state.check_status,
            state.check_summary,
            _ago(state.check_at, now),
            running,
            state.overridden,
            state.manual_reason,
            state.flagged,
            state.flag_summary,
            state.manual,
        )
        if key == self._shown and not running:
            return  # nothing the row shows changed: no repaint
        self._shown = key
        texts = list(self.query_children(".item-text").results(Static))
        if not texts:
            return
        text_widget = texts[0]
        self.set_class(state.done, "done")
        failing = state.check_status in ("fail", "error") and not state.done
        self.set_class(failing, "failing")
        self.set_class(state.flagged, "flagged")
        box = Text("[✓]" if state.done else "[ ]", style="bold green" if state.done else "")
        if failing:
            box.stylize("red")
        text = Text(visible(self.item.text))
        text.stylize("dim" if state.done and state.manual is not None else "")
        if state.check_status:
            mark, style = STATUS_MARKS.get(state.check_status, ("?", "dim"))
            ago = _ago(state.check_at, now)
            text.append(f"\n{mark} {visible_line(state.check_summary)}", style=style)
            if ago:
                text.append(f" · {ago}", style="dim")
        frame = SPINNER[int(time.monotonic() * 8) % len(SPINNER)]
        if running:
            text.append(f"  {frame} checking…", style="italic cyan")
        if state.overridden:
            verdict = "ticked" if state.manual else "unticked"
            reason = f": {visible_line(state.manual_reason)}" if state.manual_reason else ""
            text.append(f"\n✎ {verdict} by hand over the check{reason}", style="italic magenta")
        if state.flagged:
            text.append(f"\n⚑ was passing, now failing: {visible_line(state.flag_summary)}", style="bold red")
        grid = Table.grid(expand=True)
        grid.add_column(width=4, no_wrap=True)
        grid.add_column(ratio=1)
        grid.add_row(box, text)
        # A tick changes the box and the style, not the lines: no layout of the whole section.
        # Nor does the spinner's next frame (one braille cell for another: the same wrapping);
        # it turns every 0.25 s on every running row, each a layout of the screen otherwise.
        shape = text.plain.replace(frame, SPINNER[0]) if running else text.plain
        text_widget.update(grid, layout=shape != self._plain)
        self._plain = shape


class LiveAnswersRow(Row):
    """The live answers of the checks shown at a step or section (not tied to an item): what
    Disaster Recovery's "Assess Damage" asks, answered."""

    kind = "live-answers"

    def __init__(self, place_id: str, results: dict[str, CheckResultEvent] | None, now: float | None) -> None:
        super().__init__(classes="live-answers-row")
        self.place_id = place_id
        self._initial = (results, now)
        self._shown: tuple[tuple[str, ...], ...] | None = None

    def compose(self) -> ComposeResult:
        yield Static(classes="live-answers")

    def on_mount(self) -> None:
        self.update_results(*self._initial)

    def update_results(self, results: dict[str, CheckResultEvent] | None, now: float | None) -> None:
        key = tuple(
            (e.check_id, e.status, e.title, e.summary, _ago(e.t, now))
            for e in sorted((results or {}).values(), key=lambda e: e.check_id)
        )
        if key == self._shown:
            return  # the same answers again (a sweep whose results did not change): no repaint
        self._shown = key
        text = Text("Live answers", style="bold")
        if not results:
            text.append(" · waiting for the first check…", style="dim")
        for event in sorted((results or {}).values(), key=lambda e: e.check_id):
            mark, style = STATUS_MARKS.get(event.status, ("?", "dim"))
            title = visible_line(event.title or event.check_id)
            text.append(f"\n{mark} {title}: ", style=style)
            text.append(visible_line(event.summary))
            ago = _ago(event.t, now)
            if ago:
                text.append(f" · {ago}", style="dim")
        for static in self.query(".live-answers").results(Static):
            static.update(text)


def _ago(check_at: float, now: float | None) -> str:
    if not check_at or now is None:
        return ""
    seconds = max(0, int(now - check_at))
    return f"{seconds}s ago" if seconds < 120 else f"{seconds // 60}m ago"


def _dom_id(model_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in model_id)


def section_rows(
    runbook: Runbook | None,
    section: Section,
    substitute: Callable[[str], Substitution],
    state: SessionState,
    now: float,
    places: frozenset[str] = frozenset(),
) -> Iterator[Row]:
    """Every row of a section, in document order, showing `state` as it is now."""
    builder = _RowBuilder(substitute, state, now, places)
    yield from builder.place(section.id)
    yield from builder.rows(section.blocks)


class _RowBuilder:
    def __init__(
        self,
        substitute: Callable[[str], Substitution],
        state: SessionState,
        now: float,
        places: frozenset[str],
    ) -> None:
        self.substitute = substitute
        self.state = state
        self.now = now
        self.places = places

    def place(self, place_id: str) -> Iterator[Row]:
        if place_id in self.places or place_id in self.state.places:
            yield LiveAnswersRow(place_id, self.state.places.get(place_id), self.now)

    def rows(self, blocks: list[Block]) -> Iterator[Row]:
        for block in blocks:
            yield from self.block(block)

    def block(self, block: Block) -> Iterator[Row]:
        if isinstance(block, MarkdownBlock):
            yield ProseRow(block)
        elif isinstance(block, CommandBlock):
            yield CommandRow(block, self.substitute(block.code))
        elif isinstance(block, TableBlock):
            yield TableRow(block)
        elif isinstance(block, ChecklistGroup):
            yield ChecklistHeaderRow(block, self.state.progress([i.id for i in block.items]))
            for item in block.items:
                yield ChecklistItemRow(item, self.state.items.get(item.id), now=self.now)
                for row in self.rows(item.detail):  # sub-bullets, paragraphs, commands under it
                    row.styles.padding = (0, 0, 0, 1 + INDENT * (min(item.depth, MAX_INDENT_LEVELS) + 2))
                    yield row
        elif isinstance(block, Phase):
            yield HeadingRow(Text(visible_line(block.title), style="bold reverse"), "phase", block.id)
            yield from self.place(block.id)
            yield from self.rows(block.blocks)
        elif isinstance(block, Step):
            title = f"{block.number}. {block.title}" if block.number else block.title
            yield HeadingRow(Text(visible_line(title), style="bold underline"), "step", block.id)
            yield from self.place(block.id)
            yield from self.rows(block.blocks)
            for expected in block.expected:
                yield ExpectedRow(expected)
        elif isinstance(block, ExpectedOutput):
            yield ExpectedRow(block)
        elif isinstance(block, TroubleshootingEntry):
            yield HeadingRow(Text(f"⚠ {visible_line(block.title)}", style="bold yellow"), "issue", block.id)
            if block.symptoms:
                yield HeadingRow(Text("Symptoms", style="bold"), "label")
                yield from self.rows(block.symptoms)
            if block.cause:
                yield ProseRow(MarkdownBlock(f"**Cause:** {block.cause}", block.line))
            if block.resolution:
                yield HeadingRow(Text("→ Resolution", style="bold green"), "label")
                yield from self.rows(block.resolution)
            yield from self.rows(block.other)
