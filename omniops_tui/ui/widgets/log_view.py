"""The log pane's view: Textual's `Log` with log highlighting, drawing only what is on screen.

Split from `log_pane` (the pane: buffer, follow/pause, filter, search). The view is also the run
output pane's (`run_pane`). What it adds to Textual's `Log`: ERROR/WARN highlighting and search
marks, remote text made visible (never terminal control), batches written with a few C calls
instead of Python work per line, and one computation of the widget's style per frame instead
of one per line drawn (Textual's `rich_style` walks every ancestor: it was a third of the cost
of a line on screen, and a firehose changes every line on screen every frame).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Self

from rich.cells import cell_len
from rich.highlighter import RegexHighlighter
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.widgets import Log

from omniops_tui.core.logbuffer import PREFIX_SEP
from omniops_tui.core.text import visible

CURRENT_MATCH = Style(bgcolor="grey30", bold=True)


class LogHighlighter(RegexHighlighter):
    """ERROR and WARN lines stand out; timestamps and merged-view prefixes step back.

    Styles are applied as Rich `Style` objects (not theme names), so they render the same in
    any Textual theme; `search` (set by the pane) marks the search matches on top.
    """

    highlights = [
        r"^(?=.*\b(?:ERROR|FATAL|CRITICAL)\b)(?P<error_line>.*)$",
        r"^(?=.*\bWARN(?:ING)?\b)(?P<warn_line>.*)$",
        r"(?P<error>\b(?:ERROR|FATAL|CRITICAL)\b)",
        r"(?P<warn>\bWARN(?:ING)?\b)",
        r"^(?:[^│]*│ )?(?P<timestamp>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z?)",
        r"^(?P<prefix>[^│\n]{1,60}│ )",
        r"(?P<marker>──── .*)",
        r"^(?P<separator>--)$",
    ]
    STYLES: dict[str, Style] = {
        "error_line": Style(color="red"),
        "warn_line": Style(color="yellow"),
        "error": Style(color="bright_white", bgcolor="red", bold=True),
        "warn": Style(color="black", bgcolor="yellow", bold=True),
        "timestamp": Style(dim=True),
        "prefix": Style(color="cyan", dim=True),
        "marker": Style(color="magenta", bold=True),
        "separator": Style(dim=True),
    }
    SEARCH = Style(reverse=True, bold=True)
    _compiled = [re.compile(pattern) for pattern in highlights]

    def __init__(self) -> None:
        self.search: re.Pattern[str] | None = None
        self.prefixed = False  # the merged view: a search marks the line, never its label

    def highlight(self, text: Text) -> None:
        plain = text.plain
        styles = self.STYLES
        for pattern in self._compiled:
            for match in pattern.finditer(plain):
                for name, value in match.groupdict().items():
                    if value:
                        start, end = match.span(name)
                        text.stylize(styles[name], start, end)
        if self.search is not None:
            start = plain.find(PREFIX_SEP) + len(PREFIX_SEP) if self.prefixed and PREFIX_SEP in plain else 0
            for match in self.search.finditer(plain[start:]):
                if match.end() > match.start():
                    text.stylize(self.SEARCH, start + match.start(), start + match.end())


class LogView(Log):
    """Textual's `Log` with the log highlighter and a marked current search match."""

    class FollowRequested(Message):
        """`end` (the Log's own key) means "back to the newest line": follow again."""

    def __init__(self, max_lines: int, **kwargs: object) -> None:
        super().__init__(highlight=True, max_lines=max_lines, auto_scroll=True, **kwargs)  # type: ignore[arg-type]
        self.log_highlighter = LogHighlighter()
        self.highlighter = self.log_highlighter
        self.current_line: int | None = None
        self._frame_style: Style | None = None
        self.on_scroll_back: Callable[[], None] | None = None

    def write_lines(self, lines: Iterable[str], scroll_end: bool | None = None) -> Self:
        """Textual's `write_lines` with a few C calls per batch instead of Python work per line.

        Textual splits each line on its own, prunes its render cache line by line and refreshes
        each new line's region: at a firehose's 15 batches a second of thousands of lines that
        was the pane's largest cost, for lines of which at most a screenful is ever drawn. Here
        the batch is split in one call, lines that would be pruned at once are never added, and
        the cache and the view are refreshed whole (only the visible lines are then rendered).
        """
        batch = lines if isinstance(lines, list) else list(lines)
        if not batch:
            return self
        # Remote text is data (issue 10 §1): controls made visible for the whole batch at once.
        new_lines = visible("\n".join(batch)).expandtabs().splitlines()
        limit = self.max_lines
        if limit is not None and len(new_lines) > limit:
            new_lines = new_lines[-limit:]
        at_end = self.is_vertical_scroll_end
        auto_scroll = self.auto_scroll if scroll_end is None else scroll_end
        stored = self._lines
        stored.extend(new_lines)
        if limit is not None and len(stored) > limit:
            del stored[: len(stored) - limit]
        self._render_line_cache.clear()
        self._set_virtual_size(Size(self._width, len(stored)))
        self._update_size(self._updates, new_lines)
        if auto_scroll and at_end and not self.is_vertical_scrollbar_grabbed:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        self.refresh()
        return self

    def _set_virtual_size(self, size: Size) -> None:
        """Set the scrollable size without a layout of the whole screen when the scrollbars stay
        as they are. Textual's `virtual_size` is a layout reactive: every batch that added lines
        (every frame of a stream until the view is full) re-laid out and re-rendered every widget
        of the screen. The scrollbars are updated here, as a layout would."""
        if size == self.virtual_size:
            return
        bars = (self.show_vertical_scrollbar, self.show_horizontal_scrollbar)
        self.set_reactive(Log.virtual_size, size)
        self._scroll_update(size)
        if (self.show_vertical_scrollbar, self.show_horizontal_scrollbar) != bars:
            self.refresh(layout=True)

    def _update_maximum_width(self, updates: int, size: int) -> None:
        """Textual's, with `_set_virtual_size`."""
        if updates == self._updates:
            self._width = max(size, self._width)
            self._set_virtual_size(Size(self._width, self.line_count))

    @classmethod
    def _process_line(cls, line: str) -> str:
        """Remote text is data (issue 10 §1): every control character made visible (`␛`).

        Textual's `Log` blanks only U+0000-U+0014, so ESC (U+001B) and the C1 controls went to
        the terminal raw: a log line's OSC 52 wrote the tmux clipboard and its OSC 2 the title.
        """
        return visible(line).expandtabs()

    def _update_size(self, updates: int, lines: list[str]) -> None:  # type: ignore[override]
        """The widest new line, for horizontal scrolling, measured on the longest one only.

        Textual's version measures every line's cell width in a thread worker: at 50,000+
        lines/s that is the pane's largest cost and it holds the GIL the event loop needs.
        Measuring the longest line (by characters) is exact for the ASCII of logs and close
        enough otherwise (it only sets how far the view scrolls sideways).
        """
        if lines:
            longest = max(lines, key=len)
            self._update_maximum_width(updates, cell_len(self._process_line(longest)))

    def render_lines(self, crop: Region) -> list[Strip]:
        """Every line of a frame with the widget's style computed once (see the module doc)."""
        self._frame_style = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._frame_style = None

    def _render_line(self, y: int, scroll_x: int, width: int) -> Strip:
        """Textual's `Log._render_line`, with the frame's style instead of one per line."""
        rich_style = self._frame_style or self.rich_style
        if y >= len(self._lines):
            return Strip.blank(width, rich_style)
        line = self._render_line_strip(y, rich_style)
        line = line.crop_extend(scroll_x, scroll_x + width, rich_style)
        return line.apply_offsets(scroll_x, y)

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        if self.current_line is not None and self.scroll_offset.y + y == self.current_line:
            strip = Strip(Segment.apply_style(list(strip), post_style=CURRENT_MATCH), strip.cell_length)
        return strip

    # Textual repaints a widget whole when it gains or loses the focus. When its look depends on
    # the focus, its styles change and repaint it anyway; the logs' view looks the same either
    # way (logs.tcss), and under a flood a repaint of every line on screen was most of the frame
    # of a key that opens or closes the logs' input. So: Textual's handlers, without that repaint.
    def _on_focus(self, event: events.Focus) -> None:
        event.prevent_default()
        self.has_focus = True
        if self.parent is not None:
            self.parent.post_message(events.DescendantFocus(self))

    def _on_blur(self, event: events.Blur) -> None:
        event.prevent_default()
        self.has_focus = False
        if self.parent is not None:
            self.parent.post_message(events.DescendantBlur(self))

    def action_scroll_end(self) -> None:
        super().action_scroll_end()
        self.post_message(self.FollowRequested())

    # Scrolling back pauses *before* the scroll starts: the scroll is animated, and a batch
    # written meanwhile would otherwise snap the view back to the end.
    def action_scroll_up(self) -> None:
        self._scrolling_back()
        super().action_scroll_up()

    def action_page_up(self) -> None:
        self._scrolling_back()
        super().action_page_up()

    def action_scroll_home(self) -> None:
        self._scrolling_back()
        super().action_scroll_home()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._scrolling_back()

    def _scrolling_back(self) -> None:
        if self.on_scroll_back is not None and self.max_scroll_y > 0:
            self.on_scroll_back()
