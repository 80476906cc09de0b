"""One log pane: a Textual `Log` fed in batches from a `LogBuffer`, with follow/pause, filter
and search, and a one-line status under it.

The pane never writes one line at a time: the screen calls `flush()` 15 times a second and the
pane hands what is pending to `Log.write_lines` at once (STYLE point 4), the newest TAIL_LINES
of it when more arrived: the rest is in the buffer's scrollback, drawn if the engineer pauses. While paused it
writes nothing, so what the engineer reads stays still, and counts what arrives meanwhile.
A filter rebuilds the view from the buffer's scrollback and then filters new lines as they
come, with the same `ContextFilter`, so both agree. The pane is fed the same way live and in
replay: `feed(lines)` appends to its buffer, `flush()` shows it.
"""

from __future__ import annotations

import re

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from omniops_tui.core.logbuffer import (
    DEFAULT_CONTEXT,
    ContextFilter,
    LogBuffer,
    dropped_marker,
    find,
)
from omniops_tui.ui.widgets.log_view import CURRENT_MATCH, LogHighlighter, LogView

__all__ = ["CURRENT_MATCH", "LogHighlighter", "LogPane", "LogView"]

TAIL_LINES = 200
"""The most lines one frame writes to the view: a screenful is 22. A firehose brings tens of
thousands a frame; writing them all (made visible, split, stored) was the largest cost of the
pane, for lines scrolled off before anyone could see them. They stay in the buffer's
scrollback, which the view is rebuilt from when the engineer pauses to read it."""


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
        self._gappy = False  # the view skipped lines (TAIL_LINES): rebuilt from the buffer on pause
        self.frames = 0  # writes to the view, and the lines they wrote (bench/log_ingest.py)
        self.drawn = 0
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
        self.buffer.following = self.following
        if not self.following or not self.buffer.pending:
            return 0
        lines = self.buffer.take_pending()
        taken = len(lines)
        if self._filter is not None:
            lines = self._filter.feed(lines)
        if lines:
            self._write(lines)
        return taken

    def _write(self, lines: list[str], scroll_end: bool | None = None) -> None:
        """Write a batch to the view, only its last TAIL_LINES when it is longer."""
        if len(lines) > TAIL_LINES:
            lines = lines[-TAIL_LINES:]
            self._gappy = True
        self.view.write_lines(lines, scroll_end=scroll_end)
        self.frames += 1
        self.drawn += len(lines)

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
        self._gappy = False
        if lines:
            view.write_lines(lines, scroll_end=True)
        view.scroll_end(animate=False, immediate=True, x_axis=False)
        self.following = self.buffer.following = True
        return taken

    def _restore_scrollback(self) -> None:
        """The view skipped lines while following: write it again from the buffer's scrollback
        (what was drawn so far; pending lines come on `follow`), as far from the end as it was."""
        view = self.view
        from_end = view.max_scroll_y - view.scroll_y
        self._gappy = False
        lines = self.buffer.lines()
        if self.buffer.pending:
            lines = lines[: -self.buffer.pending]
        if self.filter_pattern is not None:
            self._filter = ContextFilter(self.filter_pattern, self.context, prefixed=self.prefixed)
            lines = self._filter.feed(lines)
        view.current_line = None
        view.clear()
        if lines:
            view.write_lines(lines, scroll_end=False)
        view.scroll_to(y=max(0, view.max_scroll_y - from_end), animate=False, immediate=True)

    # ------------------------------------------------------------------ follow and pause
    def pause(self) -> None:
        if self.following:
            self.following = self.buffer.following = False
            self._paused_received = self.buffer.received
            self._paused_dropped = self.buffer.dropped
            if self._gappy:
                self._restore_scrollback()

    def follow(self) -> None:
        """Back to the newest line: draw what arrived while paused, then follow."""
        if self.following:
            self.view.scroll_end(animate=False, immediate=True, x_axis=False)
            return
        self.following = self.buffer.following = True
        self.view.current_line = None
        dropped = self.buffer.dropped - self._paused_dropped
        lines = self.buffer.take_pending()
        if self._filter is not None:
            lines = self._filter.feed(lines)
        if dropped:
            if len(lines) >= TAIL_LINES:  # the marker must stay in what is written
                lines, self._gappy = lines[-(TAIL_LINES - 1) :], True
            lines.insert(0, dropped_marker(dropped))
        if lines:
            self._write(lines, scroll_end=True)
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
        view = self.view
        if pattern == self.search_pattern and (pattern is not None or view.current_line is None):
            # The same search (the input hands its value over on open and on enter): a repaint
            # of every line on screen for nothing, under a flood most of such a key's frame.
            return
        self.search_pattern = pattern
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
        if self._gappy:  # search what the engineer can scroll to, not a view with holes
            self.pause()
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
        """Update the status line only when its text changed."""
        status = self._status
        if text.plain != self._status_plain and status is not None and status.is_attached:
            self._status_plain = text.plain
            status.update(text, layout=False)  # one fixed-size line: no layout needed
