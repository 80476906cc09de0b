"""The runbook's sidebar: its sections, and under each the headings down to `####`.

A team's runbook often keeps its structure in deeper headings (`### Phase 1` / `#### Step 2`)
inside one section; listing them makes every one of them one key away. Sections are numbered
(digits jump to them) and show their checklist progress; a heading under a section is
indented and, when chosen, scrolls the section to it.
"""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from omniops_tui.core.text import visible_line
from omniops_tui.runbooks.model import Runbook
from omniops_tui.runbooks.outline import OutlineEntry, outline
from omniops_tui.ui.widgets.risk import progress_text

INDENT = 2  # columns per heading level under a section


class SidebarLine:
    """One line of the sidebar at whatever width it gets: the number, the title cut with an
    ellipsis, the progress flush right. A Rich table grid did the same at many times the cost,
    and the sidebar renders every entry each time a runbook opens."""

    def __init__(self, number: str, title: Text, right: Text) -> None:
        self.number, self.title, self.right = number, title, right

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(options.max_width, options.max_width)  # the whole width, as a row

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        title = self.title.copy()
        title.truncate(max(0, width - 2 - self.right.cell_len), overflow="ellipsis")
        line = Text(no_wrap=True, overflow="crop")  # ends in a newline: its height is counted so
        line.append(self.number.ljust(2)[:2], style="dim")
        line.append_text(title)
        if self.right:
            line.pad_right(max(0, width - line.cell_len - self.right.cell_len))
            line.append_text(self.right)
        line.truncate(width)
        yield line


class SectionList(OptionList):
    """The runbook's table of contents, with each section's checklist progress."""

    BINDINGS = [
        Binding(
            "right", "screen.focus_content", "Read", show=False, tooltip="Move into the section's content"
        ),
    ]

    def __init__(self, runbook: Runbook, *, id: str) -> None:
        self.entries: list[OutlineEntry] = outline(runbook)
        self._section_of: dict[str, str] = {}
        self._index: dict[str, int] = {}
        self._numbers: dict[str, int] = {}
        self._shown: dict[str, tuple[int, int]] = {}  # the counts each section's prompt shows
        current = ""
        for index, entry in enumerate(self.entries):
            if entry.depth == 0:
                current = entry.id
                self._numbers[entry.id] = len(self._numbers) + 1
            self._section_of[entry.id] = current
            self._index[entry.id] = index
        super().__init__(id=id)

    def build(self, progress: dict[str, tuple[int, int]]) -> None:
        """Fill the list; `progress` holds each section's (done, total) checklist items."""
        self._shown.update(progress)
        self.add_options(Option(self.prompt(e, progress.get(e.id)), id=e.id) for e in self.entries)

    def prompt(self, entry: OutlineEntry, progress: tuple[int, int] | None) -> SidebarLine:
        """`3 Prerequisites Checkl… 1/18` for a section, `    Phase 2: Dep…` under it."""
        if entry.depth == 0:
            shown = progress_text(*progress) if progress and progress[1] else Text("")
            return SidebarLine(f"{self._numbers[entry.id]}", Text(f" {visible_line(entry.title)}"), shown)
        mark = "⚠ " if entry.kind == "issue" else ""
        title = Text(" " * (INDENT * entry.depth - 1) + mark + visible_line(entry.title), style="dim")
        return SidebarLine("", title, Text(""))

    def section_of(self, option_id: str) -> str:
        """The section an entry (a section, or a heading under one) belongs to."""
        return self._section_of.get(option_id, option_id)

    def index_of(self, option_id: str) -> int | None:
        return self._index.get(option_id)

    def highlight_section(self, section_id: str) -> None:
        """Highlight the section, unless what is highlighted already lies inside it."""
        current = self.highlighted
        if current is not None and self.section_of(self.entries[current].id) == section_id:
            return
        index = self.index_of(section_id)
        if index is not None:
            self.highlighted = index

    def refresh_progress(self, progress: dict[str, tuple[int, int]]) -> None:
        """Replace the prompts whose counts changed: replacing one clears the list's render
        cache, and every check result of a sweep comes here (most change no count)."""
        for section_id, counts in progress.items():
            index = self.index_of(section_id)
            if index is not None and counts[1] and self._shown.get(section_id) != counts:
                self._shown[section_id] = counts
                self.replace_option_prompt_at_index(index, self.prompt(self.entries[index], counts))
