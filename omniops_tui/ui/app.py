"""The Textual App: wires runbooks, config, the session record and the screens together.

The app owns the one write path of the session: `record(event)` appends the event to the
session file, folds it into `state`, and publishes it on `session_changed` so every screen
that shows something derived from it can update. Screens never mutate state themselves.
In replay mode there is no recorder: the replayer feeds recorded events through the same
`apply` and the same signal, so the same screens show the past.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.signal import Signal
from textual.widgets import Input

from omniops_tui import __version__
from omniops_tui.config.model import Config, Environment
from omniops_tui.core.errors import UserError
from omniops_tui.core.events import (
    CommandCopied,
    Event,
    ItemChecked,
    ItemUnchecked,
    NoteAdded,
    RunbookStarted,
    ScreenOpened,
    SessionResumed,
    SessionStarted,
)
from omniops_tui.logic.decision import DecisionTree
from omniops_tui.runbooks.model import ChecklistItem, Runbook, RunbookSet
from omniops_tui.sessions.recorder import Clock, SessionRecorder
from omniops_tui.sessions.state import SessionState

if TYPE_CHECKING:
    from textual.driver import Driver

    from omniops_tui.cli import Options
    from omniops_tui.live.checklist import LiveChecks
    from omniops_tui.live.hangup import HangupGuard
    from omniops_tui.live.sampler import MetricsSampler
    from omniops_tui.logic.criteria import CriteriaEvaluator, Criterion
    from omniops_tui.probes.bindings import Bindings
    from omniops_tui.probes.context import CheckContext
    from omniops_tui.sandbox.demo import DemoServices
    from omniops_tui.sessions.player import Timeline
    from omniops_tui.ui.screens.replay import ReplayDriver

EXIT_WHEN_READY_ENV = "OMNIOPS_TUI_EXIT_WHEN_READY"
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
    bindings: Bindings | None = None
    replay: bool = False
    criteria: list[Criterion] = field(default_factory=list)
    clock: Clock | None = None
    timeline: Timeline | None = None
    replay_speed: float = 1.0
    replay_at: str = ""
    demo: DemoServices | None = None
    show_tour: bool = False


class OmniOpsApp(App[None]):
    """omniops-tui: runbooks as screens, every action recorded."""

    TITLE = "omniops-tui"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("question_mark,f1", "help", "Help", id="help", tooltip="Every key, on every screen"),
        Binding("n,ctrl+n", "note", "Note", id="note", tooltip="Add a note to the session's timeline"),
        Binding("t", "timeline", "Timeline", id="timeline", tooltip="Notes and key events so far"),
        Binding(
            "l",
            "logs",
            "Logs",
            id="logs",
            tooltip="Live logs of the configured hosts over SSH: filter, search, pause",
        ),
        Binding(
            "s",
            "sessions",
            "Sessions",
            id="sessions",
            tooltip="Recorded sessions: replay one, export its post-mortem",
        ),
        Binding(
            "m",
            "metrics",
            "Metrics",
            id="metrics",
            tooltip="The runbooks' figures, per host, and the rollback criteria",
        ),
        Binding(
            "S",
            "scenario",
            "Scenario",
            id="demo.scenario",
            tooltip="Demo only: switch the sandbox to healthy, error spike, slow, database down, "
            "outage or disk almost full",
        ),
        Binding(
            "D",
            "diagnostics",
            "Diagnostics",
            id="diagnostics",
            tooltip="Emergency Rollback step 8 in one key: recent and error logs over SSH, active "
            "queries as CSV, a health snapshot and the timeline, beside the session",
        ),
        Binding(
            "R",
            "open_rollback",
            "Rollback runbook",
            id="open_rollback",
            tooltip="A rollback criterion is met: open Emergency Rollback",
        ),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        # Replay only (hidden otherwise); priority so they win over the screens' own keys.
        Binding("space", "replay_toggle", "Play/pause", id="replay.toggle", priority=True),
        Binding("full_stop", "replay_seek(10)", "+10s", id="replay.forward", priority=True),
        Binding("comma", "replay_seek(-10)", "-10s", id="replay.back", priority=True, show=False),
        Binding(
            "greater_than_sign",
            "replay_seek(60)",
            "+1 min",
            id="replay.forward_minute",
            priority=True,
            show=False,
        ),
        Binding(
            "less_than_sign", "replay_seek(-60)", "-1 min", id="replay.back_minute", priority=True, show=False
        ),
        Binding(
            "right_curly_bracket",
            "replay_marker(True)",
            "Next marker",
            id="replay.next_marker",
            priority=True,
            tooltip="Jump to the next note, failure, decision or criterion",
        ),
        Binding(
            "left_curly_bracket",
            "replay_marker(False)",
            "Previous marker",
            id="replay.previous_marker",
            priority=True,
            show=False,
        ),
        Binding(
            "plus,equals_sign",
            "replay_speed(True)",
            "Faster",
            id="replay.faster",
            priority=True,
            tooltip="Speeds 1x, 4x, 16x, 60x, max",
        ),
        Binding("minus", "replay_speed(False)", "Slower", id="replay.slower", priority=True, show=False),
        Binding(
            "g",
            "replay_goto",
            "Go to time",
            id="replay.goto",
            priority=True,
            tooltip="Type a time: 03:12:05 (UTC), +12:30 or +90s",
        ),
    ]
    REPLAY_ACTIONS = frozenset(
        {"replay_toggle", "replay_seek", "replay_marker", "replay_speed", "replay_goto"}
    )

    COMMANDS = App.COMMANDS | {lambda: _runbook_commands()}

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.runbooks = context.runbooks
        self.decision_tree = context.tree
        self.state = context.state
        self.recorder = context.recorder
        self.session_changed: Signal[Event | None] = Signal(self, "session-changed")
        self.checks_running: Signal[set[str]] = Signal(self, "checks-running")
        self._too_small_shown = False
        self._check_context: CheckContext | None = None
        self.live: LiveChecks | None = None
        self._live_runbook = ""
        self.sampler: MetricsSampler | None = None
        self.replay: ReplayDriver | None = None
        self.replay_changed: Signal[object] = Signal(self, "replay-changed")
        self.replay_request: Path | None = None
        self.evaluator: CriteriaEvaluator | None = None
        self._hangup: HangupGuard | None = None

    # ------------------------------------------------------------------ lifecycle
    def get_default_screen(self) -> Screen:
        from omniops_tui.ui.screens.home import HomeScreen

        return HomeScreen()

    def on_mount(self) -> None:
        self.theme = "textual-dark"
        self._handle_signals()
        if self.recorder is not None:
            if self.context.resumed:
                self.record(SessionResumed(tool_version=__version__))
            else:
                self.record(
                    SessionStarted(
                        tool_version=__version__,
                        runbook_source=self.runbooks.sources,
                        environment=self.context.environment.name if self.context.environment else "",
                    )
                )
        for notice in self.context.notices:
            self.notify(notice, severity="warning", timeout=8)
        self.start_sampling()
        if self.context.demo is not None and self.context.show_tour:
            from omniops_tui.ui.screens.demo import TourScreen

            self.push_screen(TourScreen())
        if self.context.timeline is not None:
            from omniops_tui.ui.screens.replay import ReplayDriver

            self.replay = ReplayDriver(self, self.context.timeline, speed=self.context.replay_speed)
            self.replay.start(play=not self.context.replay_at)
            if self.context.replay_at:
                problem = self.replay.seek_to(self.context.replay_at)
                if problem:
                    self.notify(problem, severity="error")
        self.call_after_refresh(self._check_size)
        if os.environ.get(EXIT_WHEN_READY_ENV):
            # bench/startup.py: the first screen is up and taking keys; stop the clock here.
            self.call_after_refresh(self._exit_when_ready)

    async def _exit_when_ready(self) -> None:
        self.end_session("startup-bench")
        self.exit()

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver, with output that survives a hung-up terminal (ui/terminal.py)."""
        from omniops_tui.ui.terminal import hangup_safe

        return hangup_safe(super().get_driver_class())

    def _handle_signals(self) -> None:
        """SIGTERM or SIGHUP (the SSH session to the bastion dropped) end the session cleanly:
        the record gets its last events and whoever started us can clean up behind us; and
        whatever happens, the process is gone within 2 s (live/hangup.py)."""
        import asyncio

        from omniops_tui.live.hangup import HangupGuard

        loop = asyncio.get_running_loop()
        self._hangup = HangupGuard(
            lambda name: loop.call_soon_threadsafe(self.call_next, self._on_signal, name),
            last_words=lambda name: self.end_session(f"signal {name}"),
        )
        self._hangup.install()

    def on_unmount(self) -> None:
        if self._hangup is not None:
            self._hangup.uninstall()

    async def _on_signal(self, name: str) -> None:
        self.stop_live_checks()
        self.workers.cancel_group(self, "metrics")
        self.end_session(f"signal {name}")
        self.exit()

    async def action_quit(self) -> None:
        self.stop_live_checks()
        self.stop_log_streams()
        self.workers.cancel_group(self, "metrics")
        if self._check_context is not None:
            await self._check_context.aclose()
        self.end_session("quit")
        self.exit()

    def end_session(self, reason: str) -> None:
        """Close the record; safe to call twice, from the exit deadline's thread too, and after
        the screens are gone."""
        if self.recorder is not None:
            self.recorder.end(reason)

    def on_resize(self, event: events.Resize) -> None:
        self._check_size(event.size.width, event.size.height)

    def _check_size(self, width: int | None = None, height: int | None = None) -> None:
        from omniops_tui.ui.screens.too_small import TooSmallScreen

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
        """Seconds since the session started: "checked 12s ago" is measured on this clock
        (in a replay, the replay's position)."""
        if self.replay is not None:
            return self.replay.player.position
        return self.recorder.offset if self.recorder is not None else 0.0

    def running_items(self) -> set[str]:
        """Items whose checks are running right now (transient UI state, not recorded)."""
        return self.live.running_items if self.live is not None else set()

    # ------------------------------------------------------------------ live checks
    @property
    def live_checks_available(self) -> bool:
        return (
            self.context.bindings is not None
            and self.context.environment is not None
            and self.recording
            and not self.context.replay
        )

    def start_live_checks(self, runbook_id: str) -> None:
        """Run the runbook's bound checks on the interval while its screen is on top."""
        if not self.live_checks_available or self._live_runbook == runbook_id:
            return
        from omniops_tui.live.checklist import LiveChecks

        assert self.context.bindings is not None
        self.live = LiveChecks(
            self.check_context(),
            self.context.bindings,
            self.state,
            self.record,
            interval=self.context.config.interval(self.context.environment),
            on_running=self.checks_running.publish,
            on_flag=self._on_flag,
        )
        self._live_runbook = runbook_id
        self.run_worker(
            self.live.run(runbook_id),
            name=f"live-checks:{runbook_id}",
            group="live-checks",
            exclusive=True,
            exit_on_error=False,
        )

    def check_context(self) -> CheckContext:
        """The one context of this app: checks, log streams and metrics share its SSH pool."""
        if self._check_context is None:
            from omniops_tui.probes.context import CheckContext

            environment = self.context.environment
            self._check_context = CheckContext(
                self.context.config,
                environment,
                timeout=self.context.config.timeout_for(environment),
                read_only=self.context.read_only,
            )
        return self._check_context

    # ------------------------------------------------------------------ metrics and criteria
    def start_sampling(self) -> None:
        """Sample the runbooks' figures all session long: the criteria need the history."""
        if not self.live_checks_available or self.sampler is not None:
            return
        from omniops_tui.live.sampler import MetricsSampler
        from omniops_tui.logic.criteria import CriteriaEvaluator

        self.evaluator = CriteriaEvaluator(self.context.criteria)
        self.sampler = MetricsSampler(
            self.check_context(),
            self.context.bindings,
            self.record,
            interval=self.context.config.interval(self.context.environment),
            after_round=self._evaluate_criteria,
        )
        self.run_worker(self.sampler.run(), name="metrics", group="metrics", exit_on_error=False)

    def _evaluate_criteria(self, samples: list[Event]) -> None:
        from omniops_tui.core.events import CriterionCleared, CriterionFired

        if self.evaluator is None:
            return
        for sample in samples:
            self.evaluator.observe(sample.metric, sample.value, sample.t)  # type: ignore[attr-defined]
        for change in self.evaluator.evaluate(self.session_offset()):
            criterion = change.criterion
            if change.fired:
                self.record(
                    CriterionFired(
                        criterion_id=criterion.id,
                        metric=criterion.metric,
                        threshold=criterion.threshold,
                        action=criterion.action,
                        evidence=change.evidence,
                    )
                )
                self.notify(
                    f"Rollback criterion met: {criterion.metric} {criterion.threshold} → "
                    f"{criterion.action}\n{change.evidence}\nPress R to open Emergency Rollback",
                    severity="error",
                    timeout=15,
                )
            else:
                self.record(CriterionCleared(criterion_id=criterion.id, evidence=change.evidence))
                self.notify(f"Rollback criterion cleared: {criterion.metric} ({change.evidence})", timeout=6)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.REPLAY_ACTIONS:
            # Priority keys, but never while the engineer types (go-to-time, filters, notes).
            return self.replay is not None and not isinstance(self.focused, Input)
        if action in ("note", "timeline", "sessions") and self.replay is not None:
            return action == "timeline"
        if action == "scenario":
            return self.context.demo is not None
        if action == "diagnostics":
            return self.recording
        if action == "open_rollback":
            from omniops_tui.sessions.projections.criteria import firing

            return bool(firing(self.state).firing)  # shown only while a criterion fires
        return True

    # ------------------------------------------------------------------ replay
    def action_replay_toggle(self) -> None:
        if self.replay is not None:
            self.replay.toggle()

    def action_replay_seek(self, seconds: float) -> None:
        if self.replay is not None:
            self.replay.seek_by(seconds)

    def action_replay_marker(self, forward: bool) -> None:
        if self.replay is not None:
            self.replay.marker(forward)

    def action_replay_speed(self, up: bool) -> None:
        if self.replay is not None:
            self.replay.faster(up)

    def action_replay_goto(self) -> None:
        from omniops_tui.ui.screens.note import TextPrompt

        if self.replay is None:
            return

        def go(text: str | None) -> None:
            if text and self.replay is not None:
                problem = self.replay.seek_to(text)
                if problem:
                    self.notify(problem, severity="error")

        self.push_screen(
            TextPrompt(
                "Go to time",
                "03:12:05 (UTC wall clock), +12:30 or +90s (since the start)",
                placeholder="03:12:05",
            ),
            go,
        )

    def show_recorded_screen(self, opened: ScreenOpened) -> None:
        """Replay follows the engineer: show the screen the recorded event says was open."""
        from omniops_tui.ui.screens.home import HomeScreen

        while len(self.screen_stack) > 1 and self.screen.is_modal:
            self.pop_screen()
        if opened.screen == "runbook" and opened.runbook_id:
            self.open_runbook(opened.runbook_id, via="replay", section_id=opened.section_id)
            return
        if opened.screen == "home":
            while len(self.screen_stack) > 1 and not isinstance(self.screen, HomeScreen):
                self.pop_screen()
            return
        action = {
            "wizard": self.action_wizard,
            "metrics": self.action_metrics,
            "logs": getattr(self, "action_logs", None),
        }.get(opened.screen)
        if action is not None:
            action()

    def request_replay(self, path: Path) -> None:
        """From the sessions screen: end this run, replay `path`, then come back (the CLI loops)."""
        self.replay_request = path
        self.run_worker(self.action_quit(), exit_on_error=False)

    # ------------------------------------------------------------------ diagnostics
    def action_diagnostics(self) -> None:
        if not self.recording:
            return
        self.notify("Gathering diagnostics (logs, active queries, health, timeline)…", timeout=4)
        self.run_worker(
            self._gather_diagnostics(),
            name="diagnostics",
            group="diagnostics",
            exclusive=True,
            exit_on_error=False,
        )

    async def _gather_diagnostics(self) -> None:
        """Emergency Rollback step 8, written to incident-diagnostics/<timestamp>/ beside the
        session and recorded; every part is best effort, a dead host is one line of problems."""
        from omniops_tui.live.diagnostics import gather_diagnostics
        from omniops_tui.probes.ssh import run
        from omniops_tui.sessions.export import export_session

        assert self.recorder is not None
        environment = self.context.environment
        context = self.check_context() if environment is not None else None
        hosts = environment.hosts if environment is not None else []

        async def ssh_runner(host_name: str, command: str) -> tuple[int, str, str]:
            assert context is not None
            host = context.host(host_name) or hosts[0]
            ran = await run(context, host, command)
            return int(ran.exit_status or 0), ran.stdout, ran.stderr

        variable = environment.database_url_env if environment is not None else ""
        health_url = (
            context.url(environment.comprehensive_health_path)
            if context is not None and environment is not None and environment.base_url
            else None
        )
        try:
            timeline = export_session(Path(self.recorder.path), "md", runbooks=self.runbooks)
        except Exception as exc:  # a timeline that cannot be rendered must not cost the rest
            timeline = f"# Incident Timeline\n\n(could not render the timeline: {exc})\n"
        result = await gather_diagnostics(
            Path(self.recorder.path).parent,
            ssh_runner=ssh_runner if hosts else None,
            db_dsn=os.environ.get(variable) if variable else None,
            health_url=health_url,
            timeline_md=timeline,
            timeout=self.context.config.timeout_for(environment) * 2,
            host=hosts[0].name if hosts else "production",
            redactor=self.recorder.redactor,
        )
        self.record(result.to_event())
        problems = f"; {len(result.problems)} part(s) failed, see problems.txt" if result.problems else ""
        self.notify(
            f"Diagnostics: {len(result.files)} files in {result.path}{problems}",
            severity="warning" if result.problems else "information",
            timeout=10,
        )

    # ------------------------------------------------------------------ demo
    def action_scenario(self) -> None:
        from omniops_tui.ui.screens.demo import ScenarioPicker

        demo = self.context.demo
        if demo is None:
            return
        self.push_screen(ScenarioPicker(demo.scenario), self.switch_scenario)

    def switch_scenario(self, name: str | None) -> None:
        """Switch the demo's sandbox and ask for fresh answers at once (not in 15 s)."""
        from omniops_tui.core.events import ScenarioSwitched

        demo = self.context.demo
        if demo is None or not name or name == demo.scenario:
            return
        demo.set_scenario(name)
        self.record(ScenarioSwitched(scenario=name))
        if self.live is not None:
            self.live.rerun_now()
        if self.sampler is not None:
            self.sampler.sample_now()
        for bar in self.screen.query("StatusBar"):
            bar.refresh_text()  # type: ignore[attr-defined]
        self.notify(f"Sandbox scenario: {name}", timeout=4)

    def action_open_rollback(self) -> None:
        """From the banner: straight to Emergency Rollback."""
        self.open_runbook("emergency-rollback", via="banner")

    def stop_live_checks(self) -> None:
        self.workers.cancel_group(self, "live-checks")
        self._live_runbook = ""
        self.live = None

    def rerun_checks(self) -> None:
        if self.live is not None:
            self.live.rerun_now()
            self.notify("Re-running the checks now", timeout=2)
        elif not self.live_checks_available:
            self.notify(
                "No live checks: configure an environment (omniops-tui init) to verify items automatically",
                timeout=5,
            )

    def _on_flag(self, event: Event) -> None:
        item = self.runbooks.items_by_id().get(getattr(event, "item_id", ""))
        text = item.text if item else getattr(event, "item_id", "")
        self.notify(
            f"Was passing, now failing: {text}\n{getattr(event, 'summary', '')}", severity="error", timeout=10
        )

    # ------------------------------------------------------------------ user intents
    def open_runbook(self, runbook_id: str, *, via: str, section_id: str = "") -> None:
        from omniops_tui.ui.screens.runbook import RunbookScreen

        runbook = self.runbooks.get(runbook_id)
        if runbook is None:
            self.notify(f"No runbook '{runbook_id}' in the loaded runbooks", severity="error")
            return
        if runbook.id not in self.state.runbooks_started and self.recording:
            self.record(RunbookStarted(runbook_id=runbook.id, title=runbook.title, via=via))
        existing = next(
            (s for s in self.screen_stack if isinstance(s, RunbookScreen) and s.runbook.id == runbook.id),
            None,
        )
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
        self.record(event_class(runbook_id=item.runbook_id, item_id=item.id, text=item.text, reason=reason))

    def copy_command(self, runbook: Runbook | None, block_id: str, code: str) -> None:
        text = self.substitute(code)
        self.copy_to_clipboard(text)
        if self.recording:
            self.record(
                CommandCopied(runbook_id=runbook.id if runbook else "", block_id=block_id, command=text)
            )
        lines = text.count("\n") + 1
        self.notify(f"Copied {lines} line{'s' if lines != 1 else ''} to the clipboard (OSC 52)", timeout=3)

    def substitute(self, code: str) -> str:
        """Replace the runbooks' placeholders (yourdomain.com …) with the environment's values."""
        for placeholder, value in self.context.config.placeholders_for(self.context.environment).items():
            code = code.replace(placeholder, value)
        return code

    def action_note(self) -> None:
        from omniops_tui.ui.screens.note import NoteDialog

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
        from omniops_tui.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_timeline(self) -> None:
        from omniops_tui.ui.screens.timeline import TimelineScreen

        if not isinstance(self.screen, TimelineScreen):
            self.push_screen(TimelineScreen())

    def action_sessions(self) -> None:
        from omniops_tui.ui.screens.sessions import SessionsScreen

        if not isinstance(self.screen, SessionsScreen):
            self.push_screen(SessionsScreen())

    def action_metrics(self) -> None:
        from omniops_tui.ui.screens.metrics import MetricsScreen

        if not isinstance(self.screen, MetricsScreen):
            self.push_screen(MetricsScreen())

    def action_logs(self) -> None:
        from omniops_tui.ui.screens.logs import show_logs

        show_logs(self)

    def stop_log_streams(self) -> None:
        """Stop the log streams and record their queued lines (before the session ends)."""
        from omniops_tui.ui.screens.logs import stop_logs

        stop_logs(self)

    def action_wizard(self) -> None:
        from omniops_tui.ui.screens.wizard import WizardScreen

        if not isinstance(self.screen, WizardScreen):
            self.push_screen(WizardScreen())


def _runbook_commands():
    from omniops_tui.ui.palette import RunbookCommands

    return RunbookCommands


# ---------------------------------------------------------------------------- factory
def build_context(
    options: Options, *, resume: Path | None = None, session_id: str = "", clock: Clock | None = None
) -> AppContext:
    """Load everything the app needs; every user error surfaces here, before the TUI starts."""
    from omniops_tui.logic.decision import TREE_FILE, load_tree
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
    from omniops_tui.logic.criteria import CRITERIA_FILE, load_criteria

    criteria_path = logic_dir(options.runbooks) / CRITERIA_FILE
    criteria = load_criteria(criteria_path if criteria_path.exists() else BUNDLED_DIR / CRITERIA_FILE)
    missing = tree.runbook_ids() - {r.id for r in runbooks.runbooks}
    if missing:
        notices.append(
            f"The decision tree recommends runbooks that are not loaded: {', '.join(sorted(missing))}"
        )
    bindings = None
    if environment is not None:
        from omniops_tui.config.model import missing_secrets
        from omniops_tui.probes.bindings import command_check_warnings, load_bindings
        from omniops_tui.probes.config_commands import check_config_commands

        problems = missing_secrets(config, environment)
        if problems:
            raise UserError(problems[0])
        check_config_commands(config)
        bindings = load_bindings(options.runbooks, runbooks)
        notices.extend(command_check_warnings(options.runbooks))
    from omniops_tui.sessions.redact import build_redactor

    # Secrets never reach the record: every event is redacted before it is written.
    redactor = build_redactor(config, environment)
    notices.extend(f"secret '{name}' is not set, so it cannot be redacted" for name in redactor.unresolved)
    state = SessionState()
    if resume is not None:
        session = read_session(resume)
        notices.extend(session.notices)
        for event in session.events:
            state.apply(event)
        recorder = SessionRecorder.resume(
            resume,
            session.header,
            last_seq=session.last_seq,
            last_offset=session.last_offset,
            truncated_tail=session.truncated_tail,
            clock=clock,
            redactor=redactor,
        )
    else:
        recorder = SessionRecorder.create(
            options.resolve_sessions_dir(config),
            runbooks.sources,
            environment=environment.name if environment else "",
            session_id=session_id,
            clock=clock,
            redactor=redactor,
        )
    return AppContext(
        runbooks=runbooks,
        tree=tree,
        config=config,
        environment=environment,
        recorder=recorder,
        state=state,
        read_only=options.read_only or config.read_only,
        resumed=resume is not None,
        notices=notices,
        bindings=bindings,
        criteria=criteria,
        clock=clock,
    )


def build_app(
    options: Options, *, resume: Path | None = None, session_id: str = "", clock: Clock | None = None
) -> OmniOpsApp:
    """The one factory: the CLI and the tests build the app exactly the same way."""
    return OmniOpsApp(build_context(options, resume=resume, session_id=session_id, clock=clock))


# The logs screen registers its keys in the help screen and its actions in the palette.


def build_replay_app(
    options: Options, path: Path, *, speed: float = 1.0, idle_limit: float | None = None, at: str = ""
) -> OmniOpsApp:
    """The same app and screens, driven by a recorded session instead of a live one."""
    from omniops_tui.logic.criteria import CRITERIA_FILE, load_criteria
    from omniops_tui.logic.decision import TREE_FILE, load_tree
    from omniops_tui.runbooks import load_runbooks
    from omniops_tui.runbooks.loader import BUNDLED_DIR
    from omniops_tui.sessions.player import Timeline

    timeline = Timeline.open(path, idle_limit=idle_limit)
    notices = list(timeline.session.notices)
    runbooks_path = options.runbooks
    if runbooks_path is None:
        recorded = [Path(p) for p in timeline.header.runbook_source if p]
        if recorded and all(p.exists() for p in recorded) and recorded[0].parent != BUNDLED_DIR:
            runbooks_path = recorded[0] if len(recorded) == 1 else recorded[0].parent
    runbooks = load_runbooks(runbooks_path)
    context = AppContext(
        runbooks=runbooks,
        tree=load_tree(BUNDLED_DIR / TREE_FILE),
        criteria=load_criteria(BUNDLED_DIR / CRITERIA_FILE),
        recorder=None,
        state=timeline.state_at(0.0),
        replay=True,
        timeline=timeline,
        replay_speed=speed,
        notices=notices,
        replay_at=at,
    )
    return OmniOpsApp(context)
