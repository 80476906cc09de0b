"""The Textual App: wires runbooks, config, the session record and the screens together.

The app owns the one write path of the session: `record(event)` appends the event to the
session file, folds it into `state`, and publishes it on `session_changed` so every screen
that shows something derived from it can update. Screens never mutate state themselves.
In replay mode there is no recorder: the replayer feeds recorded events through the same
`apply` and the same signal, so the same screens show the past.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.signal import Signal

from omniops_tui import __version__
from omniops_tui.config import Config, Environment
from omniops_tui.decision import DecisionTree
from omniops_tui.events import (
    CommandCopied,
    Event,
    ItemChecked,
    ItemUnchecked,
    NoteAdded,
    RunbookStarted,
    ScreenOpened,
    SessionEnded,
    SessionResumed,
    SessionStarted,
)
from omniops_tui.runbooks.model import ChecklistItem, Runbook, RunbookSet
from omniops_tui.sessions.recorder import SessionRecorder
from omniops_tui.sessions.state import SessionState

if TYPE_CHECKING:
    from omniops_tui.cli import Options

MIN_WIDTH = 60
MIN_HEIGHT = 18


@dataclass
class AppContext:
    """Everything the app is built from; the CLI and the tests build it the same way."""

    runbooks: RunbookSet
    tree: DecisionTree
    config: Config = field(default_factory=Config)
    environment: Environment | None = None
    recorder: SessionRecorder | None = None
    state: SessionState = field(default_factory=SessionState)
    read_only: bool = False
    resumed: bool = False
    notices: list[str] = field(default_factory=list)


class OmniOpsApp(App[None]):
    """omniops-tui: runbooks as screens, every action recorded."""

    TITLE = "omniops-tui"
    CSS_PATH = "screens/app.tcss"
    BINDINGS = [
        Binding("question_mark,f1", "help", "Help", id="help", tooltip="Every key, on every screen"),
        Binding("n,ctrl+n", "note", "Note", id="note", tooltip="Add a note to the session's timeline"),
        Binding("t", "timeline", "Timeline", id="timeline", tooltip="Notes and key events so far"),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
    ]

    COMMANDS = App.COMMANDS | {lambda: _runbook_commands()}

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.runbooks = context.runbooks
        self.decision_tree = context.tree
        self.state = context.state
        self.recorder = context.recorder
        self.session_changed: Signal[Event | None] = Signal(self, "session-changed")
        self._too_small_shown = False

    # ------------------------------------------------------------------ lifecycle
    def get_default_screen(self) -> Screen:
        from omniops_tui.screens.home import HomeScreen

        return HomeScreen()

    def on_mount(self) -> None:
        self.theme = "textual-dark"
        if self.recorder is not None:
            if self.context.resumed:
                self.record(SessionResumed(tool_version=__version__))
            else:
                self.record(SessionStarted(
                    tool_version=__version__, runbook_source=self.runbooks.sources,
                    environment=self.context.environment.name if self.context.environment else "",
                ))
        for notice in self.context.notices:
            self.notify(notice, severity="warning", timeout=8)
        self.call_after_refresh(self._check_size)

    async def action_quit(self) -> None:
        self.end_session("quit")
        self.exit()

    def end_session(self, reason: str) -> None:
        """Close the record; safe to call twice and after the screens are gone."""
        if self.recorder is not None and not self.recorder.closed:
            self.recorder.record(SessionEnded(reason=reason))
            self.recorder.close()

    def on_resize(self, event: events.Resize) -> None:
        self._check_size(event.size.width, event.size.height)

    def _check_size(self, width: int | None = None, height: int | None = None) -> None:
        from omniops_tui.screens.too_small import TooSmallScreen

        if width is None or height is None:
            width, height = self.size
        too_small = width < MIN_WIDTH or height < MIN_HEIGHT
        if too_small and not self._too_small_shown:
            self._too_small_shown = True
            self.push_screen(TooSmallScreen(MIN_WIDTH, MIN_HEIGHT))
        elif not too_small and self._too_small_shown:
            self._too_small_shown = False
            if isinstance(self.screen, TooSmallScreen):
                self.pop_screen()

    # ------------------------------------------------------------------ the write path
    @property
    def recording(self) -> bool:
        return self.recorder is not None and not self.recorder.closed

    def record(self, event: Event) -> Event:
        """Append to the session, fold into state, tell the screens. The only write path."""
        if self.recorder is not None and not self.recorder.closed:
            self.recorder.record(event)
        self.state.apply(event)
        self.session_changed.publish(event)
        return event

    def session_offset(self) -> float:
        """Seconds since the session started: "checked 12s ago" is measured on this clock."""
        return self.recorder.offset if self.recorder is not None else 0.0

    def running_items(self) -> set[str]:
        """Items whose checks are running right now (transient UI state, not recorded)."""
        return set()

    # ------------------------------------------------------------------ user intents
    def open_runbook(self, runbook_id: str, *, via: str, section_id: str = "") -> None:
        from omniops_tui.screens.runbook import RunbookScreen

        runbook = self.runbooks.get(runbook_id)
        if runbook is None:
            self.notify(f"No runbook '{runbook_id}' in the loaded runbooks", severity="error")
            return
        if runbook.id not in self.state.runbooks_started and self.recording:
            self.record(RunbookStarted(runbook_id=runbook.id, title=runbook.title, via=via))
        existing = next((s for s in self.screen_stack if isinstance(s, RunbookScreen)
                         and s.runbook.id == runbook.id), None)
        if existing is not None:
            while self.screen is not existing:
                self.pop_screen()
            if section_id:
                existing.show_section(section_id)
            return
        self.push_screen(RunbookScreen(runbook, section_id=section_id))

    def screen_opened(self, screen: str, runbook_id: str = "", section_id: str = "") -> None:
        if self.recording:
            self.record(ScreenOpened(screen=screen, runbook_id=runbook_id, section_id=section_id))

    def set_item(self, item: ChecklistItem, done: bool, reason: str = "") -> None:
        if not self.recording:
            self.notify("This session is read-only (replay)", severity="warning")
            return
        event_class = ItemChecked if done else ItemUnchecked
        self.record(event_class(runbook_id=item.runbook_id, item_id=item.id, text=item.text,
                                reason=reason))

    def copy_command(self, runbook: Runbook | None, block_id: str, code: str) -> None:
        text = self.substitute(code)
        self.copy_to_clipboard(text)
        if self.recording:
            self.record(CommandCopied(runbook_id=runbook.id if runbook else "", block_id=block_id,
                                      command=text))
        lines = text.count("\n") + 1
        self.notify(f"Copied {lines} line{'s' if lines != 1 else ''} to the clipboard (OSC 52)",
                    timeout=3)

    def substitute(self, code: str) -> str:
        """Replace the runbooks' placeholders (yourdomain.com …) with the environment's values."""
        for placeholder, value in self.context.config.placeholders_for(self.context.environment).items():
            code = code.replace(placeholder, value)
        return code

    def action_note(self) -> None:
        from omniops_tui.screens.note import NoteDialog

        if not self.recording:
            self.notify("This session is read-only (replay)", severity="warning")
            return
        runbook_id, section_id = getattr(self.screen, "note_context", lambda: ("", ""))()

        def save(text: str | None) -> None:
            if text:
                self.record(NoteAdded(text=text, runbook_id=runbook_id, section_id=section_id))
                self.notify("Note added to the timeline", timeout=2)

        self.push_screen(NoteDialog(runbook_id), save)

    def action_help(self) -> None:
        from omniops_tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_timeline(self) -> None:
        from omniops_tui.screens.timeline import TimelineScreen

        if not isinstance(self.screen, TimelineScreen):
            self.push_screen(TimelineScreen())

    def action_wizard(self) -> None:
        from omniops_tui.screens.wizard import WizardScreen

        if not isinstance(self.screen, WizardScreen):
            self.push_screen(WizardScreen())


def _runbook_commands():
    from omniops_tui.screens.commands import RunbookCommands

    return RunbookCommands


# ---------------------------------------------------------------------------- factory
def build_context(options: Options, *, resume: Path | None = None, session_id: str = "") -> AppContext:
    """Load everything the app needs; every user error surfaces here, before the TUI starts."""
    from omniops_tui.decision import TREE_FILE, load_tree
    from omniops_tui.runbooks.loader import BUNDLED_DIR, logic_dir
    from omniops_tui.sessions.reader import read_session

    runbooks = options.load_runbooks()
    config = options.load_config()
    environment = config.environment(options.env)
    tree_path = logic_dir(options.runbooks) / TREE_FILE
    notices: list[str] = []
    if not tree_path.exists():
        tree_path = BUNDLED_DIR / TREE_FILE
    tree = load_tree(tree_path)
    missing = tree.runbook_ids() - {r.id for r in runbooks.runbooks}
    if missing:
        notices.append(f"The decision tree recommends runbooks that are not loaded: "
                       f"{', '.join(sorted(missing))}")
    state = SessionState()
    if resume is not None:
        session = read_session(resume)
        notices.extend(session.notices)
        for event in session.events:
            state.apply(event)
        recorder = SessionRecorder.resume(
            resume, session.header, last_seq=session.last_seq, last_offset=session.last_offset,
            truncated_tail=session.truncated_tail,
        )
    else:
        recorder = SessionRecorder.create(
            options.resolve_sessions_dir(config), runbooks.sources,
            environment=environment.name if environment else "", session_id=session_id,
        )
    return AppContext(runbooks=runbooks, tree=tree, config=config, environment=environment,
                      recorder=recorder, state=state, read_only=options.read_only or config.read_only,
                      resumed=resume is not None, notices=notices)


def build_app(options: Options, *, resume: Path | None = None, session_id: str = "") -> OmniOpsApp:
    """The one factory: the CLI and the tests build the app exactly the same way."""
    return OmniOpsApp(build_context(options, resume=resume, session_id=session_id))
