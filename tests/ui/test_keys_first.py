"""Keys first (issue 9 D): what the app does in the background steps aside while the engineer
presses keys, and the screens a key opens are built before the key (or only as far as shown)."""

from __future__ import annotations

import gc

from textual.app import App
from textual.widgets import DataTable

from omniops_tui.core.events import MetricSample
from omniops_tui.live.checklist import FOCUS_SETTLE_S, SETTLE_MAX_S, pause_left
from omniops_tui.ui import idle_gc
from omniops_tui.ui.idle_gc import IdleCollector
from omniops_tui.ui.screens.metrics import MetricsScreen
from omniops_tui.ui.screens.runbook import RunbookScreen
from omniops_tui.ui.screens.section_view import FIRST_ROWS
from tests.ui.conftest import wait_for

STEPS = "standard-release/step-by-step-procedure"  # 38 rows: more than a screenful at 80x24


def test_a_sweep_waits_for_the_keys_to_pause_but_not_for_ever() -> None:
    since = 100.0
    assert pause_left(since, since, since) == FOCUS_SETTLE_S  # just focused: its screen paints first
    assert pause_left(since + 2.0, since + 1.9, since) > 0  # keys still coming: not yet
    assert pause_left(since + 2.0, since + 1.0, since) <= 0  # they paused: now
    assert pause_left(since + SETTLE_MAX_S, since + SETTLE_MAX_S, since) <= 0  # never later than this
    assert pause_left(since, float("-inf"), since) <= 0  # an interval's sweep, no key lately: now


async def test_every_key_tells_the_checks_and_the_collector(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        checks, collector = app.live.checks, app.idle_collector
        assert collector is not None
        before = (checks._moved_at, collector.key_at)
        await pilot.press("down")
        assert checks._moved_at > before[0] and collector.key_at > before[1]
        assert pause_left(checks._moved_at, checks._moved_at, checks._moved_at - 1) > 0


async def test_building_sections_ahead_waits_for_a_pause_of_the_keys(make_app, monkeypatch) -> None:
    idle = [0.0]  # seconds since the last key, as the screen would say
    monkeypatch.setattr(RunbookScreen, "keys_idle", lambda self: idle[0])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RunbookScreen))
        switcher = app.screen._switcher
        await pilot.pause(1.5)  # well past the moment building ahead starts
        assert len(switcher.children) == 1  # keys "pressed" all along: only the section on show
        idle[0] = 10.0
        await wait_for(pilot, lambda: len(switcher.children) > 1)


async def test_a_section_first_shown_mounts_a_screenful_then_the_rest(make_app, monkeypatch) -> None:
    monkeypatch.setattr(RunbookScreen, "keys_idle", lambda self: 0.0)  # nothing built ahead
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RunbookScreen))
        screen = app.screen
        switcher = screen._switcher
        await wait_for(pilot, lambda: switcher.size.height > 0)
        window = switcher.window()
        assert window == switcher.size.height + 2 < FIRST_ROWS
        index = screen._section_index(STEPS)
        assert switcher.view(f"view-{index}") is None
        screen.show_section(STEPS)
        view = screen.current_view()
        assert view is not None and view.screenful == window
        later = len(view._pending)  # not given to the view for its first frame
        assert later > 0
        await wait_for(pilot, lambda: view.complete)  # the rest, a batch per frame
        assert len(view.children) == window + later


async def test_metrics_is_built_ahead_and_kept_showing_the_state_as_it_is_now(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.is_screen_installed("kept-metrics"))
        kept = app.get_screen("kept-metrics")
        await wait_for(pilot, lambda: kept.is_mounted)  # before the first `m`
        assert kept not in app.screen_stack
        await pilot.press("m")
        assert app.screen is kept
        await pilot.press("escape")
        assert app.screen is not kept and kept.is_attached  # kept, not taken down
        app.live.record(MetricSample(metric="error_rate", value=8.2, unit="%", status="fail"))
        await pilot.press("m")
        assert app.screen is kept and isinstance(kept, MetricsScreen)
        await pilot.pause()
        assert "8.2" in str(kept.query_one("#service-table", DataTable).get_cell("error_rate", "value"))


class _Bare(App[None]):
    pass


async def test_full_collections_wait_for_a_pause_and_everything_is_undone_on_exit(monkeypatch) -> None:
    thresholds = gc.get_threshold()
    collector = IdleCollector()
    async with _Bare().run_test() as pilot:
        collector.start(pilot.app)
        assert gc.get_freeze_count() > 0  # what existed is out of the collections' walk
        assert gc.get_threshold()[2] == idle_gc.BACKSTOP
        monkeypatch.setattr(idle_gc, "DUE_AFTER", 0)  # a collection is always due
        collector.key()
        collector.tick()
        assert collector.collections == 0  # a key just now: not while the keys come
        collector.key_at -= idle_gc.IDLE_S
        collector.tick()
        assert collector.collections == 1
        collector.stop()
    assert gc.get_threshold() == thresholds and gc.get_freeze_count() == 0
