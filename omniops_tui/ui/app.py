"""The Textual App: shows a session, routes keys to the engine, and does nothing else.

The App is built on a `LiveSession` (the engine, live/session.py), or on a `ReplaySession` for
`sessions replay`. It runs the engine's services as workers (one handler shows a failed one and
restarts it), turns the engine's changes into `SessionUpdated` messages for the screen on top,
and routes keys to engine calls. A replay started from the sessions screen is a mode of this
same App (ui/replay_mode.py): the live session keeps running and recording underneath, and
leaving the replay returns to it.
"""

from __future__ import annotations

import asyncio
import gc
from collections import deque
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, cast

from textual import events, on
from textual.app import App
from textual.driver import Driver
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from omniops_tui.core.text import visible, visible_line
from omniops_tui.live.hangup import HangupGuard
from omniops_tui.ui.actions import KeyActions
from omniops_tui.ui.context import ScreenContext
from omniops_tui.ui.keys import APP_BINDINGS
from omniops_tui.ui.messages import ChecksRunning, SessionUpdated
from omniops_tui.ui.navigation import Navigator
from omniops_tui.ui.replay_mode import ReplayMode
from omniops_tui.ui.type_ahead import TypeAhead

if TYPE_CHECKING:  # the engine is imported after the first paint (ui/starting.py)
    from omniops_tui.core.events import Event
    from omniops_tui.live.base import Notice, Service
    from omniops_tui.live.session import LiveSession
    from omniops_tui.sandbox.demo import DemoServices
    from omniops_tui.sessions.replay import ReplaySession  # a live start need not load replay
    from omniops_tui.sessions.view import SessionView
    from omniops_tui.ui.starting import Starting

# The engine is built this long after home's first frame is handed to the terminal: Textual
# writes frames from a thread, which needs the interpreter's lock; a moment of idle loop lets it
# write before the engine's imports hold that lock (else the frame waits a switch interval).
ENGINE_AFTER_PAINT_S = 0.005

# Input that waits while the engine is built after the first paint (then replayed in order).
HELD_EVENTS = (events.Key, events.MouseDown, events.MouseUp, events.Click, events.Paste)

MIN_WIDTH, MIN_HEIGHT = 60, 18
RESTART_AFTER_S = 5.0


# How long after start the screens a person opens next are warmed up (off the first frame).
WARM_AFTER_S = 0.5


class OmniOpsApp(Navigator, KeyActions):
    """omniops-tui: runbooks as screens, every action recorded."""

    TITLE = "omniops-tui"
    # Home's styles load with the App's: a screen's own CSS_PATH makes Textual re-parse every
    # style sheet loaded so far when the screen is installed, on the way to the first frame.
    CSS_PATH = ["app.tcss", "screens/home.tcss"]
    BINDINGS = APP_BINDINGS
    DEFAULT_MODE = "live"
    COMMANDS = App.COMMANDS | {lambda: _palette()}

    def __init__(
        self,
        live: LiveSession | None = None,
        *,
        replay: ReplaySession | None = None,
        notices: Sequence[str] = (),
        demo: DemoServices | None = None,
        show_tour: bool = False,
        replay_at: str = "",
        starting: Starting | None = None,
    ) -> None:
        """`starting` instead of `live`: paint home first, build the engine right after."""
        super().__init__()
        assert (live, replay, starting).count(None) == 2, "an App shows a live session or a replay"
        self.live = live
        self.notices = list(notices)
        self.show_tour = show_tour
        self.starting = starting
        self.start_error: Exception | None = None  # a UserError found while building the engine
        self._held: list[events.Event] | None = [] if starting is not None else None
        self.type_ahead = TypeAhead(self)
        inputs = live.setup if live is not None else None  # (a start's: once its engine is in)
        session: SessionView | None = live if live is not None else replay
        if starting is not None:  # a stand-in with the real runbooks, until the engine is in
            session = cast("SessionView", starting.view)
        assert session is not None
        self.ctx = ScreenContext(
            session=session,
            shell=self,
            engine=live,
            replay=replay,
            demo=demo,
            config=inputs.config if inputs else None,
            environment=inputs.environment if inputs else None,
        )
        self.replay_mode = ReplayMode(self)
        self._first_replay = (replay, replay_at)
        self._services: dict[str, Service] = {}
        self.messages_shown: deque[str] = deque(maxlen=200)
        self._too_small = False
        self._hangup: HangupGuard | None = None

    def get_default_screen(self) -> Screen:
        """Home, the first screen of the "live" mode, installed as Textual's default screen.

        A mode's first screen is mounted inside the App's start-up batch, and the App waits for
        it: its first frame was rendered and thrown away (no painting in a batch), and the screen
        then came out in pieces, the last a refresh tick (1/60 s) later. The default screen is
        mounted after the batch, as in a bare app, and comes out whole. The mode is registered
        once the App is mounted (`on_mount`), for a replay to switch back to (replay_mode.py)."""
        return self._home()

    def _home(self) -> Screen:
        from omniops_tui.ui.screens.home import HomeScreen

        return HomeScreen(self.ctx)

    # ------------------------------------------------------------------ lifecycle
    def on_load(self) -> None:
        """Before the first screen: the record starts with `session_started`."""
        if self.live is not None:
            self._listen(self.live)

    def _listen(self, live: LiveSession) -> None:
        live.listen(self._live_changed)
        live.on_notice(self._notice)
        live.on_running(self._checks_running)
        live.on_recording(self._recording_changed)
        live.begin()

    def on_mount(self) -> None:
        self.theme = "textual-dark"
        self._handle_signals()
        self.call_after_refresh(gc.enable)  # (held off by the CLI until home is painted: launch.py)
        self.add_mode("live", self._home)  # (home is its first screen already: get_default_screen)
        if self.live is not None:  # after the first frame: the checks import their clients
            self.call_after_refresh(self._start_services, self.live)
            self.call_after_refresh(self._finish_runbooks)
        elif self.starting is not None:  # home is painted first, then the engine comes in
            self.call_after_refresh(self.set_timer, ENGINE_AFTER_PAINT_S, self._attach_engine)
        for notice in self.notices:
            self.notify(notice, severity="warning", timeout=8, markup=False)
        if self.ctx.demo is not None and self.show_tour:
            from omniops_tui.ui.screens.demo import TourScreen

            self.push_screen(TourScreen())
        replay, at = self._first_replay
        if replay is not None:
            self.replay_mode.attach(replay, at=at, base=True)
        self.call_after_refresh(self._check_size)
        self.set_timer(WARM_AFTER_S, self._warm_screens)

    def _warm_screens(self) -> None:
        """The first-time costs of the screens a person opens next, while the first one idles
        (ui/warmup.py): their imports on a thread, then their styles on the loop in slices."""
        from omniops_tui.ui import warmup

        runbooks = self.ctx.session.basis.runbooks
        work = partial(warmup.import_screens, runbooks)
        self.run_worker(work, thread=True, group="warm-up", exit_on_error=False)

    @on(Worker.StateChanged)
    def _warmed_up(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "warm-up" and event.state is WorkerState.SUCCESS:
            from omniops_tui.ui.warmup import warm_styles

            warm_styles(self)

    def _attach_engine(self) -> None:
        """Build the engine (imports, set-up, the recording) once home is on screen, and put it
        under every screen: the record starts, the checks start, held keys are replayed. A
        `UserError` only the full set-up finds (a malformed decision tree, a check binding)
        ends the App with exit 2, and the CLI prints it as one line once the terminal is back."""
        from omniops_tui.core.errors import UserError

        starting, self.starting = self.starting, None
        if starting is None:
            return
        try:
            live = starting.build()
        except UserError as exc:
            self.start_error = exc
            self._held = None
            self.exit(return_code=exc.exit_code)
            return
        self.live = live
        self.ctx.session = live
        self.ctx.engine = live
        self.ctx.config, self.ctx.environment = live.setup.config, live.setup.environment
        self._listen(live)  # session_started: the screen on top redraws from it
        for screen in self.screen_stack[:-1]:
            screen.post_message(SessionUpdated({"session_started"}))
        for notice in live.setup.notices:
            self.notify(notice, severity="warning", timeout=8, markup=False)
        self._start_services(live)
        self._finish_runbooks()
        self.screen.refresh_bindings()  # keys that need the engine (note, sessions) show now
        held, self._held = self._held or [], None
        for event in held:
            self.post_message(event)

    async def on_event(self, event: events.Event) -> None:
        """Input that arrives before the engine is in waits for it (a few tenths of a second)."""
        if self._held is not None and isinstance(event, HELD_EVENTS):
            self._held.append(event)
            return
        if self.type_ahead.take(event):  # typed after a key that opens a screen: for that screen
            return
        await super().on_event(event)

    def _finish_runbooks(self) -> None:
        """A large runbook file started as titles: parse the rest on a thread (ui/runbook_loading.py)."""
        from omniops_tui.ui.runbook_loading import start_loading

        start_loading(self, self.ctx)

    def _start_services(self, live: LiveSession) -> None:
        for service in live.services():
            self.run_service(service)

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver, with output that survives a hung-up terminal (ui/terminal.py)."""
        from omniops_tui.ui.terminal import hangup_safe

        return hangup_safe(super().get_driver_class())

    def _handle_signals(self) -> None:
        """SIGTERM or SIGHUP (the SSH session to the bastion dropped) end the session cleanly,
        and whatever happens the process is gone within 2 s (live/hangup.py)."""
        loop = asyncio.get_running_loop()
        recorder = self.live.recorder if self.live is not None else None
        self._hangup = HangupGuard(
            lambda name: loop.call_soon_threadsafe(self.call_next, self._end_session, f"signal {name}"),
            last_words=(lambda name: recorder.end(f"signal {name}")) if recorder is not None else None,
        )
        self._hangup.install()

    def on_unmount(self) -> None:
        if self._hangup is not None:
            self._hangup.uninstall()

    async def action_quit(self) -> None:
        await self._end_session("quit")

    async def _end_session(self, reason: str) -> None:
        from omniops_tui.ui.runbook_loading import stop_loading

        stop_loading(self.ctx)
        self.starting = None  # (a signal before the engine came in: no session is started now)
        self.workers.cancel_group(self, "engine")
        self.replay_mode.stop()
        if self.live is not None:
            await self.live.aclose(reason)
        self.exit()

    def end_session(self, reason: str) -> None:
        """The last resort of every exit path (the CLI calls it after `run()`)."""
        if self.live is not None:
            self.live.end(reason)

    # ------------------------------------------------------------------ engine services
    def run_service(self, service: Service) -> None:
        self._services[service.name] = service
        self.run_worker(
            service.run(), name=service.name, group="engine", exit_on_error=False, description=service.name
        )

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        """The one place a failed worker becomes visible; engine services are restarted."""
        worker = event.worker
        if event.state is not WorkerState.ERROR:
            return
        error = worker.error
        what = f"{type(error).__name__}: {error}" if error is not None else "failed"
        service = self._services.get(worker.name)
        if service is not None and worker.group == "engine":
            self.notify(
                f"{service.name} stopped ({what}); restarting in {RESTART_AFTER_S:g} s",
                severity="error",
                timeout=10,
                markup=False,
            )
            self.set_timer(RESTART_AFTER_S, lambda: self.run_service(service))
        else:
            self.notify(f"{worker.name or 'A task'} failed: {what}", severity="error", markup=False)

    # ------------------------------------------------------------------ engine -> screens
    def _live_changed(self, events_: Sequence[Event] | None) -> None:
        if not self.replay_mode.active:
            self.post_update(events_)

    def post_update(self, events_: Sequence[Event] | None) -> None:
        if not self.screen_stack:  # before the first screen: it draws the state as it is
            return
        kinds = {event.type for event in events_} if events_ is not None else {"*"}
        self.screen.post_message(SessionUpdated(kinds))

    def _recording_changed(self, problem: str | None) -> None:
        """The header says NOT RECORDING while the record cannot be written (status_bar.py); on
        every screen of the stack, so that going back shows it too."""
        for screen in self.screen_stack:
            screen.post_message(SessionUpdated({"recording"}))

    def _checks_running(self, items: frozenset[str]) -> None:
        if not self.replay_mode.active and self.screen_stack:
            self.screen.post_message(ChecksRunning(items))

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast is also kept (the newest 200) so what the engineer was told can be checked.
        A toast often carries outside text (an error from a host): its controls are made visible."""
        message, title = visible(message), visible_line(title)
        self.messages_shown.append(message)
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def _notice(self, notice: Notice) -> None:
        self.notify(
            notice.text,
            title=notice.title,
            severity=notice.severity,
            timeout=notice.timeout,
            markup=False,
        )

    # ------------------------------------------------------------------ size
    def on_resize(self, event: events.Resize) -> None:
        self._check_size(event.size.width, event.size.height)

    def _check_size(self, width: int | None = None, height: int | None = None) -> None:
        if width is None or height is None:
            width, height = self.size
        too_small = width < MIN_WIDTH or height < MIN_HEIGHT
        if too_small == self._too_small:
            return  # (the usual case, at every resize: its screen's module is not even imported)
        from omniops_tui.ui.screens.too_small import TooSmallScreen

        self._too_small = too_small
        if too_small:
            self.push_screen(TooSmallScreen(MIN_WIDTH, MIN_HEIGHT))
        elif isinstance(self.screen, TooSmallScreen):
            self.pop_screen()


def _palette() -> type:
    from omniops_tui.ui.palette import RunbookCommands

    return RunbookCommands
