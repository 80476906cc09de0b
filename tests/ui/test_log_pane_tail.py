"""A following pane under a flood writes only the newest lines a frame (issue 12), and pausing
gives the engineer the whole scrollback back, contiguous, searchable."""

from __future__ import annotations

import re

from textual.app import App, ComposeResult

from omniops_tui.core.logbuffer import LogBuffer
from omniops_tui.ui.widgets.log_pane import TAIL_LINES, LogPane


def numbered(start: int, stop: int) -> list[str]:
    return [f"line {i}" for i in range(start, stop)]


class PaneApp(App[None]):
    def __init__(self, buffer: LogBuffer) -> None:
        super().__init__()
        self.buffer = buffer

    def compose(self) -> ComposeResult:
        yield LogPane("k", "k", self.buffer, source_ids=["k"])


async def test_a_flood_writes_the_newest_lines_and_pausing_restores_the_scrollback() -> None:
    buffer = LogBuffer(3_000)
    app = PaneApp(buffer)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(LogPane)
        pane.flush()  # first show: drawn from the (empty) scrollback
        for start in range(0, 10_000, 2_500):
            pane.feed(numbered(start, start + 2_500))
            pane.flush()
            await pilot.pause()
        view = pane.view
        assert len(view.lines) <= 4 * TAIL_LINES and view.lines[-1] == "line 9999"
        assert buffer.dropped == 0 and buffer.received == buffer.shown + buffer.skipped
        pane.pause()
        assert view.lines == numbered(7_000, 10_000)  # the whole scrollback, no holes
        assert view.max_scroll_y - view.scroll_y == 0  # still at the newest line
        pane.feed(numbered(10_000, 10_010))
        pane.flush()  # paused: nothing moves
        assert view.lines[-1] == "line 9999"
        pane.follow()
        assert view.lines[-1] == "line 10009" and buffer.dropped == 0


async def test_a_search_after_a_flood_finds_lines_the_frames_skipped() -> None:
    buffer = LogBuffer(5_000)
    app = PaneApp(buffer)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(LogPane)
        pane.flush()
        lines = numbered(0, 5_000)
        lines[1_000] = "the needle"
        pane.feed(lines)
        pane.flush()
        await pilot.pause()
        assert "the needle" not in pane.view.lines
        pane.set_search(re.compile("needle"))
        found = pane.jump(backward=True)
        assert found is not None and pane.view.lines[found[0]] == "the needle"
        assert not pane.following
