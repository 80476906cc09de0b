"""Moving around a runbook screen: sections, the next open item, headings, panes.

A mixin of `RunbookScreen` (runbook.py), apart so that screen stays about showing a section and
acting on its rows. Every move goes through `show_section`, so the sidebar, the content and the
recorded "screen opened" agree.
"""

from __future__ import annotations

import time
from typing import Any

from textual.binding import Binding
from textual.events import Key

from omniops_tui.runbooks.model import Section
from omniops_tui.ui.widgets.runbook_rows import ChecklistItemRow, HeadingRow

NAV_BINDINGS = [
    Binding(
        "o",
        "next_open",
        "Next open item",
        id="runbook.next_open",
        tooltip="Jump to the next checklist item not done yet",
    ),
    Binding("right_square_bracket", "next_section", "Next section", id="runbook.next_section", show=False),
    Binding(
        "left_square_bracket",
        "previous_section",
        "Prev section",
        id="runbook.previous_section",
        show=False,
    ),
    Binding(
        "b",
        "toggle_sidebar",
        "Sidebar",
        id="runbook.sidebar",
        show=False,
        tooltip="Hide or show the section list (more room for the content)",
    ),
    Binding("tab", "switch_focus", "Switch pane", id="runbook.switch", show=False),
]


class RunbookNavigation:
    """Section, item and pane moves (a mixin of `RunbookScreen`; `self` is the screen)."""

    @property
    def _me(self) -> Any:
        return self

    @property
    def current_section(self) -> Section | None:
        """The section on show."""
        return self._me._current

    def _section_index(self, section_id: str) -> int:
        """Where a section (by id, or by its id's last part) is in the runbook; 0 if nowhere."""
        return next(
            (
                i
                for i, s in enumerate(self._me.runbook.sections)
                if s.id == section_id or s.id.endswith("/" + section_id)
            ),
            0,
        )

    def scroll_to_heading(self, anchor_id: str) -> None:
        """Bring a phase or issue heading of the section on show into view (chosen from the
        sidebar); the focus stays where it is."""
        screen = self._me

        def scroll() -> None:
            view = screen.current_view()
            if view is None:
                return
            view.mount_rest()  # the heading may be further down than the rows mounted so far
            for index, child in enumerate(view.children):
                if isinstance(child, HeadingRow) and child.anchor_id == anchor_id:
                    view.index = index
                    view.scroll_to_widget(child, top=True, animate=False)
                    return

        screen.call_after_refresh(scroll)

    def action_next_open(self) -> None:
        """Jump to the next item not done yet, across sections: what still needs doing?"""
        screen = self._me
        order = [s for s in screen.runbook.sections if screen._section_items[s.id]]
        if not order:
            screen.notify("This runbook has no checklist items", timeout=2)
            return
        start = order.index(screen._current) if screen._current in order else 0
        current_row = screen.current_row()
        after = current_row.item.id if isinstance(current_row, ChecklistItemRow) else None
        for offset in range(len(order) + 1):
            section = order[(start + offset) % len(order)]
            ids = screen._section_items[section.id]
            begin = ids.index(after) + 1 if offset == 0 and after in ids else 0
            for item_id in ids[begin:]:
                if not screen.session.state.is_done(item_id):
                    screen._highlight_item(section, item_id)
                    return
        screen.notify("Every checklist item of this runbook is done ✓", timeout=3)

    def _highlight_item(self, section: Section, item_id: str) -> None:
        screen = self._me
        screen.show_section(section.id)

        def select() -> None:
            view = screen.current_view()
            if view is None:
                return
            view.mount_rest()  # the item may be further down than the rows mounted so far
            for index, child in enumerate(view.children):
                if isinstance(child, ChecklistItemRow) and child.item.id == item_id:
                    view.index = index
                    view.focus()
                    return

        screen.call_after_refresh(select)

    def action_next_section(self) -> None:
        screen = self._me
        screen._move_section(+1)

    def action_previous_section(self) -> None:
        screen = self._me
        screen._move_section(-1)

    def _move_section(self, delta: int) -> None:
        screen = self._me
        if screen._current is None:
            return
        index = (screen.runbook.sections.index(screen._current) + delta) % len(screen.runbook.sections)
        screen.show_section(screen.runbook.sections[index].id)

    def keys_idle(self) -> float:
        """Seconds since the engineer's last key (building ahead waits for a pause): the App
        notes every key once, for the collector's pauses too (ui/idle_gc.py)."""
        collector = getattr(self._me.app, "idle_collector", None)
        return time.monotonic() - collector.key_at if collector is not None else float("inf")

    def on_key(self, event: Key) -> None:
        """Digits go to the numbered section of the sidebar."""
        screen = self._me
        if event.character and event.character.isdigit() and event.character != "0":
            number = int(event.character)
            if number <= len(screen.runbook.sections):
                event.stop()
                screen.show_section(screen.runbook.sections[number - 1].id)

    def action_toggle_sidebar(self) -> None:
        screen = self._me
        sections = screen._sidebar()
        if sections is None:
            return
        sections.display = not sections.display
        if not sections.display:
            screen.action_focus_content()

    def action_focus_content(self) -> None:
        screen = self._me
        view = screen.current_view()
        if view is not None:
            view.focus()
            if view.index is None and view.children:
                view.index = 0

    def action_focus_sections(self) -> None:
        screen = self._me
        sections = screen._sidebar()
        if sections is not None and sections.display:
            sections.focus()

    def action_switch_focus(self) -> None:
        screen = self._me
        sections = screen._sidebar()
        if sections is None:
            return
        if screen.focused is sections:
            screen.action_focus_content()
        elif not screen.focus_output():
            screen.action_focus_sections()
