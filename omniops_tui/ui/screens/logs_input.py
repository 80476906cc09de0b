"""The logs screen's pattern input: `/` filters, `ctrl+f` searches, `n` / `N` jump.

A mixin of `LogsScreen` (which owns the `#log-pattern` Input, `current_pane` and the status
refresh), so the screen module stays layout, keys and the draw tick. A filter applies as it is
typed (escape restores the previous one); an invalid regex is said under the input, and once
more on enter, never raised.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from textual.widgets import Input

from omniops_tui.core.logbuffer import compile_pattern
from omniops_tui.ui.widgets.log_pane import LogPane

if TYPE_CHECKING:  # for the type checker, the mixin is a screen (it is only ever mixed into one)
    from textual.screen import Screen

    _Base = Screen[None]
else:
    _Base = object


class PatternInput(_Base):
    """Filter and search for the pane on show; mixed into `LogsScreen` only."""

    _input_mode: str
    _input_previous: str

    if TYPE_CHECKING:  # provided by the screen

        @property
        def current_pane(self) -> LogPane | None: ...
        def _refresh_status(self) -> None: ...
        def _focus_view(self) -> None: ...

    def action_filter(self) -> None:
        pane = self.current_pane
        if pane is not None:
            self._open_input("filter", pane.filter_pattern.pattern if pane.filter_pattern else "")

    def action_search(self) -> None:
        pane = self.current_pane
        if pane is not None:
            self._open_input("search", pane.search_pattern.pattern if pane.search_pattern else "")

    def action_next_match(self) -> None:
        self._jump(backward=False)

    def action_previous_match(self) -> None:
        self._jump(backward=True)

    def _jump(self, *, backward: bool, from_end: bool = False) -> None:
        pane = self.current_pane
        if pane is None:
            return
        if pane.search_pattern is None and pane.filter_pattern is None:
            self.notify("Nothing to look for: s searches, / filters", timeout=3)
            return
        found = pane.jump(backward=backward, from_end=from_end)
        if found is None:
            pattern = pane.search_pattern or pane.filter_pattern
            self.notify(f"No line matches /{pattern.pattern if pattern else ''}/ in this pane", timeout=3)
        elif found[1]:
            self.notify("Search wrapped around", timeout=2)
        self._refresh_status()

    def _open_input(self, mode: str, current: str) -> None:
        field = self.query_one("#log-pattern", Input)
        self._input_mode = mode
        self._input_previous = current
        field.placeholder = (
            "filter: a regex, lowercase matches any case (enter keeps it, escape cancels)"
            if mode == "filter"
            else "search: a regex (enter jumps to the newest match)"
        )
        field.border_title = "filter" if mode == "filter" else "search"
        field.value = current
        field.remove_class("hidden")
        field.focus()

    def _close_input(self, *, cancel: bool) -> None:
        field = self.query_one("#log-pattern", Input)
        mode, self._input_mode = self._input_mode, ""
        if cancel and mode == "filter":
            self._apply_filter(self._input_previous, quiet=True)
        field.add_class("hidden")
        field.remove_class("invalid")
        self._focus_view()
        self._refresh_status()

    def pattern_changed(self, value: str) -> None:
        if self._input_mode == "filter":
            self._apply_filter(value, quiet=True)
        elif self._input_mode == "search":
            self._apply_search(value, quiet=True, jump=False)

    def pattern_submitted(self, value: str) -> None:
        ok = (
            self._apply_filter(value, quiet=False)
            if self._input_mode == "filter"
            else self._apply_search(value, quiet=False, jump=True)
        )
        if ok:
            self._close_input(cancel=False)

    def _pattern(self, value: str, *, quiet: bool) -> tuple[bool, re.Pattern[str] | None]:
        """The typed regex, or the reason it is not one (under the input, and said once)."""
        field = self.query_one("#log-pattern", Input)
        try:
            pattern = compile_pattern(value) if value else None
        except ValueError as exc:
            field.add_class("invalid")
            field.border_subtitle = str(exc)
            if not quiet:
                self.notify(str(exc), severity="error", timeout=5)
            return False, None
        field.remove_class("invalid")
        field.border_subtitle = ""
        return True, pattern

    def _apply_filter(self, value: str, *, quiet: bool) -> bool:
        pane = self.current_pane
        if pane is None:
            return False
        valid, pattern = self._pattern(value, quiet=quiet)
        if not valid:
            return False
        current = pane.filter_pattern.pattern if pane.filter_pattern else ""
        if (pattern.pattern if pattern else "") != current:
            pane.set_filter(pattern)
        self._refresh_status()
        return True

    def _apply_search(self, value: str, *, quiet: bool, jump: bool) -> bool:
        pane = self.current_pane
        if pane is None:
            return False
        valid, pattern = self._pattern(value, quiet=quiet)
        if not valid:
            return False
        pane.set_search(pattern)
        if jump and pattern is not None:
            self._jump(backward=True, from_end=True)
        return True
