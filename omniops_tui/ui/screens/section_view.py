"""One section's rows, shown at once however long the section is.

A 171-item checklist is ~500 widgets; mounting them all before the first frame made opening it
take seconds. The view mounts the rows a screen can show (and those up to a heading it opens
at) with itself, then the rest in batches after each frame, so the section appears at once and
the keys answer while the tail arrives. Anything that needs a row further down (next open
item, a heading from the sidebar) calls `mount_rest` first.

The switcher holds one view per section built so far and finds the one on show by id among
its children: a CSS query would walk every row of every built section, on every tick. Once
the first section is on show it builds the others hidden (their first screen of rows, a few
rows per slice of idle time, neighbours and the digit-numbered ones first): building a
section's rows on the key that first showed it made that key cost several times a later one.
The building steps aside while the engineer is pressing keys (a slice, and the layout of the
screen it causes, made the key that arrived meanwhile wait), and a section first shown by a key
mounts only the rows its view can show (a row is at least a line): every row mounted is
composed, styled and rendered (to know its height) before that key's screen appears.
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
PREBUILD_AFTER_S = 0.6  # after the screen's first frame (and its checks' start)
PREBUILD_SLICE_S = 0.05  # between two slices of building hidden: keys and frames go in between
PREBUILD_ROWS = 6  # rows mounted per slice into a hidden view (a few ms each)
PREBUILD_MAX = 12  # sections built ahead: the digits' nine and the neighbours
PREBUILD_QUIET_S = 0.4  # no building until the keys have paused this long


def prebuild_order(count: int, start: int) -> list[int]:
    """The sections to build ahead, nearest the one on show first, then the digits' 1-9."""
    near = [i for d in (1, -1, 2, -2) if 0 <= (i := start + d) < count]
    wanted = [*near, *range(min(count, 9))]
    return [i for i in dict.fromkeys(wanted) if i != start][:PREBUILD_MAX]


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
        first_rows: int = FIRST_ROWS,
    ) -> None:
        # Opened at a heading (from the sidebar): highlighted from the first frame.
        start = next((i for i, r in enumerate(rows) if anchor and getattr(r, "anchor_id", "") == anchor), 0)
        first = start + first_rows
        super().__init__(*rows[:first], id=id, initial_index=start)
        self.screenful = first_rows  # the rows a first frame shows (built hidden: `fill` to it)
        self.section = section
        self.stale = False
        self._pending: list[Row] = list(rows[first:])
        self._prepare = prepare
        self._batching = False

    def on_mount(self) -> None:
        # Not `shown()` here: the view counts as mounted only once its mount handlers are done,
        # and a view shown as it mounted (a key's first show) never got the rest of its rows.
        self.call_later(self.shown)

    def shown(self) -> None:
        """On show (or mounted on show): the rest of the rows arrive, a batch per frame. A view
        built hidden mounts only its first rows until it is shown."""
        if self._pending and self.display and self.is_mounted and not self._batching:
            self._batching = True
            self.call_after_refresh(self._mount_batch)

    @property
    def complete(self) -> bool:
        """Every row of the section is in the view."""
        return not self._pending

    def fill(self, count: int) -> bool:
        """Hidden, `count` more of the rows a first frame shows; False once they are all in."""
        if self.display or not self._pending or len(self.children) >= self.screenful:
            return False
        rows, self._pending = self._pending[:count], self._pending[count:]
        self._add(rows)
        return bool(self._pending) and len(self.children) < self.screenful

    def _mount_batch(self) -> None:
        self._batching = False
        if not self._pending or not self.is_attached or not self.display:
            return
        batch, self._pending = self._pending[:BATCH_ROWS], self._pending[BATCH_ROWS:]
        self._add(batch)
        self.shown()

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

    def window(self) -> int:
        """Rows enough to fill the view on show (each row is at least one line high), or
        FIRST_ROWS before the switcher has a size."""
        height = self.size.height
        return height + 2 if height > 0 else FIRST_ROWS

    def prebuild(
        self,
        order: list[int],
        build: Callable[[int, int], SectionView],
        keys_idle: Callable[[], float],
    ) -> None:
        """Build the views of these sections hidden, a few rows per slice of idle time (a
        whole section's rows at once held the loop for up to ~100 ms), while `keys_idle()`
        (seconds since the last key) says the engineer is not pressing keys."""
        pending = list(order)

        def step() -> None:
            if self.is_attached and not self.screen.is_current:  # another screen on top: later
                self.set_timer(PREBUILD_AFTER_S, step)
                return
            idle = keys_idle()
            if idle < PREBUILD_QUIET_S and self.is_attached:  # keys first
                self.set_timer(PREBUILD_QUIET_S - idle, step)
                return
            while pending and self.is_attached:
                view = self.view(f"view-{pending[0]}")
                if view is None:
                    view = build(pending[0], PREBUILD_ROWS)
                    view.screenful = self.window()
                    view.display = False
                    self.mount(view)
                    break
                if view.fill(PREBUILD_ROWS):
                    break
                pending.pop(0)  # shown meanwhile, or its first screen's rows are all in
            if pending and self.is_attached:
                self.set_timer(PREBUILD_SLICE_S, step)

        self.set_timer(PREBUILD_AFTER_S, step)

    def view(self, view_id: str | None) -> SectionView | None:
        if not view_id:
            return None
        try:
            found = self.get_child_by_id(view_id)
        except NoMatches:
            return None
        return found if isinstance(found, SectionView) else None
