"""The fleet's hosts as a scrolling list that draws only the rows on screen.

A `DataTable` keeps a row object per host and re-renders rows as cells change: at 1,000 hosts
and four figures a sampling round meant 4,000 cell updates on the event loop. This widget holds
the `HostRow`s the table model (`logic.host_table`) computed, already sorted and filtered, and
`render_line` formats the dozen or so visible ones on demand, so a round, a new sort or a filter
keystroke costs one list swap and one repaint, whatever the fleet size.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from omniops_tui.logic.host_table import HOST_FIGURES, HostRow
from omniops_tui.logic.metrics import BY_NAME, format_value
from omniops_tui.ui.widgets.figures import STATUS_STYLES

HOST_WIDTH = 18
FIGURE_WIDTH = 10
SOURCE_WIDTH = 13
HOST_LABELS = {
    "cpu_percent": "CPU",
    "mem_percent": "Memory",
    "disk_percent": "Disk /",
    "load_per_cpu": "Load/CPU",
}
MARKS = {"pass": "● ", "warn": "▲ ", "fail": "✖ ", "error": "✖ "}
SOURCE_NAMES = {"prometheus": "prom", "ssh": "ssh"}


def header_text() -> Text:
    """The column titles, aligned with `row_text`."""
    text = Text("Host".ljust(HOST_WIDTH), style="bold")
    for metric in HOST_FIGURES:
        text.append(HOST_LABELS[metric].ljust(FIGURE_WIDTH), style="bold")
    text.append("Source, age", style="bold")
    return text


def age_text(now: float, t: float) -> str:
    """`4s`, `3m`: how old the newest sample is (a stale row stands out)."""
    seconds = max(0, int(now - t))
    return f"{seconds}s" if seconds < 120 else f"{seconds // 60}m"


def row_text(row: HostRow, now: float) -> Text:
    """One host: its name, each figure coloured by its verdict, where the figures came from."""
    text = Text(_fit(row.host, HOST_WIDTH - 1).ljust(HOST_WIDTH))
    for metric in HOST_FIGURES:
        value, status = row.values[metric], row.statuses[metric]
        shown = "unknown" if value is None else MARKS.get(status, "") + format_value(BY_NAME[metric], value)
        text.append(_fit(shown, FIGURE_WIDTH - 1).ljust(FIGURE_WIDTH), style=STATUS_STYLES.get(status, ""))
    source = "+".join(SOURCE_NAMES.get(name, name) for name in row.sources) or "—"
    text.append(_fit(f"{source} {age_text(now, row.t)}" if row.sources else source, SOURCE_WIDTH), "dim")
    return text


def _fit(value: str, width: int) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"


class HostList(ScrollView, can_focus=True):
    """`set_rows(rows, now)` after each round; the cursor stays on its host across re-sorts."""

    DEFAULT_CSS = """
    HostList {
        height: auto;
        max-height: 12;
        overflow-x: hidden;
    }
    HostList:focus {
        background-tint: $foreground 5%;
    }
    """
    BINDINGS = [
        Binding("up,k", "move(-1)", "Up", show=False),
        Binding("down,j", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
    ]

    cursor: reactive[int] = reactive(0, always_update=True)

    class Highlighted(Message):
        """The cursor moved to another host (the screen's detail line follows it)."""

        def __init__(self, row: HostRow | None) -> None:
            super().__init__()
            self.row = row

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[HostRow] = []
        self.now = 0.0
        self._cursor_style = Style(reverse=True)

    # ------------------------------------------------------------------ data
    def set_rows(self, rows: list[HostRow], now: float) -> None:
        """Show these rows (sorted and filtered already); the cursor follows its host."""
        current = self.current
        self.rows = rows
        self.now = now
        self.virtual_size = Size(self.size.width, len(rows))
        self.styles.height = max(1, min(len(rows), 12))
        if current is not None:
            index = next((i for i, row in enumerate(rows) if row.host == current.host), None)
            if index is not None:
                self.cursor = index
        self.cursor = min(self.cursor, max(0, len(rows) - 1))
        self.refresh()

    @property
    def current(self) -> HostRow | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    # ------------------------------------------------------------------ drawing
    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_offset.y) + y
        width = self.scrollable_content_region.width
        if index >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        text = row_text(self.rows[index], self.now)
        segments = list(text.render(self.app.console))
        strip = Strip(segments).crop_extend(0, width, self.rich_style)
        if index == self.cursor and self.has_focus:
            strip = strip.apply_style(self._cursor_style)
        elif index == self.cursor:
            strip = strip.apply_style(Style(underline=True))
        return strip

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # ------------------------------------------------------------------ moving
    def watch_cursor(self, old: int, new: int) -> None:
        if not self.rows:
            return
        top = int(self.scroll_offset.y)
        visible = max(1, self.scrollable_content_region.height)
        if new < top:
            self.scroll_to(y=new, animate=False, immediate=True)
        elif new >= top + visible:
            self.scroll_to(y=new - visible + 1, animate=False, immediate=True)
        self.refresh()
        if old != new:
            self.post_message(self.Highlighted(self.current))

    def action_move(self, step: int) -> None:
        self.cursor = max(0, min(len(self.rows) - 1, self.cursor + step))

    def action_page(self, direction: int) -> None:
        self.action_move(direction * max(1, self.scrollable_content_region.height - 1))

    def action_jump(self, where: int) -> None:
        self.cursor = max(0, len(self.rows) - 1) if where < 0 else 0
