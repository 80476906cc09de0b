"""The logs screen (`l` from anywhere): one pane per log source and a merged view.

The panes draw from the session's log projection (`state.logs`): live, the engine's log service
streams every configured source over SSH and folds the lines in; in a replay the player folds
the recorded lines in. Same panes, same buffers, same filters, so a replayed pane is the live
pane fed by the player. With nothing configured the screen explains how to configure hosts.

The live screen is installed once (`show_logs`) and kept, so its panes, filters and scroll
positions are still there when the engineer comes back.
"""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.reactive import Reactive
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Input, Static, Tab, Tabs

from omniops_tui.sessions.state import SessionState
from omniops_tui.ui.context import ScreenContext, SessionScreen
from omniops_tui.ui.screens.logs_input import PatternInput
from omniops_tui.ui.screens.logs_text import not_configured_text, status_text
from omniops_tui.ui.widgets.footer import KeyFooter
from omniops_tui.ui.widgets.log_pane import LogPane
from omniops_tui.ui.widgets.status_bar import StatusBar

SCREEN_NAME = "logs"
FLUSH_HZ = 15
"""Frames a second of a following pane: each frame draws the newest lines whatever arrived since
the last, so a flood costs the same per frame as a trickle; at 25 the frames of a firehose took
CPU the stream and the keys needed (issue 12), and 15 still reads as continuous scrolling."""
STATUS_EVERY = 4  # ticks: the status lines update ~4 times a second
MERGED_KEY = "merged"
PANE_ACTIONS = frozenset(
    {
        "filter",
        "search",
        "next_match",
        "previous_match",
        "toggle_pause",
        "follow",
        "next_pane",
        "previous_pane",
        "merged",
    }
)


class PaneTabs(Tabs, can_focus=False):
    """The sources, as tabs; keys switch them (`[` `]`, 1…9, a), so they never take focus."""


class LogsScreen(SessionScreen, PatternInput):
    CSS_PATH = "logs.tcss"
    # The log takes the keys when the screen shows: Textual focuses the first focusable widget,
    # and counts a hidden one, so the input (composed first) took the keys typed at once.
    AUTO_FOCUS = ".log-view"
    # Textual repaints the whole screen when the focus moves; here the focus moves with every
    # open and close of the input, and a whole screen is a frame of 22 log lines more for a key
    # under a flood. The widgets the move restyles (`:focus`) repaint themselves.
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    BINDINGS = [
        Binding(
            "escape",
            "back",
            "Back",
            id="logs.back",
            tooltip="Close the input, then clear the filter and search, then go back",
        ),
        Binding(
            "slash",
            "filter",
            "Filter",
            id="logs.filter",
            tooltip="Show only lines matching a regex, with 2 lines of context (lowercase: any case)",
        ),
        Binding(
            "ctrl+f",
            "search",
            "Search",
            id="logs.search",
            tooltip="Find a regex in the pane; n / N go to the next / previous match",
        ),
        Binding(
            "n",
            "next_match",
            "Next match",
            id="logs.next",
            show=False,
            tooltip="Next (newer) match of the search or filter",
        ),
        Binding(
            "N",
            "previous_match",
            "Prev match",
            id="logs.previous",
            show=False,
            tooltip="Previous (older) match of the search or filter",
        ),
        Binding(
            "p,space",
            "toggle_pause",
            "Pause",
            id="logs.pause",
            tooltip="Pause or resume following (scrolling up pauses too)",
        ),
        Binding(
            "f,end",
            "follow",
            "Follow",
            id="logs.follow",
            tooltip="Resume following: show what arrived while paused, then every new line",
        ),
        Binding("right_square_bracket", "next_pane", "Next source", id="logs.next_pane", show=False),
        Binding("left_square_bracket", "previous_pane", "Prev source", id="logs.previous_pane", show=False),
        Binding(
            "a,0",
            "merged",
            "All sources",
            id="logs.merged",
            show=False,
            tooltip="The merged view: every source, each line prefixed with `host source │`",
        ),
    ]
    EXTRA_KEYS = [
        ("1…9", "Show source N"),
        ("↑ pgup home / wheel", "Scroll back: pauses following (the pane counts new lines)"),
    ]

    def __init__(self, ctx: ScreenContext) -> None:
        super().__init__(ctx)
        self.panes: list[LogPane] = []
        self._state_seen: SessionState | None = None
        self._sources_seen: list[str] = []
        self._current: LogPane | None = None
        self._input_mode = ""
        self._input_previous = ""
        self._ticks = 0

    # ------------------------------------------------------------------ layout
    @property
    def replay(self) -> bool:
        return self.ctx.replay is not None

    def compose(self) -> ComposeResult:
        # The input first: on its own layer (logs.tcss) it then comes last in Textual's painting
        # order, so showing it leaves every other widget's place in that order, and on screen.
        yield Input(id="log-pattern", classes="hidden")
        yield StatusBar(self.ctx, "Logs")
        shown = self._current.key if self._current is not None else ""
        self.panes = self._make_panes()
        self._current = next((p for p in self.panes if p.key == shown), self.panes[0] if self.panes else None)
        if self._current is None:
            yield Static(not_configured_text(self.ctx), id="logs-empty", markup=False)
        else:
            tabs = [Tab(self._tab_label(i, p), id=f"tab-{p.id}") for i, p in enumerate(self.panes)]
            yield PaneTabs(*tabs, id="log-tabs", active=f"tab-{self._current.id}")
            with ContentSwitcher(initial=self._current.id, id="log-panes"):
                yield from self.panes
        yield KeyFooter()

    def _make_panes(self) -> list[LogPane]:
        """One pane per source of the projection, and the merged view when there are several."""
        logs = self.session.state.logs
        self._state_seen = self.session.state
        self._sources_seen = list(logs.sources)
        panes = [
            LogPane(source_id, source_id, source.buffer, source_ids=[source_id], id=f"pane-{index}")
            for index, (source_id, source) in enumerate(logs.sources.items())
        ]
        if len(panes) > 1:
            merged = LogPane(
                MERGED_KEY,
                "all sources",
                logs.merged,
                source_ids=list(logs.sources),
                prefixed=True,
                id="pane-merged",
            )
            panes.insert(0, merged)
        return panes

    def _resync(self) -> None:
        """The state was replaced (a replay seek) or gained sources: point the panes at it."""
        state = self.session.state
        logs = state.logs
        if list(logs.sources) != self._sources_seen:
            self.refresh(recompose=True)
            return
        self._state_seen = state
        for pane in self.panes:
            pane.buffer = logs.merged if pane.key == MERGED_KEY else logs.sources[pane.key].buffer
            pane.stale = True
        self._refresh_status()

    def _tab_label(self, index: int, pane: LogPane) -> str:
        if pane.key == MERGED_KEY:
            return "a all"
        number = index if self.panes and self.panes[0].key == MERGED_KEY else index + 1
        return f"{number} {pane.title}" if number <= 9 else pane.title

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Pane keys only where there are panes (the footer then shows just the way back)."""
        return not (action in PANE_ACTIONS and not self.panes)

    def on_mount(self) -> None:
        self._flusher = self.set_interval(1 / FLUSH_HZ, self._tick, name="log-flush")
        self.call_after_refresh(self._focus_view)

    def on_screen_resume(self) -> None:
        self._flusher.resume()
        if self.ctx.engine is not None:
            self.ctx.engine.screen_opened("logs")
        self.call_after_refresh(self._focus_view)

    def on_screen_suspend(self) -> None:
        self._flusher.pause()  # not on screen: nothing to draw (the panes catch up when shown)

    def note_context(self) -> tuple[str, str]:
        return "", ""

    # ------------------------------------------------------------------ the pane on show
    @property
    def current_pane(self) -> LogPane | None:
        return self._current

    def show_pane(self, pane: LogPane) -> None:
        self._current = pane
        self.query_one(ContentSwitcher).current = pane.id
        tabs = self.query_one(PaneTabs)
        if tabs.active != f"tab-{pane.id}":
            tabs.active = f"tab-{pane.id}"
        pane.flush()
        self._refresh_status()
        self._focus_view()

    def _focus_view(self) -> None:
        pane = self.current_pane
        if pane is not None and pane.is_mounted and self._input_mode == "":
            self.set_focus(pane.view)  # not `view.focus()`: that repaints the view (log_view.py)

    @on(Tabs.TabActivated, "#log-tabs")
    def _tab_activated(self, message: Tabs.TabActivated) -> None:
        pane_id = (message.tab.id or "").removeprefix("tab-")
        pane = next((p for p in self.panes if p.id == pane_id), None)
        if pane is not None and pane is not self._current:
            self.show_pane(pane)

    def _tick(self) -> None:
        if not self.is_attached:  # the app is closing
            return
        state = self.session.state
        if state is not self._state_seen or len(state.logs.sources) != len(self._sources_seen):
            self._resync()
            return
        visible = self.current_pane if self.is_current else None
        for pane in self.panes:
            if not pane.is_mounted:  # just recomposed: drawn on the next tick
                continue
            if pane is visible:
                pane.flush()
            else:
                pane.hidden_tick()
        self._ticks += 1
        if self._ticks % STATUS_EVERY == 0:
            self._refresh_status()

    # ------------------------------------------------------------------ status lines
    def _refresh_status(self) -> None:
        pane = self.current_pane
        if pane is None:
            return
        pane.set_status(self.status_text(pane))

    def status_text(self, pane: LogPane) -> Text:
        logs = self.session.state.logs
        return status_text(pane, logs.sources, self.session.offset(), replay=self.replay, capped=logs.capped)

    # ------------------------------------------------------------------ actions
    def action_back(self) -> None:
        if self._input_mode:
            self._close_input(cancel=True)
            return
        pane = self.current_pane
        if pane is not None and (pane.filter_pattern is not None or pane.search_pattern is not None):
            pane.set_search(None)
            if pane.filter_pattern is not None:
                pane.set_filter(None)
            self._refresh_status()
            return
        self.app.pop_screen()

    def action_toggle_pause(self) -> None:
        pane = self.current_pane
        if pane is not None:
            pane.toggle_pause()
            self._refresh_status()

    def action_follow(self) -> None:
        pane = self.current_pane
        if pane is not None:
            pane.follow()
            self._refresh_status()

    def action_next_pane(self) -> None:
        self._step_pane(1)

    def action_previous_pane(self) -> None:
        self._step_pane(-1)

    def _step_pane(self, step: int) -> None:
        pane = self.current_pane
        if pane is not None:
            index = self.panes.index(pane)
            self.show_pane(self.panes[(index + step) % len(self.panes)])

    def action_merged(self) -> None:
        merged = next((p for p in self.panes if p.key == MERGED_KEY), None)
        if merged is not None:
            self.show_pane(merged)
        elif self.panes:
            self.notify("One source only: there is no merged view", timeout=2)

    def on_key(self, event: events.Key) -> None:
        """Digits show source N (the merged view is `a` or 0)."""
        if self._input_mode or not event.character or not event.character.isdigit():
            return
        sources = [p for p in self.panes if p.key != MERGED_KEY]
        number = int(event.character)
        if 1 <= number <= len(sources):
            event.stop()
            self.show_pane(sources[number - 1])

    @on(Input.Changed, "#log-pattern")
    def _pattern_changed(self, message: Input.Changed) -> None:
        self.pattern_changed(message.value)

    @on(Input.Submitted, "#log-pattern")
    def _pattern_submitted(self, message: Input.Submitted) -> None:
        self.pattern_submitted(message.value)


# ---------------------------------------------------------------------------- app wiring
def show_logs(app: App[None], ctx: ScreenContext) -> None:
    """Open the logs screen of `ctx`'s session (the live one is installed once and kept)."""
    if ctx.replay is not None:
        screen: LogsScreen | None = next((s for s in app.screen_stack if isinstance(s, LogsScreen)), None)
        if screen is None:
            app.push_screen(LogsScreen(ctx))
            return
    else:
        if not app.is_screen_installed(SCREEN_NAME):
            app.install_screen(LogsScreen(ctx), name=SCREEN_NAME)
        screen = app.get_screen(SCREEN_NAME)  # type: ignore[assignment]
    if app.screen is screen:
        return
    if screen in app.screen_stack:
        while app.screen is not screen:
            app.pop_screen()
    else:
        app.push_screen(screen)  # type: ignore[arg-type]


def help_group() -> tuple[str, list[Binding], list[tuple[str, str]]]:
    """The logs screen's keys, for the help screen and the README's keys table."""
    bindings = [b for b in LogsScreen.BINDINGS if isinstance(b, Binding)]
    return "Logs", bindings, list(LogsScreen.EXTRA_KEYS)
