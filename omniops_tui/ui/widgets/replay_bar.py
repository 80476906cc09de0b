"""The replay's timeline bar: `▶ 4x  +0:12:34/1:02:10 03:12:05  ━━━━●────`; click to seek.

While a long recording is still being indexed (or a seek waits for it) it says so:
`indexing 42 %`."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widgets import Static

from omniops_tui.sessions.player import format_offset
from omniops_tui.sessions.replay import ReplaySession
from omniops_tui.ui.context import SESSION_AWARE, SessionWidget
from omniops_tui.ui.messages import ReplaySeek


class ReplayBar(Static, SessionWidget):
    DEFAULT_CSS = """
    ReplayBar {
        height: 1;
        background: $secondary-darken-2;
        color: $text;
        padding: 0 1;
    }
    """

    def __init__(self, replay: ReplaySession, *, id: str | None = None) -> None:
        super().__init__(id=id, classes=SESSION_AWARE)
        self.replay = replay
        self._bar: tuple[int, int] | None = None

    def on_mount(self) -> None:
        self.show()

    def replay_moved(self) -> None:
        self.show()

    def show(self) -> None:
        player = self.replay.player
        timeline = player.timeline
        text = Text()
        text.append("▶ " if player.playing else "⏸ ", style="bold")
        text.append(f"{player.speed_label:<4}")
        text.append(f" {format_offset(player.position)}/{format_offset(timeline.duration)[1:]}")
        wall = player.wall_time
        if wall is not None:
            text.append(f" {wall:%H:%M:%S}", style="bold")
        waiting = self.replay.waiting or (
            "" if timeline.complete else f"indexing {int(timeline.progress * 100)} %"
        )
        if waiting:  # a long recording opens before it is indexed; a seek past that part waits
            text.append(f" {waiting}", style="italic")
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
        if self._bar is None:
            return
        start, width = self._bar
        x = event.x - 1  # the left padding
        self.post_message(ReplaySeek(min(1.0, max(0.0, (x - start) / width))))
