"""One section's rows, shown at once however long the section is.

A 171-item checklist is ~500 widgets; mounting them all before the first frame made opening it
take seconds. The view mounts the rows a screen can show (and those up to a heading it opens
at) with itself, then the rest in batches after each frame, so the section appears at once and
the keys answer while the tail arrives. Anything that needs a row further down (next open
item, a heading from the sidebar) calls `mount_rest` first.

The switcher holds one view per section built so far and finds the one on show by id among
its children: a CSS query would walk every row of every built section, on every tick.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.binding import Binding
from textual.css.query import NoMatches
from textual.widgets import ContentSwitcher, ListView

from omniops_tui.runbooks.model import Section
from omniops_tui.ui.widgets.row import Row

FIRST_ROWS = 40  # more than a screen's worth of rows at any size an engineer uses
BATCH_ROWS = 60  # rows mounted per frame after the first


class SectionView(ListView):
    """One section's rows."""

    BINDINGS = [
        Binding("left", "screen.focus_sections", "Sections", show=False, tooltip="Back to the section list"),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(
        self,
        section: Section,
        *rows: Row,
        id: str,
        anchor: str = "",
        prepare: Callable[[list[Row]], None] | None = None,
    ) -> None:
        # Opened at a heading (from the sidebar): highlighted from the first frame.
        start = next((i for i, r in enumerate(rows) if anchor and getattr(r, "anchor_id", "") == anchor), 0)
        first = max(FIRST_ROWS, start + FIRST_ROWS)
        super().__init__(*rows[:first], id=id, initial_index=start)
        self.section = section
        self.stale = False
        self._pending: list[Row] = list(rows[first:])
        self._prepare = prepare

    def on_mount(self) -> None:
        if self._pending:
            self.call_after_refresh(self._mount_batch)

    @property
    def complete(self) -> bool:
        """Every row of the section is in the view."""
        return not self._pending

    def _mount_batch(self) -> None:
        if not self._pending or not self.is_attached:
            return
        batch, self._pending = self._pending[:BATCH_ROWS], self._pending[BATCH_ROWS:]
        self._add(batch)
        if self._pending:
            self.call_after_refresh(self._mount_batch)

    def mount_rest(self) -> None:
        """Every remaining row now (they are children at once; they paint on the next frame)."""
        if self._pending:
            rows, self._pending = self._pending, []
            self._add(rows)

    def _add(self, rows: list[Row]) -> None:
        if self._prepare is not None:
            self._prepare(rows)
        self.extend(rows)


class SectionSwitcher(ContentSwitcher):
    """The sections' views, one on show."""

    SESSION_BLIND = True  # no session-aware widget inside: the screen's walk skips the rows

    def view(self, view_id: str | None) -> SectionView | None:
        if not view_id:
            return None
        try:
            found = self.get_child_by_id(view_id)
        except NoMatches:
            return None
        return found if isinstance(found, SectionView) else None
