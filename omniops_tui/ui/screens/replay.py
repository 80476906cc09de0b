"""Replay: the recorded events drive the same screens, read-only, with a timeline bar.

`ReplayDriver` owns the `Player` (pure logic, omniops_tui/sessions/replay.py) and a 20 Hz
timer: each tick's events are folded into the app's state and published on the same signal
the live app uses, so the screens cannot tell replay from live. A seek swaps in the state the
player rebuilt from its nearest checkpoint. When a recorded `screen_opened` comes by, the
replay follows the engineer to that screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.widgets import Static

from omniops_tui.core.events import Event, ScreenOpened
from omniops_tui.sessions.player import Player, Timeline, TimeParseError, format_offset
from omniops_tui.sessions.state import SessionState

if TYPE_CHECKING:
    from omniops_tui.ui.app import OmniOpsApp

TICK_S = 0.05
PUBLISH_EACH_UP_TO = 40  # beyond this many events in one tick, one full refresh instead


class ReplayDriver:
    def __init__(self, app: OmniOpsApp, timeline: Timeline, *, speed: float = 1.0) -> None:
        self.app = app
        self.timeline = timeline
        self.player = Player(timeline, speed=speed)
        self.last_screen: ScreenOpened | None = None

    def start(self, *, play: bool = True) -> None:
        self.app.set_interval(TICK_S, self.tick, name="replay")
        if play:
            self.player.play()

    # ------------------------------------------------------------------ the tick
    def tick(self) -> None:
        events_due = self.player.advance()
        if events_due:
            self.deliver(events_due)
        self.app.replay_changed.publish(self.player)

    def deliver(self, events_due: list[Event]) -> None:
        state = self.app.state
        for event in events_due:
            state.apply(event)
        if len(events_due) <= PUBLISH_EACH_UP_TO:
            for event in events_due:
                self.app.session_changed.publish(event)
        else:
            self.app.session_changed.publish(None)
        screens = [e for e in events_due if isinstance(e, ScreenOpened)]
        if screens:
            self.follow(screens[-1])

    # ------------------------------------------------------------------ seeks
    def swap(self, state: SessionState | None) -> None:
        if state is None:
            return
        self.app.state = state
        self.app.session_changed.publish(None)
        if state.screen is not None:
            self.follow(state.screen)
        self.app.replay_changed.publish(self.player)

    def toggle(self) -> None:
        if self.player.finished and not self.player.playing:
            self.swap(self.player.seek(0))
        self.player.toggle()
        self.app.replay_changed.publish(self.player)

    def seek_by(self, seconds: float) -> None:
        self.swap(self.player.seek_by(seconds))

    def seek_fraction(self, fraction: float) -> None:
        self.swap(self.player.seek_fraction(fraction))

    def seek_to(self, text: str) -> str:
        """Go to a typed time; returns an error message, or "" when done."""
        try:
            self.swap(self.player.seek_to(text))
        except TimeParseError as exc:
            return str(exc)
        return ""

    def marker(self, forward: bool) -> None:
        state = self.player.next_marker() if forward else self.player.previous_marker()
        if state is None:
            self.app.notify("No more markers that way", timeout=2)
            return
        self.swap(state)
        if self.player.last_marker is not None:
            self.app.notify(self.player.last_marker.label, title="Marker", timeout=4)

    def faster(self, up: bool) -> None:
        self.player.faster() if up else self.player.slower()
        self.app.replay_changed.publish(self.player)

    # ------------------------------------------------------------------ following screens
    def follow(self, opened: ScreenOpened) -> None:
        """Show the screen the engineer had open (read-only); no-op when already there."""
        if self.last_screen is not None and (
            self.last_screen.screen,
            self.last_screen.runbook_id,
            self.last_screen.section_id,
        ) == (opened.screen, opened.runbook_id, opened.section_id):
            return
        self.last_screen = opened
        self.app.show_recorded_screen(opened)


class ReplayBar(Static):
    """`▶ 4x  +0:12:34 / +1:02:10  03:12:05 UTC  ━━━━●────  next ✎ …`; click to seek."""

    DEFAULT_CSS = """
    ReplayBar {
        height: 1;
        background: $secondary-darken-2;
        color: $text;
        padding: 0 1;
    }
    """

    def on_mount(self) -> None:
        self.app.replay_changed.subscribe(self, self.show)
        driver = self.app.replay
        if driver is not None:
            self.show(driver.player)

    def show(self, player: Player) -> None:
        timeline = player.timeline
        text = Text()
        text.append("▶ " if player.playing else "⏸ ", style="bold")
        text.append(f"{player.speed_label:<4}")
        text.append(f" {format_offset(player.position)}/{format_offset(timeline.duration)[1:]}")
        wall = player.wall_time
        if wall is not None:
            text.append(f" {wall:%H:%M:%S}", style="bold")
        width = max(8, self.size.width - text.cell_len - 4)
        filled = int(player.fraction * width)
        text.append(" ")
        self._bar = (text.cell_len, width)
        text.append("━" * filled, style="bold")
        text.append("●")
        text.append("─" * max(0, width - filled - 1), style="dim")
        self.update(text)

    def on_click(self, event: events.Click) -> None:
        """Click on the bar to seek there (the bar's proportion of the session)."""
        driver = self.app.replay
        bar = getattr(self, "_bar", None)
        if driver is None or bar is None:
            return
        start, width = bar
        x = event.x - 1  # the left padding
        driver.seek_fraction(min(1.0, max(0.0, (x - start) / width)))
