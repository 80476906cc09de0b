"""One log pane: a Textual `Log` fed in batches from a `LogBuffer`, with follow/pause, filter
and search, and a one-line status under it.

The pane never writes one line at a time: the screen calls `flush()` 25 times a second and the
pane hands everything pending to `Log.write_lines` at once (STYLE point 4). While paused it
writes nothing, so what the engineer reads stays still, and counts what arrives meanwhile.
A filter rebuilds the view from the buffer's scrollback and then filters new lines as they
come, with the same `ContextFilter`, so both agree. The pane is fed the same way live and in
replay: `feed(lines)` appends to its buffer, `flush()` shows it.
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
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip
from textual.widgets import Log, Static

from omniops_tui.core.logbuffer import (
    DEFAULT_CONTEXT,
    PREFIX_SEP,
    ContextFilter,
    LogBuffer,
    dropped_marker,
    find,
)
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
        self.on_scroll_back: Callable[[], None] | None = None

    def write_lines(self, lines: Iterable[str], scroll_end: bool | None = None) -> Self:
        """Textual's `write_lines` with a few C calls per batch instead of Python work per line.

        Textual splits each line on its own, prunes its render cache line by line and refreshes
        each new line's region: at a firehose's 25 batches a second of thousands of lines that
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
        self.virtual_size = Size(self._width, len(stored))
        self._update_size(self._updates, new_lines)
        if auto_scroll and at_end and not self.is_vertical_scrollbar_grabbed:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        self.refresh()
        return self

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

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        if self.current_line is not None and self.scroll_offset.y + y == self.current_line:
            strip = Strip(Segment.apply_style(list(strip), post_style=CURRENT_MATCH), strip.cell_length)
        return strip

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


class LogPane(Vertical):
    """A `LogView` and its status line, drawing from one `LogBuffer`."""

    def __init__(
        self,
        key: str,
        title: str,
        buffer: LogBuffer,
        *,
        source_ids: list[str],
        context: int = DEFAULT_CONTEXT,
        prefixed: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="log-pane")
        self.key = key
        self.title = title
        self.buffer = buffer
        self.source_ids = source_ids
        self.context = context
        self.prefixed = prefixed  # the merged view: filters match the line, not its label
        self.following = True
        self.stale = True  # drawn from the whole scrollback the first time it is shown
        self.filter_pattern: re.Pattern[str] | None = None
        self.search_pattern: re.Pattern[str] | None = None
        self._filter: ContextFilter | None = None
        self._paused_received = 0
        self._paused_dropped = 0
        self._status_plain = ""
        self._view: LogView | None = None
        self._status: Static | None = None

    def compose(self) -> ComposeResult:
        self._view = LogView(self.buffer.capacity, classes="log-view")
        self._status = Static("", classes="pane-status", markup=False)
        yield self._view
        yield self._status

    def on_mount(self) -> None:
        self.view.on_scroll_back = self.pause
        self.watch(self.view, "scroll_y", self._scrolled, init=False)

    @property
    def view(self) -> LogView:
        view = self._view
        if view is None:
            view = self._view = self.query_one(LogView)
        return view

    # ------------------------------------------------------------------ feeding
    def feed(self, lines: list[str]) -> None:
        """Add lines (replay feeds recorded ones); the next `flush()` shows them."""
        self.buffer.append(lines)

    def feed_marker(self, line: str) -> None:
        self.buffer.append_marker(line)

    def flush(self) -> int:
        """Draw what is pending (one `write_lines`); returns how many lines were taken."""
        if self.stale:
            return self.rebuild()
        if not self.following or not self.buffer.pending:
            return 0
        lines = self.buffer.take_pending()
        taken = len(lines)
        if self._filter is not None:
            lines = self._filter.feed(lines)
        if lines:
            self.view.write_lines(lines)
        return taken

    def hidden_tick(self) -> None:
        """Not on screen: drop the pending work (the pane is rebuilt from the buffer when shown)."""
        if self.following and self.buffer.pending:
            self.buffer.discard_pending()
            self.stale = True

    def rebuild(self) -> int:
        """Redraw from the whole scrollback (first show, filter change, return to the pane)."""
        self.stale = False
        taken = self.buffer.pending
        lines = self.buffer.lines()
        self.buffer.take_pending()
        self._filter = (
            ContextFilter(self.filter_pattern, self.context, prefixed=self.prefixed)
            if self.filter_pattern
            else None
        )
        if self._filter is not None:
            lines = self._filter.feed(lines)
        view = self.view
        view.current_line = None
        view.clear()
        if lines:
            view.write_lines(lines, scroll_end=True)
        view.scroll_end(animate=False, immediate=True, x_axis=False)
        self.following = True
        return taken

    # ------------------------------------------------------------------ follow and pause
    def pause(self) -> None:
        if self.following:
            self.following = False
            self._paused_received = self.buffer.received
            self._paused_dropped = self.buffer.dropped

    def follow(self) -> None:
        """Back to the newest line: draw what arrived while paused, then follow."""
        if self.following:
            self.view.scroll_end(animate=False, immediate=True, x_axis=False)
            return
        self.following = True
        self.view.current_line = None
        dropped = self.buffer.dropped - self._paused_dropped
        lines = self.buffer.take_pending()
        if self._filter is not None:
            lines = self._filter.feed(lines)
        if dropped:
            lines.insert(0, dropped_marker(dropped))
        if lines:
            self.view.write_lines(lines, scroll_end=True)
        self.view.scroll_end(animate=False, immediate=True, x_axis=False)

    def toggle_pause(self) -> None:
        if self.following:
            self.pause()
        else:
            self.follow()

    @property
    def new_while_paused(self) -> int:
        return 0 if self.following else self.buffer.received - self._paused_received

    def _scrolled(self, old: float, new: float) -> None:
        """Any other way of scrolling back (the scrollbar) pauses too: the lines being read
        stay still. (Programmatic scrolls only ever go to the end while following.)"""
        if self.following and new < old and new < self.view.max_scroll_y:
            self.pause()

    def on_log_view_follow_requested(self, message: LogView.FollowRequested) -> None:
        message.stop()
        self.follow()

    # ------------------------------------------------------------------ filter and search
    def set_filter(self, pattern: re.Pattern[str] | None) -> None:
        """Show only matching lines with context (None: everything); redraws and follows."""
        self.filter_pattern = pattern
        self.rebuild()

    @property
    def filter_matches(self) -> int:
        return self._filter.matches if self._filter is not None else 0

    def set_search(self, pattern: re.Pattern[str] | None) -> None:
        self.search_pattern = pattern
        view = self.view
        view.log_highlighter.search = pattern
        view.log_highlighter.prefixed = self.prefixed
        if pattern is None:
            view.current_line = None
        view.refresh()

    def jump(self, *, backward: bool, from_end: bool = False) -> tuple[int, bool] | None:
        """Move to the next (newer) or previous (older) match; pauses following."""
        pattern = self.search_pattern or self.filter_pattern
        if pattern is None:
            return None
        view = self.view
        lines = view.lines
        if from_end or view.current_line is None:
            start = len(lines) if backward else -1
            if not from_end and view.current_line is None and not self.following:
                # From what is on screen, not from an end the engineer is not looking at.
                top = view.scroll_offset.y
                start = top + view.size.height if backward else top - 1
        else:
            start = view.current_line
        found = find(lines, pattern, start, backward=backward, prefixed=self.prefixed)
        if found is None:
            return None
        index, wrapped = found
        self.pause()
        view.current_line = index
        view.scroll_to(y=max(0, index - view.size.height // 2), animate=False, immediate=True)
        view.refresh()
        return index, wrapped

    # ------------------------------------------------------------------ status
    def set_status(self, text: Text) -> None:
        """Update the status line only when its text changed (each update costs a layout)."""
        status = self._status
        if text.plain != self._status_plain and status is not None and status.is_attached:
            self._status_plain = text.plain
            status.update(text)
