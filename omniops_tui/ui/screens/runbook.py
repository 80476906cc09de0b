"""A runbook: its sections on the left, the selected section's rows on the right.

Every section is reachable from the sidebar (or `[` / `]`, digits, or the command palette); the
header shows the metadata and checklist progress; a section's rows are built on its first show or
ahead of it in idle time (section_view.py), and kept. Ticks go to the engine, which records an
event; the rows update from the state when `SessionUpdated` arrives, never from the key. `x` runs
the highlighted command (run_flow.py); the pane under the section shows the run's output from the
record, live and in replay alike. In a replay the screen is read-only.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import ListView, OptionList, Static

from omniops_tui.runbooks.model import ChecklistGroup, Runbook, Section, iter_blocks
from omniops_tui.runbooks.placeholders import Substitution
from omniops_tui.ui.context import ScreenContext, SessionScreen
from omniops_tui.ui.messages import SessionUpdated
from omniops_tui.ui.screens.run_flow import RUN_ACTIONS, RUN_BINDINGS, RunActions
from omniops_tui.ui.screens.runbook_nav import NAV_BINDINGS, RunbookNavigation
from omniops_tui.ui.screens.runbook_sidebar import SectionList
from omniops_tui.ui.screens.section_view import FIRST_ROWS, SectionSwitcher, SectionView, prebuild_order
from omniops_tui.ui.screens.step_confirm import CONFIRM_BINDING, StepConfirmActions
from omniops_tui.ui.widgets.footer import KeyFooter
from omniops_tui.ui.widgets.metrics_strip import MetricsStrip
from omniops_tui.ui.widgets.run_pane import RunPane
from omniops_tui.ui.widgets.runbook_header import header_text
from omniops_tui.ui.widgets.runbook_rows import (
    ChecklistHeaderRow,
    ChecklistItemRow,
    CommandRow,
    HeadingRow,
    LiveAnswersRow,
    Row,
    section_rows,
)
from omniops_tui.ui.widgets.status_bar import StatusBar

ITEM_KINDS = ("item_checked", "item_unchecked", "check_result", "item_flagged")
SPIN_S = 0.25


class RunbookScreen(RunbookNavigation, RunActions, StepConfirmActions, SessionScreen):
    CSS_PATH = ["runbook.tcss", "../widgets/run_pane.tcss"]
    BINDINGS = [
        Binding("escape", "back", "Back", id="runbook.back", tooltip="Back to the overview"),
        Binding(
            "space",
            "toggle_item",
            "Tick",
            id="runbook.tick",
            tooltip="Tick or untick the highlighted checklist item (recorded)",
        ),
        *RUN_BINDINGS,
        CONFIRM_BINDING,
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
        *NAV_BINDINGS,
    ]
    EXTRA_KEYS = [("1…9", "Go to section N of the sidebar")]

    def __init__(self, ctx: ScreenContext, runbook: Runbook, section_id: str = "") -> None:
        super().__init__(ctx)
        self.runbook = runbook
        self.initial_section, self._initial_anchor = section_id, ""  # anchor: a heading in it
        self.items = {item.id: item for item in runbook.checklist_items()}
        self._section_items: dict[str, list[str]] = {
            section.id: [i.id for g in iter_blocks(section.blocks, ChecklistGroup) for i in g.items]
            for section in runbook.sections
        }
        self._current: Section | None = None
        self._checking: frozenset[str] = frozenset()
        self._spinner: Timer | None = None
        self._switcher = SectionSwitcher(id="section-views")
        # Held, not queried: a query walks every row of every section built so far.
        self._header = Static(id="runbook-header")
        self._section_list = SectionList(self.runbook, id="sections")
        self._header_progress: tuple[int, int] | None = None
        self._header_lines = 0

    def compose(self) -> ComposeResult:
        yield StatusBar(self.ctx, self.runbook.title)
        yield self._header
        yield MetricsStrip(self.ctx, id="metrics-strip")
        with Horizontal(id="runbook-body"):
            yield self._section_list
            with Vertical(id="content"):
                yield self._switcher
                yield RunPane(self.session, id="run-pane")
        yield KeyFooter()

    def _section_progress(self) -> dict[str, tuple[int, int]]:
        state = self.session.state
        return {section_id: state.progress(ids) for section_id, ids in self._section_items.items() if ids}

    def _sidebar(self) -> SectionList | None:
        """The section list, or None once the screen is being taken down (keys and timers can
        still arrive then: quick `Enter … Escape` pops a screen before it has even mounted)."""
        sections = self._section_list  # held, not queried (a query walks every row built)
        return sections if sections.is_attached else None

    def on_mount(self) -> None:
        sections = self._sidebar()
        if sections is None:
            return  # popped before it mounted: nothing to show
        self._update_header()
        sections.build(self._section_progress())
        start = self._section_index(self.initial_section) if self.initial_section else 0
        if self.runbook.sections:
            sections.highlight_section(self.runbook.sections[start].id)
            self.show_section(self.runbook.sections[start].id)
            order = prebuild_order(len(self.runbook.sections), start)
            self._switcher.prebuild(order, self._new_view, self.keys_idle)
        sections.focus()
        self.follow_runs()

    def on_screen_resume(self) -> None:
        if self._sidebar() is None:
            return  # resumed while being taken down (keys faster than the screen stack)
        engine = self.ctx.engine
        if engine is not None and self.ctx.writable:
            engine.open_runbook(self.runbook.id, via="")
            engine.screen_opened("runbook", self.runbook.id, self._current.id if self._current else "")
        self.session_changed(SessionUpdated({"*"}))
        self.offer_waiting_ticks()

    def on_screen_suspend(self) -> None:
        # Another screen takes over (not a dialog on top): this runbook's checks stop.
        engine = self.ctx.engine
        if engine is not None and self.app.screen is not self and not self.app.screen.is_modal:
            engine.leave_runbook()

    def _update_header(self) -> None:
        """Only when the progress changed: every check result arrives here, most change nothing,
        and a header update that may change its height lays the whole screen out again."""
        progress = self.session.state.progress(list(self.items))
        if progress == self._header_progress:
            return
        text = header_text(self.runbook, progress)
        lines = text.plain.count("\n")
        relayout = self._header_progress is None or lines != self._header_lines
        self._header_progress, self._header_lines = progress, lines
        if self._header.is_attached:  # not while the screen is being taken down
            self._header.update(text, layout=relayout)

    def show_section(self, section_id: str, anchor: str = "") -> None:
        """Show a section (built on first show). Safe at any time: before mount it is kept, with
        a heading asked for, for mount; while the screen is taken down it does nothing."""
        if not self.is_mounted:
            if anchor or section_id != self.initial_section:
                self._initial_anchor = anchor
            self.initial_section = section_id
            return
        switcher = self._switcher
        if not switcher.is_attached or not self.runbook.sections:
            return
        index = self._section_index(section_id)
        section = self.runbook.sections[index]
        view_id = f"view-{index}"
        view = switcher.view(view_id)
        if not anchor and self._initial_anchor and section_id == self.initial_section:
            anchor, self._initial_anchor = self._initial_anchor, ""  # asked for before mount
            self.scroll_to_heading(anchor)
        if view is None:
            view = self._new_view(index, switcher.window(), anchor=anchor)
            switcher.mount(view)
            if view.parent is not switcher:  # not mounted: the screen is being taken down
                return
        elif view.stale:
            self._refresh_rows(view)
        switcher.current = view_id
        view.shown()
        self._current = section
        sections = self._sidebar()
        if sections is not None:
            sections.highlight_section(section.id)
        engine = self.ctx.engine
        if engine is not None and self.is_current:
            engine.screen_opened("runbook", self.runbook.id, section.id)

    def _new_view(self, index: int, first: int = FIRST_ROWS, anchor: str = "") -> SectionView:
        """A section's view, not mounted yet: its rows as the state is now."""
        section, session = self.runbook.sections[index], self.session
        now, places = session.offset(), session.basis.places
        rows = section_rows(self.runbook, section, self._substitute, session.state, now, places)
        shown = [row.shown_original(self.original_commands) for row in rows]
        view_id, prepare = f"view-{index}", self._prepare_rows
        return SectionView(section, *shown, id=view_id, anchor=anchor, prepare=prepare, first_rows=first)

    def _substitute(self, code: str) -> Substitution:
        """The environment's values with their spans (a replay shows the code as written)."""
        engine = self.ctx.engine
        return engine.substitution(code) if engine is not None else Substitution(code, code, ())

    @on(OptionList.OptionHighlighted, "#sections")
    def _section_highlighted(self, message: OptionList.OptionHighlighted) -> None:
        sections = self._sidebar()
        if sections is None or message.option_index != sections.highlighted:
            return  # a stale highlight (e.g. the list's own initial one) arriving late
        self._go_to_entry(message.option.id)

    @on(OptionList.OptionSelected, "#sections")
    def _section_selected(self, message: OptionList.OptionSelected) -> None:
        self._go_to_entry(message.option.id)
        self.action_focus_content()

    def _go_to_entry(self, option_id: str | None) -> None:
        """A sidebar entry: its section on show and, for a heading under it, scrolled there."""
        sections = self._sidebar()
        if not option_id or sections is None:
            return
        section_id = sections.section_of(option_id)
        anchor = option_id if option_id != section_id else ""
        if self._current is None or section_id != self._current.id:
            self.show_section(section_id, anchor)
        if anchor:
            self.scroll_to_heading(anchor)

    def current_view(self) -> SectionView | None:
        """The view on show, found among the switcher's children (a query would walk every
        row of every section built so far: a tick must not pay for that)."""
        return self._switcher.view(self._switcher.current)

    def current_row(self) -> Row | None:
        view = self.current_view()
        if view is None:
            return None
        item = view.highlighted_child
        return item if isinstance(item, Row) else None

    # ------------------------------------------------------------------ state -> rows
    def session_changed(self, message: SessionUpdated) -> None:
        if self._sidebar() is None:
            return  # taken down: nothing left to update
        if message.touches("command_started"):
            self.follow_runs()
        if not message.touches(*ITEM_KINDS):
            return
        with self.app.batch_update():
            view = self.current_view()
            for other in self._switcher.children:
                if isinstance(other, SectionView):
                    other.stale = other is not view
            if view is not None:
                self._refresh_rows(view)
            self._update_header()
            self._refresh_section_prompts()

    def checks_running(self, items: frozenset[str]) -> None:
        changed = items ^ self._checking
        self._checking = items
        view = self.current_view()
        if changed and view is not None:
            self._refresh_rows(view, only=set(changed))
        if items and self._spinner is None:
            self._spinner = self.set_interval(SPIN_S, self._spin)
        elif not items and self._spinner is not None:
            self._spinner.stop()
            self._spinner = None

    def _spin(self) -> None:
        """Turn the spinners of the items whose checks are running (only those rows)."""
        view = self.current_view()
        if self._checking and view is not None:
            self._refresh_rows(view, only=set(self._checking))

    def _refresh_rows(self, view: SectionView, only: set[str] | None = None) -> None:
        view.stale = False
        state = self.session.state
        now = self.session.offset()
        for row in view.children:  # the rows are the view's children: no CSS query needed
            if isinstance(row, ChecklistItemRow):
                if only is None or row.item.id in only:
                    running = row.item.id in self._checking
                    row.update_state(state.items.get(row.item.id), running=running, now=now)
            elif only is not None:
                continue
            elif isinstance(row, ChecklistHeaderRow):
                row.update_progress(*state.progress([i.id for i in row.group.items]))
            elif isinstance(row, LiveAnswersRow):
                row.update_results(state.places.get(row.place_id), now)

    def _prepare_rows(self, rows: list[Row]) -> None:
        """Rows mounted after the first frame show the state as it is now, not at opening."""
        state, now = self.session.state, self.session.offset()
        for row in rows:
            if isinstance(row, ChecklistItemRow):
                row.initial_state(state.items.get(row.item.id), now)

    def _refresh_section_prompts(self) -> None:
        sections = self._sidebar()
        if sections is not None:
            sections.refresh_progress(self._section_progress())

    # ------------------------------------------------------------------ actions
    def action_back(self) -> None:
        self.app.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        engine = self.ctx.engine
        if action == "rerun":
            return engine is not None and engine.live_checks_available  # hidden when nothing runs
        if action == "toggle_item":
            return self.ctx.writable  # a replay is read-only
        if action in RUN_ACTIONS:
            return self.run_check_action(action)
        return True

    def action_rerun(self) -> None:
        engine = self.ctx.engine
        if engine is not None and engine.rerun_checks():
            self.notify("Re-running the checks now", timeout=2)
        else:
            self.notify(
                "No live checks: configure an environment (omniops-tui init) to verify items automatically",
                timeout=5,
            )

    def action_toggle_item(self) -> None:
        row = self.current_row()
        if not isinstance(row, ChecklistItemRow):
            if isinstance(row, ChecklistHeaderRow):
                self.notify("Move down to an item to tick it", timeout=2)
            return
        engine = self.writable_engine()
        if engine is None:
            return
        state = self.session.state.items.get(row.item.id)
        done = state.done if state else False
        if engine.needs_reason(row.item):
            self._override(row, not done)
            return
        engine.set_item(row.item, not done)

    def _override(self, row: ChecklistItemRow, done: bool) -> None:
        """Going against an automated verdict needs a reason, recorded with the tick."""
        from omniops_tui.ui.screens.note import ReasonDialog

        engine = self.ctx.engine

        def apply(reason: str | None) -> None:
            if reason and engine is not None:
                engine.set_item(row.item, done, reason=reason)

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
        engine = self.ctx.engine
        if engine is not None and self.ctx.writable:
            text = engine.copy_command(self.runbook.id, command.block.id, command.block.code)
        else:
            text = command.code
        self.app.copy_to_clipboard(text)
        lines = text.count("\n") + 1
        self.notify(f"Copied {lines} line{'s' if lines != 1 else ''} to the clipboard (OSC 52)", timeout=3)

    def _command_after(self, row: Row | None) -> CommandRow | None:
        """On a step heading, `c` copies the step's first command."""
        view = self.current_view()
        if not isinstance(row, HeadingRow) or view is None:
            return None
        rows = [child for child in view.children if isinstance(child, Row)]
        for candidate in rows[rows.index(row) + 1 :]:
            if isinstance(candidate, CommandRow):
                return candidate
            if isinstance(candidate, HeadingRow) and candidate.anchor_id:
                return None
        return None

    def note_context(self) -> tuple[str, str]:
        return self.runbook.id, self._current.id if self._current else ""
