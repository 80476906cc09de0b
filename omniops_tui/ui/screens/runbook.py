"""A runbook: its sections on the left, the selected section's rows on the right.

Every section is reachable from the sidebar (or `[` / `]`, or the command palette); the header
shows the metadata and the runbook's checklist progress; the rows are built when a section is
first shown and kept, so moving between sections is instant. Ticks go through `app.set_item`,
which records an event; the rows update from the event, never from the key press.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import ContentSwitcher, Footer, ListView, OptionList, Static
from textual.widgets.option_list import Option

from omniops_tui.core.events import Event
from omniops_tui.runbooks.model import ChecklistGroup, Runbook, Section, iter_blocks
from omniops_tui.ui.screens.metrics import MetricsStrip
from omniops_tui.ui.widgets.risk import progress_text, risk_text
from omniops_tui.ui.widgets.runbook_rows import (
    ChecklistHeaderRow,
    ChecklistItemRow,
    CommandRow,
    HeadingRow,
    Row,
    section_rows,
)
from omniops_tui.ui.widgets.status_bar import StatusBar

SECTION_EVENT_DEBOUNCE_S = 0.6
REFRESH_S = 0.1
SHOW_DEBOUNCE_S = 0.12


class SectionList(OptionList):
    """The runbook's table of contents, with each section's checklist progress."""

    BINDINGS = [
        Binding(
            "right,l", "screen.focus_content", "Read", show=False, tooltip="Move into the section's content"
        ),
    ]


class SectionView(ListView):
    """One section's rows."""

    BINDINGS = [
        Binding(
            "left,h", "screen.focus_sections", "Sections", show=False, tooltip="Back to the section list"
        ),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(self, section: Section, *rows: Row, id: str) -> None:
        super().__init__(*rows, id=id)
        self.section = section


class RunbookScreen(Screen[None]):
    CSS_PATH = "runbook.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back", id="runbook.back", tooltip="Back to the overview"),
        Binding(
            "space,x",
            "toggle_item",
            "Tick",
            id="runbook.tick",
            tooltip="Tick or untick the highlighted checklist item (recorded)",
        ),
        Binding(
            "c,y",
            "copy",
            "Copy cmd",
            id="runbook.copy",
            tooltip="Copy the highlighted command (or the step's first) to the clipboard, OSC 52",
        ),
        Binding(
            "r",
            "rerun",
            "Re-run checks",
            id="runbook.rerun",
            tooltip="Run this runbook's live checks now instead of waiting for the interval",
        ),
        Binding(
            "o",
            "next_open",
            "Next open item",
            id="runbook.next_open",
            tooltip="Jump to the next checklist item not done yet",
        ),
        Binding(
            "right_square_bracket", "next_section", "Next section", id="runbook.next_section", show=False
        ),
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

    def __init__(self, runbook: Runbook, section_id: str = "") -> None:
        super().__init__()
        self.runbook = runbook
        self.initial_section = section_id
        self.items = {item.id: item for item in runbook.checklist_items()}
        self._section_items: dict[str, list[str]] = {
            section.id: [i.id for g in iter_blocks(section.blocks, ChecklistGroup) for i in g.items]
            for section in runbook.sections
        }
        self._current: Section | None = None
        self._pending_section_event: object | None = None
        self._dirty_items: set[str] | None = set()
        self._pending_show: Timer | None = None
        self._last_running: set[str] = set()
        self._refresh_pending = False

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield StatusBar(self.runbook.title)
        yield Static(id="runbook-header")
        yield MetricsStrip(id="metrics-strip")
        with Horizontal(id="runbook-body"):
            yield SectionList(*self._section_options(), id="sections")
            with Vertical(id="content"):
                yield ContentSwitcher(id="section-views")
        yield Footer()

    def _section_options(self) -> list[Option]:
        return [Option(self._section_prompt(i, s), id=s.id) for i, s in enumerate(self.runbook.sections)]

    def _section_prompt(self, index: int, section: Section) -> Table:
        """`3 Prerequisites Checkl… 1/18`: one line per section, progress always visible."""
        grid = Table.grid(expand=True)
        grid.add_column(no_wrap=True, width=2, style="dim")
        grid.add_column(no_wrap=True, overflow="ellipsis", ratio=1)
        grid.add_column(no_wrap=True, justify="right")
        ids = self._section_items[section.id]
        progress = progress_text(*self.app.state.progress(ids)) if ids else Text("")
        grid.add_row(f"{index + 1}", f" {section.title}", progress)
        return grid

    def on_mount(self) -> None:
        self._update_header()
        sections = self.query_one(SectionList)
        start = 0
        if self.initial_section:
            start = next(
                (
                    i
                    for i, s in enumerate(self.runbook.sections)
                    if s.id == self.initial_section or s.id.endswith("/" + self.initial_section)
                ),
                0,
            )
        sections.highlighted = start
        self.app.session_changed.subscribe(self, self._on_session_event)
        self.show_section(self.runbook.sections[start].id if self.runbook.sections else "")
        sections.focus()
        self.app.screen_opened("runbook", self.runbook.id, self._current.id if self._current else "")
        self.app.checks_running.subscribe(self, self._on_running)
        self.set_interval(5, self._refresh_visible)
        self.set_interval(0.25, self._spin)

    def on_screen_resume(self) -> None:
        self.app.start_live_checks(self.runbook.id)

    def on_screen_suspend(self) -> None:
        # Another runbook or the overview takes over: its checks (or none) run instead.
        if self.app.screen is not self and not self.app.screen.is_modal:
            self.app.stop_live_checks()

    def _on_running(self, running: set[str]) -> None:
        """Spinners on and off: only the items whose running state changed are redrawn."""
        changed = running ^ self._last_running
        self._last_running = set(running)
        if changed and self._dirty_items is not None:
            self._dirty_items.update(changed)
        if changed and not self._refresh_pending:
            self._refresh_pending = True
            self.set_timer(REFRESH_S, self._flush_refresh)

    def _spin(self) -> None:
        """Turn the spinners of the items whose checks are running (only those rows)."""
        if self._last_running:
            view = self.current_view()
            if view is not None:
                self._refresh_rows(view, only=self._last_running)

    def _refresh_visible(self) -> None:
        view = self.current_view()
        if view is not None:
            self._refresh_rows(view)

    def _update_header(self) -> None:
        runbook = self.runbook
        meta = runbook.metadata
        text = Text()
        text.append(f"{runbook.number}. {runbook.title}", style="bold")
        done, total = self.app.state.progress(list(self.items))
        if total:
            text.append("   checklists ")
            text.append_text(progress_text(done, total))
        text.append("\n")
        if meta is not None:
            parts: list[Text] = [
                Text(f"⏱ {meta.duration}"),
                risk_text(f"risk {meta.risk}", runbook.risk_level),
                Text(f"rollback {meta.rollback_difficulty}"),
                Text(f"when {meta.best_time}"),
                Text(f"team {meta.minimum_team}"),
            ]
            for index, part in enumerate(parts):
                if index:
                    text.append(" · ", style="dim")
                text.append_text(part)
        else:
            text.append("no metadata in this runbook", style="dim")
        self.query_one("#runbook-header", Static).update(text)

    # ------------------------------------------------------------------ sections
    def show_section(self, section_id: str) -> None:
        if not self.is_mounted:  # asked before the screen is up (replay, palette): show it on mount
            self.initial_section = section_id
            return
        section = next(
            (s for s in self.runbook.sections if s.id == section_id or s.id.endswith("/" + section_id)), None
        )
        if section is None:
            return
        switcher = self.query_one(ContentSwitcher)
        view_id = "view-" + str(self.runbook.sections.index(section))
        if not switcher.query(f"#{view_id}"):
            view = SectionView(section, *section_rows(self.runbook, section, self.app.substitute), id=view_id)
            switcher.mount(view)
        switcher.current = view_id
        self._current = section
        sections = self.query_one(SectionList)
        index = self.runbook.sections.index(section)
        if sections.highlighted != index:
            sections.highlighted = index

    @on(OptionList.OptionHighlighted, "#sections")
    def _section_highlighted(self, message: OptionList.OptionHighlighted) -> None:
        if message.option_index != self.query_one(SectionList).highlighted:
            return  # a stale highlight (e.g. the list's own initial one) arriving late
        if message.option.id and (self._current is None or message.option.id != self._current.id):
            # Arrowing through the sidebar should not build every section on the way: show the
            # one the cursor settles on (a fraction of a second later).
            if self._pending_show is not None:
                self._pending_show.stop()
            section_id = message.option.id
            self._pending_show = self.set_timer(SHOW_DEBOUNCE_S, lambda: self._show_settled(section_id))

    def _flush_pending_show(self) -> None:
        """Show the section the sidebar cursor is on now (before acting on its content)."""
        if self._pending_show is not None:
            self._pending_show.stop()
            self._pending_show = None
            highlighted = self.query_one(SectionList).highlighted_option
            if highlighted is not None and highlighted.id:
                self._show_settled(highlighted.id)

    def _show_settled(self, section_id: str) -> None:
        self._pending_show = None
        if self._current is None or section_id != self._current.id:
            self.show_section(section_id)
            self._schedule_section_event()

    @on(OptionList.OptionSelected, "#sections")
    def _section_selected(self, message: OptionList.OptionSelected) -> None:
        if message.option.id and (self._current is None or message.option.id != self._current.id):
            if self._pending_show is not None:
                self._pending_show.stop()
            self._show_settled(message.option.id)
        self.action_focus_content()

    def _schedule_section_event(self) -> None:
        """Record where the engineer reads, once the cursor settles (not every keypress)."""
        if self._pending_section_event is not None:
            self._pending_section_event.stop()  # type: ignore[attr-defined]
        self._pending_section_event = self.set_timer(SECTION_EVENT_DEBOUNCE_S, self._record_section)

    def _record_section(self) -> None:
        self._pending_section_event = None
        if self._current is not None:
            self.app.screen_opened("runbook", self.runbook.id, self._current.id)

    def current_view(self) -> SectionView | None:
        switcher = self.query_one(ContentSwitcher)
        if switcher.current:
            view = switcher.get_child_by_id(switcher.current)
            return view if isinstance(view, SectionView) else None
        return None

    def current_row(self) -> Row | None:
        view = self.current_view()
        if view is None:
            return None
        item = view.highlighted_child
        return item if isinstance(item, Row) else None

    # ------------------------------------------------------------------ state -> rows
    def _on_session_event(self, event: Event | None) -> None:
        """Results arrive in bursts (a sweep's 40 checks at once): coalesce them into one
        refresh of just the rows they touch, instead of redrawing the runbook 40 times."""
        if event is None:
            self._dirty_items = None  # everything
        elif self._dirty_items is not None:
            touched = [event.item_id] if hasattr(event, "item_id") else list(getattr(event, "item_ids", ()))
            if not touched:
                return
            self._dirty_items.update(touched)
        if not self._refresh_pending:
            self._refresh_pending = True
            self.set_timer(REFRESH_S, self._flush_refresh)

    def _flush_refresh(self) -> None:
        dirty, self._dirty_items = self._dirty_items, set()
        self._refresh_pending = False
        with self.app.batch_update():
            for view in self.query(SectionView):
                self._refresh_rows(view, only=dirty)
            self._update_header()
            self._refresh_section_prompts()

    def _refresh_rows(self, view: SectionView, only: set[str] | None = None) -> None:
        state = self.app.state
        now = self.app.session_offset()
        running = self.app.running_items()
        for row in view.query(ChecklistItemRow):
            if only is not None and row.item.id not in only:
                continue
            row.update_state(state.items.get(row.item.id), running=row.item.id in running, now=now)
        for header in view.query(ChecklistHeaderRow):
            ids = [i.id for i in header.group.items]
            if only is None or not only.isdisjoint(ids):
                header.update_progress(*state.progress(ids))

    def _refresh_section_prompts(self) -> None:
        sections = self.query_one(SectionList)
        for index, section in enumerate(self.runbook.sections):
            if self._section_items[section.id]:
                sections.replace_option_prompt_at_index(index, self._section_prompt(index, section))

    # ------------------------------------------------------------------ actions
    def action_back(self) -> None:
        self.app.stop_live_checks()
        self.app.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "rerun":
            return self.app.live_checks_available  # hidden when there is nothing to run
        if action == "toggle_item":
            return self.app.replay is None  # a replay is read-only
        return True

    def action_rerun(self) -> None:
        self.app.rerun_checks()

    def action_toggle_item(self) -> None:
        row = self.current_row()
        if not isinstance(row, ChecklistItemRow):
            if isinstance(row, ChecklistHeaderRow):
                self.notify("Move down to an item to tick it", timeout=2)
            return
        state = self.app.state.items.get(row.item.id)
        done = state.done if state else False
        # Going against an automated verdict needs a reason, recorded with the tick.
        against_check = (
            state is not None and bool(state.check_status) and ((not done) != (state.check_status == "pass"))
        )
        if against_check and self.app.recording:
            self._override(row, not done)
            return
        self.app.set_item(row.item, not done)

    def _override(self, row: ChecklistItemRow, done: bool) -> None:
        from omniops_tui.ui.screens.note import ReasonDialog

        def apply(reason: str | None) -> None:
            if reason:
                self.app.set_item(row.item, done, reason=reason)

        verb = "Tick" if done else "Untick"
        self.app.push_screen(ReasonDialog(f"{verb} against the check? Why:", row.item.text), apply)

    def on_list_view_selected(self, message: ListView.Selected) -> None:
        if isinstance(message.item, ChecklistItemRow):
            self.action_toggle_item()
        elif isinstance(message.item, CommandRow):
            self.action_copy()

    def action_copy(self) -> None:
        row = self.current_row()
        command = row if isinstance(row, CommandRow) else self._command_after(row)
        if command is None:
            self.notify("Highlight a command block (or its step) to copy it", timeout=3)
            return
        self.app.copy_command(self.runbook, command.block.id, command.code)

    def _command_after(self, row: Row | None) -> CommandRow | None:
        """On a step heading, `c` copies the step's first command."""
        view = self.current_view()
        if not isinstance(row, HeadingRow) or view is None:
            return None
        rows = list(view.query(Row))
        for candidate in rows[rows.index(row) + 1 :]:
            if isinstance(candidate, CommandRow):
                return candidate
            if isinstance(candidate, HeadingRow) and candidate.anchor_id:
                return None
        return None

    def action_next_open(self) -> None:
        """Jump to the next item not done yet, across sections: what still needs doing?"""
        order = [s for s in self.runbook.sections if self._section_items[s.id]]
        if not order:
            self.notify("This runbook has no checklist items", timeout=2)
            return
        start = order.index(self._current) if self._current in order else 0
        current_row = self.current_row()
        after = current_row.item.id if isinstance(current_row, ChecklistItemRow) else None
        for offset in range(len(order) + 1):
            section = order[(start + offset) % len(order)]
            ids = self._section_items[section.id]
            begin = ids.index(after) + 1 if offset == 0 and after in ids else 0
            for item_id in ids[begin:]:
                if not self.app.state.is_done(item_id):
                    self._highlight_item(section, item_id)
                    return
        self.notify("Every checklist item of this runbook is done ✓", timeout=3)

    def _highlight_item(self, section: Section, item_id: str) -> None:
        self.show_section(section.id)

        def select() -> None:
            view = self.current_view()
            if view is None:
                return
            for index, child in enumerate(view.children):
                if isinstance(child, ChecklistItemRow) and child.item.id == item_id:
                    view.index = index
                    view.focus()
                    return

        self.call_after_refresh(select)

    def action_next_section(self) -> None:
        self._move_section(+1)

    def action_previous_section(self) -> None:
        self._move_section(-1)

    def _move_section(self, delta: int) -> None:
        if self._current is None:
            return
        index = (self.runbook.sections.index(self._current) + delta) % len(self.runbook.sections)
        self.show_section(self.runbook.sections[index].id)
        self._schedule_section_event()

    def action_toggle_sidebar(self) -> None:
        sections = self.query_one(SectionList)
        sections.display = not sections.display
        if not sections.display:
            self.action_focus_content()

    def action_focus_content(self) -> None:
        self._flush_pending_show()
        view = self.current_view()
        if view is not None:
            view.focus()
            if view.index is None and view.children:
                view.index = 0

    def action_focus_sections(self) -> None:
        sections = self.query_one(SectionList)
        if sections.display:
            sections.focus()

    def action_switch_focus(self) -> None:
        if self.focused is self.query_one(SectionList):
            self.action_focus_content()
        else:
            self.action_focus_sections()

    def note_context(self) -> tuple[str, str]:
        self._flush_pending_show()
        return self.runbook.id, self._current.id if self._current else ""
