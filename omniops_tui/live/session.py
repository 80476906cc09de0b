"""The engine of a live session: one write path, the live machinery, and the engineer's intents.

`LiveSession` owns the recording and the fold: `record(event)` appends the event to the session
file (redacted), folds it into `state` and tells the listeners. Everything that happens goes
through it: live checks (`ChecklistService`), metric sampling with the rollback criteria and
the wizard's suggestions (`MetricsService`), log streaming (`LogsService`), command runs
(`SessionRuns`, its `CommandRunner` made at the first run), diagnostics, and what the engineer
does (ticks, notes, copies, wizard answers, opening a runbook).

No Textual here. Long-running work is offered as `Service`s (a name and a coroutine factory)
that the host runs and restarts: the App runs them as workers and shows a failed one; the
headless commands run them with asyncio. The App only shows state and routes keys to the
methods below.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from omniops_tui import __version__
from omniops_tui.core.events import (
    CommandCopied,
    CommandFinished,
    Event,
    ItemChecked,
    ItemUnchecked,
    NoteAdded,
    RunbookStarted,
    ScenarioSwitched,
    ScreenOpened,
    SessionResumed,
    SessionStarted,
    StepConfirmed,
)
from omniops_tui.live.base import DemoControl, Notice, Service
from omniops_tui.live.checklist import ChecklistService
from omniops_tui.live.metrics_service import MetricsService
from omniops_tui.live.recording_watch import RecordingWatch
from omniops_tui.live.session_runs import SessionRuns
from omniops_tui.live.setup import LiveSetup
from omniops_tui.live.wizard import WizardDriver
from omniops_tui.probes.context import CheckContext
from omniops_tui.runbooks.model import ChecklistItem, Runbook
from omniops_tui.sessions.recorder import SessionRecorder
from omniops_tui.sessions.state import SessionState
from omniops_tui.sessions.view import Listener, Listeners, SessionBasis

if TYPE_CHECKING:  # loaded when the logs are first shown, or at the first run
    from omniops_tui.live.logs import LogsService
    from omniops_tui.live.runner import CommandRunner
    from omniops_tui.runbooks.placeholders import Substitution


class LiveSession(RecordingWatch):
    """A recorded session against an environment (or none: runbooks and notes only)."""

    def __init__(
        self,
        setup: LiveSetup,
        recorder: SessionRecorder,
        state: SessionState,
        *,
        resumed: bool = False,
        demo: DemoControl | None = None,
    ) -> None:
        self.setup = setup
        self.recorder = recorder
        self._state = state
        self.resumed = resumed
        self.demo = demo
        self._basis = setup.basis
        self._listeners = Listeners()
        self._notice_listeners: list[Callable[[Notice], None]] = []
        self._running_listeners: list[Callable[[frozenset[str]], None]] = []
        self._recording_listeners: list[Callable[[str | None], None]] = []
        self._recording_problem: str | None = None
        self._context: CheckContext | None = None
        self._last_screen: tuple[str, str, str] | None = None
        self.checks = ChecklistService(self)
        self.wizard = WizardDriver(self)
        self.metrics = MetricsService(self, after_round=self._after_round)
        self._scenario_seen = demo.scenario if demo is not None else ""
        self.logs: LogsService | None = None
        self.runs = SessionRuns(self)

    # ------------------------------------------------------------------ SessionView
    @property
    def basis(self) -> SessionBasis:
        return self._basis

    @property
    def state(self) -> SessionState:
        return self._state

    @property
    def writable(self) -> bool:
        return not self.recorder.closed

    def offset(self) -> float:
        return self.recorder.offset

    def listen(self, listener: Listener) -> Callable[[], None]:
        return self._listeners.add(listener)

    # ------------------------------------------------------------------ what else the UI hears
    def on_notice(self, listener: Callable[[Notice], None]) -> None:
        self._notice_listeners.append(listener)

    def notify(self, notice: Notice) -> None:
        for listener in list(self._notice_listeners):
            listener(notice)

    def on_running(self, listener: Callable[[frozenset[str]], None]) -> None:
        """Told which checklist items' checks are running (spinners); not recorded."""
        self._running_listeners.append(listener)

    def running_changed(self, items: frozenset[str]) -> None:
        for listener in list(self._running_listeners):
            listener(items)

    @property
    def running_items(self) -> frozenset[str]:
        return frozenset(self.checks.running_items)

    # ------------------------------------------------------------------ the write path
    def record(self, event: Event) -> Event:
        """Append to the session, fold into state, tell the listeners. The only write path."""
        if not self.recorder.closed:
            self.recorder.record(event)
            self._recording_checked()
        gaps = self._fold_gaps()
        self._state.apply(event)
        self._listeners.publish((*gaps, event))
        if isinstance(event, CommandFinished):
            self.notice_scenario()  # a command may have restarted or stopped the demo's app
        return event

    def write_only(self, event: Event) -> None:
        """Half of `record`: into the file, not the fold. With `show_only` it lets the log lines
        past the record's budget be shown in full while the record keeps only their ERROR lines."""
        if not self.recorder.closed:
            self.recorder.record(event)
            self._recording_checked()
        gaps = self._fold_gaps()
        if gaps:
            self._listeners.publish(tuple(gaps))

    def show_only(self, event: Event) -> None:
        """The other half: into the fold (stamped with the session clock), not the file."""
        event.t = self.recorder.offset
        self._state.apply(event)
        self._listeners.publish((event,))

    def fold_quietly(self, event: Event) -> None:
        """Into the fold (stamped), not the file and not the listeners: a run's output past its
        record cap, which the output pane reads at its own rate (a 100 MB flood must not become
        a message per chunk to every screen)."""
        event.t = self.recorder.offset
        self._state.apply(event)

    def record_many(self, events: Sequence[Event]) -> None:
        """Several events at once (a sampling round): one notification for all of them."""
        folded: list[Event] = []
        for event in events:
            if not self.recorder.closed:
                self.recorder.record(event)
            folded += self._fold_gaps()
            self._state.apply(event)
            folded.append(event)
        self._recording_checked()
        if folded:
            self._listeners.publish(tuple(folded))

    # ------------------------------------------------------------------ lifecycle
    @property
    def environment_name(self) -> str:
        return self.setup.environment.name if self.setup.environment else ""

    @property
    def live_checks_available(self) -> bool:
        return self.setup.bindings is not None and self.setup.environment is not None and self.writable

    def begin(self) -> None:
        """The first events of the run: started (or resumed)."""
        if self.resumed:
            self.record(SessionResumed(tool_version=__version__))
        else:
            self.record(
                SessionStarted(
                    tool_version=__version__,
                    runbook_source=self.setup.runbooks.sources,
                    environment=self.environment_name,
                )
            )
            for item in self.setup.runbooks.all_items():
                if item.initially_checked:  # `- [x]` in the file: it starts ticked, on the record
                    self.set_item(item, True, reason="ticked in the runbook file")

    def services(self) -> list[Service]:
        """What runs for the whole session: the record's retry, the live checks and the metric
        sampler."""
        services = [Service("record-retry", self.keep_recording)] if self.writable else []
        if self.live_checks_available:
            services += [Service("live-checks", self.checks.run), Service("metrics", self.metrics.run)]
        return services

    def check_context(self) -> CheckContext:
        """The one context of this session: checks, log streams and metrics share its SSH pool."""
        if self._context is None:
            environment = self.setup.environment
            self._context = CheckContext(
                self.setup.config,
                environment,
                timeout=self.setup.config.timeout_for(environment),
                read_only=self.setup.read_only,
            )
        return self._context

    def start_logs(self) -> Service | None:
        """The log streams (started the first time the logs are shown); None: no sources."""
        if self.logs is not None or not self.writable:
            return None
        from omniops_tui.live.logs import LogsService

        self.logs = LogsService.for_session(self)
        return Service("log-streams", self.logs.run) if self.logs is not None else None

    def flush_logs(self) -> None:
        if self.logs is not None:
            self.logs.flush()

    @property
    def runner(self) -> CommandRunner:
        """The session's command runner (made at the first run; `runs` plans and starts)."""
        return self.runs.runner

    async def aclose(self, reason: str) -> None:
        """Stop the runs still going, flush what is queued, close the connections, end the
        record. The host has already cancelled the services."""
        await self.runs.aclose()
        self.flush_logs()
        if self._context is not None:
            try:
                await self._context.aclose()
            finally:
                self._context = None
        self.end(reason)

    def end(self, reason: str) -> None:
        """Close the record; safe to call twice and from any exit path (the hang-up deadline
        calls `recorder.end` itself, from its thread: it is atomic). No local run outlives it."""
        self.runs.kill_now()
        if not self.recorder.closed:
            self.flush_logs()
            self.recorder.end(reason)

    # ------------------------------------------------------------------ the engineer's intents
    def open_runbook(self, runbook_id: str, *, via: str) -> Runbook | None:
        """Start a runbook (recorded once per session) and run its checks while it is open."""
        runbook = self.setup.runbooks.get(runbook_id)
        if runbook is None:
            return None
        if runbook.id not in self._state.runbooks_started and self.writable:
            # Items written `- [x]` start ticked, and the record says which (issue #9 C).
            preticked = [item.id for item in runbook.checklist_items() if item.initially_checked]
            self.record(
                RunbookStarted(runbook_id=runbook.id, title=runbook.title, via=via, preticked=preticked)
            )
        self.checks.focus(runbook.id)
        return runbook

    def leave_runbook(self) -> None:
        """No runbook on screen: its checks stop."""
        self.checks.focus(None)

    def screen_opened(self, screen: str, runbook_id: str = "", section_id: str = "") -> None:
        """Where the engineer reads (replay follows it); the same place twice is one event."""
        where = (screen, runbook_id, section_id)
        if self.writable and where != self._last_screen:
            self._last_screen = where
            self.record(ScreenOpened(screen=screen, runbook_id=runbook_id, section_id=section_id))

    def set_item(self, item: ChecklistItem, done: bool, reason: str = "") -> None:
        event_class = ItemChecked if done else ItemUnchecked
        self.record(event_class(runbook_id=item.runbook_id, item_id=item.id, text=item.text, reason=reason))

    def confirm_step(self, runbook_id: str, step_id: str, title: str) -> StepConfirmed | None:
        """The engineer says a step is done (steps have no checkbox): recorded once per step;
        None when it was confirmed before (the first confirmation is the one that counts)."""
        if step_id in self._state.confirmed_steps or not self.writable:
            return None
        event = StepConfirmed(runbook_id=runbook_id, step_id=step_id, title=title)
        self.record(event)
        return event

    def needs_reason(self, item: ChecklistItem) -> bool:
        """Ticking against a check's verdict needs a reason, recorded with the tick."""
        state = self._state.items.get(item.id)
        if state is None or not state.check_status:
            return False
        return (not state.done) != (state.check_status == "pass")

    def substitute(self, code: str) -> str:
        """The environment's values in place of the runbooks' placeholder tokens (only those, at
        token boundaries; a team's placeholders.toml sits beside its runbooks)."""
        return self.substitution(code).text

    def substitution(self, code: str) -> Substitution:
        """`substitute` with its spans: where each value went, configured or still missing."""
        from omniops_tui.runbooks.placeholders import substitute_for

        setup = self.setup
        return substitute_for(code, setup.config, setup.environment, runbooks=setup.options.runbooks)

    def copy_command(self, runbook_id: str, block_id: str, code: str) -> str:
        """The command as it goes to the clipboard (placeholders substituted), recorded."""
        text = self.substitute(code)
        self.record(CommandCopied(runbook_id=runbook_id, block_id=block_id, command=text))
        return text

    def add_note(self, text: str, runbook_id: str = "", section_id: str = "") -> None:
        self.record(NoteAdded(text=text, runbook_id=runbook_id, section_id=section_id))

    def rerun_checks(self) -> bool:
        """Fresh answers now instead of at the next interval; False when nothing can run."""
        if not self.live_checks_available:
            return False
        self.checks.rerun_now()
        return True

    def sample_now(self) -> bool:
        if not self.live_checks_available:
            return False
        self.metrics.sample_now()
        return True

    def switch_scenario(self, name: str) -> None:
        """The demo's sandbox changes; fresh answers at once (not at the next interval)."""
        if self.demo is None or not name or name == self.demo.scenario:
            return
        self.demo.set_scenario(name)
        self._scenario_seen = name
        self.record(ScenarioSwitched(scenario=name))
        self.checks.rerun_now()
        self.metrics.sample_now()

    def notice_scenario(self) -> None:
        """The demo's production changed scenario by itself (a rollback restarted the app, a
        stopped app came back): the record, and the `DEMO:` status drawn from it, follow."""
        demo = self.demo
        if demo is None or demo.scenario == self._scenario_seen:
            return
        self._scenario_seen = demo.scenario
        self.record(ScenarioSwitched(scenario=demo.scenario))

    def _after_round(self) -> None:
        self.notice_scenario()
        self.wizard.refresh()

    async def gather_diagnostics(self) -> str:
        """Emergency Rollback step 8, written beside the session and recorded; returns what to
        tell the engineer. Every part is best effort: a dead host is one line of problems."""
        from omniops_tui.live.gather import gather_for_session

        result = await gather_for_session(self)
        self.record(result.to_event())
        problems = f"; {len(result.problems)} part(s) failed, see problems.txt" if result.problems else ""
        return f"Diagnostics: {len(result.files)} files in {result.path}{problems}"

    @property
    def session_path(self) -> Path:
        return Path(self.recorder.path)

    def database_url(self) -> str | None:
        environment = self.setup.environment
        variable = environment.database_url_env if environment is not None else ""
        return os.environ.get(variable) if variable else None
