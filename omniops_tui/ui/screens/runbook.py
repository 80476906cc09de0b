"""A runbook: its sections on the left, the selected section's rows on the right.

Every section is reachable from the sidebar (or `[` / `]`, digits, or the command palette); the
header shows the metadata and the runbook's checklist progress; the rows of a section are built
when it is first shown and kept, so moving between sections is instant. Ticks go to the engine,
which records an event; the rows update from the state when the `SessionUpdated` message
arrives, never from the key press. `x` runs the highlighted command (run_flow.py); the pane
docked under the section shows the run's output from the record, live and in replay alike. In a
replay the same screen is read-only.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Key
from textual.timer import Timer
from textual.widgets import ContentSwitcher, Footer, ListView, OptionList, Static
from textual.widgets.option_list import Option

from omniops_tui.core.text import visible_line
from omniops_tui.runbooks.model import ChecklistGroup, Runbook, Section, iter_blocks
from omniops_tui.runbooks.placeholders import Substitution
from omniops_tui.ui.context import ScreenContext, SessionScreen
from omniops_tui.ui.literal import literal
from omniops_tui.ui.messages import SessionUpdated
from omniops_tui.ui.screens.run_flow import RUN_ACTIONS, RUN_BINDINGS, RunActions
from omniops_tui.ui.screens.step_confirm import CONFIRM_BINDING, StepConfirmActions
from omniops_tui.ui.widgets.metrics_strip import MetricsStrip
from omniops_tui.ui.widgets.risk import progress_text, risk_text
from omniops_tui.ui.widgets.run_pane import RunPane
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


class SectionList(OptionList):
    """The runbook's table of contents, with each section's checklist progress."""

    BINDINGS = [
        Binding(
            "right", "screen.focus_content", "Read", show=False, tooltip="Move into the section's content"
        ),
    ]


class SectionView(ListView):
    """One section's rows."""

    BINDINGS = [
        Binding("left", "screen.focus_sections", "Sections", show=False, tooltip="Back to the section list"),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(self, section: Section, *rows: Row, id: str) -> None:
        super().__init__(*rows, id=id)
        self.section = section
        self.stale = False


class RunbookScreen(RunActions, StepConfirmActions, SessionScreen):
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
    EXTRA_KEYS = [("1…9", "Go to section N of the sidebar")]

    def __init__(self, ctx: ScreenContext, runbook: Runbook, section_id: str = "") -> None:
        super().__init__(ctx)
        self.runbook = runbook
        self.initial_section = section_id
        self.items = {item.id: item for item in runbook.checklist_items()}
        self._section_items: dict[str, list[str]] = {
            section.id: [i.id for g in iter_blocks(section.blocks, ChecklistGroup) for i in g.items]
            for section in runbook.sections
        }
        self._current: Section | None = None
        self._checking: frozenset[str] = frozenset()
        self._spinner: Timer | None = None

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield StatusBar(self.ctx, self.runbook.title)
        yield Static(id="runbook-header")
        yield MetricsStrip(self.ctx, id="metrics-strip")
        with Horizontal(id="runbook-body"):
            yield SectionList(*self._section_options(), id="sections")
            with Vertical(id="content"):
                yield ContentSwitcher(id="section-views")
                yield RunPane(self.session, id="run-pane")
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
        progress = progress_text(*self.session.state.progress(ids)) if ids else Text("")
        grid.add_row(f"{index + 1}", literal(f" {section.title}"), progress)
        return grid

    def on_mount(self) -> None:
        self._update_header()
        sections = self.query_one(SectionList)
        start = self._section_index(self.initial_section) if self.initial_section else 0
        sections.highlighted = start
        if self.runbook.sections:
            self.show_section(self.runbook.sections[start].id)
        sections.focus()
        self.run_pane.follow_latest(self.runbook.id)

    def on_screen_resume(self) -> None:
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

    def _section_index(self, section_id: str) -> int:
        return next(
            (
                i
                for i, s in enumerate(self.runbook.sections)
                if s.id == section_id or s.id.endswith("/" + section_id)
            ),
            0,
        )

    def _update_header(self) -> None:
        runbook = self.runbook
        meta = runbook.metadata
        text = Text()
        text.append(f"{runbook.number}. {visible_line(runbook.title)}", style="bold")
        done, total = self.session.state.progress(list(self.items))
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
        for header in self.query("#runbook-header").results(Static):
            header.update(text)

    # ------------------------------------------------------------------ sections
    def show_section(self, section_id: str) -> None:
        """Show a section (built on first show). Safe at any time: before mount it is kept for
        mount, and while the screen is being taken down it does nothing."""
        if not self.is_mounted:
            self.initial_section = section_id
            return
        switchers = list(self.query("#section-views").results(ContentSwitcher))
        if not switchers or not self.runbook.sections:
            return
        switcher = switchers[0]
        index = self._section_index(section_id)
        section = self.runbook.sections[index]
        view_id = f"view-{index}"
        view = next(iter(switcher.query(f"#{view_id}").results(SectionView)), None)
        if view is None:
            rows = section_rows(
                self.runbook,
                section,
                self._substitute,
                self.session.state,
                self.session.offset(),
                self.session.basis.places,
            )
            shown = [row.shown_original(self.original_commands) for row in rows]
            view = SectionView(section, *shown, id=view_id)
            switcher.mount(view)
            if view.parent is not switcher:  # not mounted: the screen is being taken down
                return
        elif view.stale:
            self._refresh_rows(view)
        switcher.current = view_id
        self._current = section
        sections = self.query_one(SectionList)
        if sections.highlighted != index:
            sections.highlighted = index
        engine = self.ctx.engine
        if engine is not None and self.is_current:
            engine.screen_opened("runbook", self.runbook.id, section.id)

    def _substitute(self, code: str) -> Substitution:
        """The environment's values with their spans (a replay shows the code as written)."""
        engine = self.ctx.engine
        return engine.substitution(code) if engine is not None else Substitution(code, code, ())

    @on(OptionList.OptionHighlighted, "#sections")
    def _section_highlighted(self, message: OptionList.OptionHighlighted) -> None:
        if message.option_index != self.query_one(SectionList).highlighted:
            return  # a stale highlight (e.g. the list's own initial one) arriving late
        if message.option.id and (self._current is None or message.option.id != self._current.id):
            self.show_section(message.option.id)

    @on(OptionList.OptionSelected, "#sections")
    def _section_selected(self, message: OptionList.OptionSelected) -> None:
        if message.option.id and (self._current is None or message.option.id != self._current.id):
            self.show_section(message.option.id)
        self.action_focus_content()

    @property
    def current_section(self) -> Section | None:
        """The section on show."""
        return self._current

    def current_view(self) -> SectionView | None:
        for switcher in self.query("#section-views").results(ContentSwitcher):
            if switcher.current:
                found = next(iter(switcher.query(f"#{switcher.current}").results(SectionView)), None)
                return found
        return None

    def current_row(self) -> Row | None:
        view = self.current_view()
        if view is None:
            return None
        item = view.highlighted_child
        return item if isinstance(item, Row) else None

    # ------------------------------------------------------------------ state -> rows
    def session_changed(self, message: SessionUpdated) -> None:
        if message.touches("command_started"):
            self.run_pane.follow_latest(self.runbook.id)
        if not message.touches(*ITEM_KINDS):
            return
        with self.app.batch_update():
            view = self.current_view()
            for other in self.query(SectionView):
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
        for row in view.query(ChecklistItemRow):
            if only is None or row.item.id in only:
                row.update_state(state.items.get(row.item.id), running=row.item.id in self._checking, now=now)
        if only is not None:
            return
        for header in view.query(ChecklistHeaderRow):
            header.update_progress(*state.progress([i.id for i in header.group.items]))
        for answers in view.query(LiveAnswersRow):
            answers.update_results(state.places.get(answers.place_id), now)

    def _refresh_section_prompts(self) -> None:
        for sections in self.query(SectionList).results(SectionList):
            for index, section in enumerate(self.runbook.sections):
                if self._section_items[section.id]:
                    sections.replace_option_prompt_at_index(index, self._section_prompt(index, section))

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
                if not self.session.state.is_done(item_id):
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

    def on_key(self, event: Key) -> None:
        """Digits go to the numbered section of the sidebar."""
        if event.character and event.character.isdigit() and event.character != "0":
            number = int(event.character)
            if number <= len(self.runbook.sections):
                event.stop()
                self.show_section(self.runbook.sections[number - 1].id)

    def action_toggle_sidebar(self) -> None:
        sections = self.query_one(SectionList)
        sections.display = not sections.display
        if not sections.display:
            self.action_focus_content()

    def action_focus_content(self) -> None:
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
        elif not self.focus_output():
            self.action_focus_sections()

    def note_context(self) -> tuple[str, str]:
        return self.runbook.id, self._current.id if self._current else ""
