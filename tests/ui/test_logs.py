"""Log panes against the sandbox production over real SSH: streaming, filter, pause and resume,
search, a dropped connection and its gap, ERROR highlighting, the record and its cap, replay,
and the screen that explains how to configure hosts."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text

from omniops_tui.core.events import LogLines, LogReconnected
from omniops_tui.live import logs as logs_module
from omniops_tui.live.log_stream import Backoff
from omniops_tui.sandbox import Sandbox
from omniops_tui.ui.app import OmniOpsApp
from omniops_tui.ui.screens.logs import LogsScreen
from omniops_tui.ui.widgets.footer import KeyFooter
from omniops_tui.ui.widgets.log_pane import LogPane, LogView
from tests.ui.conftest import session_events, widget_text

COMBINED = "prod-1:combined.log"


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox(hosts=1, log_rate=50.0) as running:
        yield running


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reconnect after 1 s (long enough to see the disconnected state), never 30 s."""
    monkeypatch.setattr(logs_module, "make_backoff", lambda: Backoff((1.0,), healthy_after=60))


async def wait_for(pilot: Any, condition: Callable[[], bool], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await pilot.pause(0.05)


async def open_logs(pilot: Any, source: str = COMBINED) -> tuple[LogsScreen, LogPane]:
    await pilot.press("l")
    screen = pilot.app.screen
    assert isinstance(screen, LogsScreen)
    pane = next(p for p in screen.panes if p.key == source)
    screen.show_pane(pane)
    await wait_for(pilot, lambda: len(pane.view.lines) >= 100)
    return screen, pane


def status(pane: LogPane) -> str:
    return widget_text(pane.query_one(".pane-status"), width=400)


def with_cap(config: Path, megabytes: float) -> Path:
    config.write_text(f"log_record_cap_mb = {megabytes}\n" + config.read_text())
    return config


async def test_panes_stream_every_source_and_the_session_holds_the_lines(make_app, sandbox, tmp_path) -> None:
    app: OmniOpsApp = make_app(config=sandbox.write_config(tmp_path / "config.toml"))
    async with app.run_test(size=(100, 30)) as pilot:
        screen, pane = await open_logs(pilot)
        assert [p.key for p in screen.panes] == [
            "merged",
            COMBINED,
            "prod-1:error.log",
            "prod-1:docker-compose",
            "prod-1:pm2",
        ]
        seen = len(pane.view.lines)
        await wait_for(pilot, lambda: len(pane.view.lines) > seen + 20)
        assert re.match(r"\d{4}-\d\d-\d\dT[\d:.]+Z (INFO |WARN |ERROR) \[\w+\] ", pane.view.lines[-1])
        await wait_for(pilot, lambda: "streaming" in status(pane) and "received" in status(pane))
        line = status(pane)
        assert "dropped 0" in line and "lag" in line and "following" in line

        await pilot.press("a")  # the merged view, each line with its host and source
        merged = screen.current_pane
        assert merged is not None and merged.key == "merged"
        await wait_for(pilot, lambda: any(x.startswith("prod-1 pm2 │ ") for x in merged.view.lines))
        assert any(x.startswith("prod-1 docker-compose │ app_1  | ") for x in merged.view.lines)
        await pilot.press("2")
        assert screen.current_pane is not None and screen.current_pane.key == "prod-1:error.log"
        await pilot.pause(0.8)
    events = session_events(app)
    recorded = [e for e in events if e["type"] == "log_lines"]
    assert {e["source_id"] for e in recorded} >= {COMBINED, "prod-1:error.log", "prod-1:pm2"}
    combined = [line for e in recorded if e["source_id"] == COMBINED for line in e["lines"]]
    assert len(combined) >= 100 and all(not e["errors_only"] for e in recorded)
    assert any(e["type"] == "screen_opened" and e["screen"] == "logs" for e in events)


async def test_the_filter_narrows_to_matches_with_context_and_survives_a_bad_regex(
    make_app, sandbox, tmp_path
) -> None:
    app: OmniOpsApp = make_app(config=sandbox.write_config(tmp_path / "config.toml"))
    async with app.run_test(size=(100, 30)) as pilot:
        screen, pane = await open_logs(pilot)
        total = len(pane.view.lines)
        await pilot.press("/", *"WARN")
        await wait_for(
            pilot, lambda: pane.filter_pattern is not None and pane.filter_pattern.pattern == "WARN"
        )
        await pilot.press("enter")
        lines = list(pane.view.lines)
        assert 0 < len(lines) < total
        matches = [i for i, line in enumerate(lines) if "WARN" in line]
        assert matches and any("WARN" not in line and line != "--" for line in lines)  # context
        for i, line in enumerate(lines):  # every line is a match, a separator or within 2 of one
            assert line == "--" or min(abs(i - m) for m in matches) <= 2, line
        await wait_for(pilot, lambda: "filter /WARN/" in status(pane))

        await pilot.press("/", "ctrl+u", "(")
        field = screen.query_one("#log-pattern")
        assert field.has_class("invalid")
        assert "invalid regex '(': missing )" in str(field.border_subtitle)
        await pilot.press("enter")  # refused with a message, not a crash; the input stays open
        assert any("invalid regex" in message for message in app.messages_shown)
        assert not field.has_class("hidden")
        assert pane.filter_pattern is None  # the live filter followed the edit to "" (valid)
        await pilot.press("escape")  # cancel: the filter from before the edit comes back
        assert field.has_class("hidden") and pane.filter_pattern.pattern == "WARN"
        await pilot.press("escape")  # clears the filter
        assert pane.filter_pattern is None
        assert len(pane.view.lines) >= total
        await pilot.press("escape")  # back where we came from
        assert not isinstance(app.screen, LogsScreen)


async def test_scrolling_up_pauses_and_the_resume_key_follows_again(make_app, sandbox, tmp_path) -> None:
    app: OmniOpsApp = make_app(config=sandbox.write_config(tmp_path / "config.toml"))
    async with app.run_test(size=(100, 30)) as pilot:
        _screen, pane = await open_logs(pilot)
        await pilot.press("up")
        assert not pane.following
        frozen = list(pane.view.lines)
        await wait_for(pilot, lambda: pane.new_while_paused >= 20)
        await pilot.pause(0.3)
        assert list(pane.view.lines) == frozen  # what is being read stays still
        assert f"paused · {pane.new_while_paused:,} new" in status(pane) or "paused ·" in status(pane)
        waiting = pane.new_while_paused
        await pilot.press("f")
        assert pane.following and pane.view.is_vertical_scroll_end
        assert len(pane.view.lines) >= min(len(frozen) + waiting, pane.buffer.capacity)
        assert "following" in status(pane)

        await pilot.press("p")  # the pause key
        assert not pane.following
        await pilot.press("end")  # the Log's own end key follows too
        assert pane.following


async def test_search_moves_between_matches(make_app, sandbox, tmp_path) -> None:
    app: OmniOpsApp = make_app(config=sandbox.write_config(tmp_path / "config.toml"))
    async with app.run_test(size=(100, 30)) as pilot:
        _screen, pane = await open_logs(pilot)
        await pilot.press("ctrl+f", *"api", "enter")
        view = pane.view
        assert not pane.following and view.current_line is not None
        newest = view.current_line
        assert "[api]" in view.lines[newest]
        assert all("[api]" not in line for line in view.lines[newest + 1 :])
        await pilot.press("N")
        assert view.current_line is not None and view.current_line < newest
        assert "[api]" in view.lines[view.current_line]
        await pilot.press("n")
        assert view.current_line == newest
        text = view.highlighter(Text(view.lines[newest]))
        assert any(span.style == view.log_highlighter.SEARCH for span in text.spans)
        await pilot.press("escape")  # clears the search
        assert pane.search_pattern is None and view.current_line is None


async def test_opening_and_closing_the_search_leaves_the_log_and_the_footer_as_they_are(
    make_app, sandbox, tmp_path
) -> None:
    """The input opens over the log's newest lines, above the status line, so nothing else moves
    or redraws; a focus move hides the keys the input takes and shows them again without
    rebuilding the footer (both were most of a key's cost under a flood): it is one line of text."""
    app: OmniOpsApp = make_app(config=sandbox.write_config(tmp_path / "config.toml"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen, pane = await open_logs(pilot)
        footer = screen.query_one(KeyFooter)
        await pilot.pause()
        keys = footer.shown
        by_action = {key.action: key for key in keys}
        assert "wizard" in by_action and by_action["help"].key == "question_mark"
        assert " ? Help" in str(footer.render()) and not footer.children
        view, status_line = pane.view.region, pane.query_one(".pane-status").region
        await pilot.press("ctrl+f")
        # `w` is the input's now
        await wait_for(pilot, lambda: "wizard" not in {key.action for key in footer.shown})
        field = screen.query_one("#log-pattern").region
        assert pane.view.region == view and pane.query_one(".pane-status").region == status_line
        assert field.bottom == status_line.y and field.y > view.y and field.height == 3
        shown = {key.action: key for key in footer.shown}
        assert "back" in shown  # escape still closes it
        assert shown["help"].key == "f1"  # `?` is the input's
        assert " f1 Help" in str(footer.render())
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.focused, LogView))
        await pilot.pause()
        assert footer.shown == keys and not footer.children


async def test_a_dropped_connection_is_shown_reconnected_and_its_gap_marked(
    make_app, sandbox, tmp_path
) -> None:
    app: OmniOpsApp = make_app(config=sandbox.write_config(tmp_path / "config.toml"))
    async with app.run_test(size=(100, 30)) as pilot:
        _screen, pane = await open_logs(pilot)
        logs = app.ctx.session.state.logs
        await wait_for(pilot, lambda: logs.sources[COMBINED].status == "streaming")
        assert sandbox.drop_ssh_connections() >= 1
        await wait_for(pilot, lambda: "⚡ disconnected" in status(pane))
        assert "reconnecting in" in status(pane)
        await wait_for(pilot, lambda: any(line.startswith("──── gap of") for line in pane.view.lines))
        marker = next(line for line in pane.view.lines if line.startswith("──── gap of"))
        assert "(reconnected after 1 attempt) ────" in marker
        await wait_for(pilot, lambda: "streaming" in status(pane) and "disconnected" not in status(pane))
        index = pane.view.lines.index(marker)
        seen_before = pane.view.lines[:index]
        after = pane.view.lines[index + 1 :]
        assert not set(after) & set(seen_before[-50:])  # re-sent history was skipped
    events = session_events(app)
    down = [e for e in events if e["type"] == "log_disconnected" and e["source_id"] == COMBINED]
    back = [e for e in events if e["type"] == "log_reconnected" and e["source_id"] == COMBINED]
    assert down and down[0]["reason"].startswith("connection lost") and down[0]["host"] == "prod-1"
    assert back and back[0]["attempts"] == 1 and back[0]["gap_s"] >= 0.5
    assert events.index(down[0]) < events.index(back[0])


async def test_error_spike_lines_appear_highlighted(make_app, sandbox, tmp_path) -> None:
    app: OmniOpsApp = make_app(config=sandbox.write_config(tmp_path / "config.toml"))
    async with app.run_test(size=(100, 30)) as pilot:
        _screen, pane = await open_logs(pilot)
        sandbox.set_scenario("error-spike")
        await wait_for(pilot, lambda: any(" ERROR " in line for line in pane.view.lines[-50:]))
        line = next(x for x in reversed(pane.view.lines) if " ERROR " in x)
        text = pane.view.highlighter(Text(line))
        start = line.index("ERROR")
        word = [s for s in text.spans if s.start <= start and s.end >= start + 5 and s.style.bgcolor]
        assert word and word[-1].style.bgcolor is not None and word[-1].style.bgcolor.name == "red"
        assert any(
            s.start == 0 and s.end == len(line) and s.style.color is not None and s.style.color.name == "red"
            for s in text.spans
        )
        calm = next(x for x in pane.view.lines if " INFO " in x)
        assert not any(s.style.bgcolor for s in pane.view.highlighter(Text(calm)).spans)


async def test_past_the_cap_only_error_lines_are_recorded(make_app, tmp_path) -> None:
    async with Sandbox(hosts=1, log_rate=100.0, scenario="error-spike") as sandbox:
        config = with_cap(sandbox.write_config(tmp_path / "config.toml"), 0.001)
        app: OmniOpsApp = make_app(config=config)
        async with app.run_test(size=(100, 30)) as pilot:
            _screen, pane = await open_logs(pilot)

            def capped_then_errors() -> bool:
                events = session_events(app)
                kinds = [e["type"] for e in events]
                return "log_record_capped" in kinds and sum(e.get("errors_only", False) for e in events) >= 3

            await wait_for(pilot, capped_then_errors)
            await wait_for(pilot, lambda: "ERROR lines only" in status(pane))
            assert any("only ERROR lines are recorded" in message for message in app.messages_shown)
    events = session_events(app)
    cap_at = next(i for i, e in enumerate(events) if e["type"] == "log_record_capped")
    assert events[cap_at]["cap_bytes"] == 1000
    before = [e for e in events[:cap_at] if e["type"] == "log_lines"]
    after = [e for e in events[cap_at:] if e["type"] == "log_lines"]
    assert before and sum(len(line.encode()) for e in before for line in e["lines"]) <= 1000
    assert after and all(e["errors_only"] for e in after)
    assert all("ERROR" in line for e in after for line in e["lines"])
    assert [e["type"] for e in events].count("log_record_capped") == 1


async def test_quitting_stops_the_streams_and_ends_the_record(make_app, sandbox, tmp_path) -> None:
    app: OmniOpsApp = make_app(config=sandbox.write_config(tmp_path / "config.toml"))
    async with app.run_test(size=(100, 30)) as pilot:
        _screen, _pane = await open_logs(pilot)
        await pilot.wait_for_scheduled_animations()  # (a key that exits mid-animation hangs the pilot)
        await pilot.press("ctrl+q")
        assert app.live is not None and app.live.logs is not None and not app.live.logs.running
    events = session_events(app)
    assert events[-1]["type"] == "session_ended"
    assert any(e["type"] == "log_lines" for e in events)


async def test_without_hosts_the_screen_says_how_to_configure_them(make_app, tmp_path) -> None:
    app: OmniOpsApp = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")
        screen = app.screen
        assert isinstance(screen, LogsScreen) and not screen.panes and app.live.logs is None
        text = widget_text(screen.query_one("#logs-empty"))
        assert "No log sources configured" in text and "[[env.production.hosts]]" in text
        assert "log_commands" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, LogsScreen)

    config = tmp_path / "hosts.toml"
    config.write_text('[env.prod]\nbase_url = "https://example.com"\n[[env.prod.hosts]]\nname = "prod-1"\n')
    app = make_app(config=config, session_id="with-hosts")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")
        text = widget_text(app.screen.query_one("#logs-empty"))
        assert "(prod-1) have no `logs` or `log_commands`" in text


def record_logs(tmp_path: Path) -> Path:
    """A recording with log lines at +0 s, a reconnect, another source, and more lines at +10 s."""
    from omniops_tui.sessions.recorder import SessionRecorder
    from tests.ui.conftest import ManualClock

    clock = ManualClock()
    recorder = SessionRecorder.create(tmp_path / "recorded", [], session_id="logs", clock=clock)
    recorder.record(LogLines(source_id="prod-1:error.log", host="prod-1", lines=["WARN one", "ERROR two"]))
    recorder.record(LogReconnected(source_id="prod-1:error.log", host="prod-1", gap_s=7, attempts=2))
    recorder.record(LogLines(source_id="prod-1:pm2", host="prod-1", lines=["INFO three"]))
    clock.advance(10)
    recorder.record(LogLines(source_id="prod-1:error.log", host="prod-1", lines=["ERROR four"]))
    clock.advance(5)
    recorder.record(LogLines(source_id="prod-1:pm2", host="prod-1", lines=["INFO five"]))
    recorder.close()
    return recorder.path


async def test_replay_shows_the_recorded_lines_in_the_live_panes(tmp_path: Path) -> None:
    from omniops_tui.options import Options
    from omniops_tui.ui.factory import build_replay_app

    app = build_replay_app(Options(sessions_dir=tmp_path), record_logs(tmp_path), at="+1s")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("l")
        screen = app.screen
        assert isinstance(screen, LogsScreen)
        assert [p.key for p in screen.panes] == ["merged", "prod-1:error.log", "prod-1:pm2"]
        await pilot.press("1")
        await pilot.pause(0.2)
        pane = screen.current_pane
        assert pane is not None and list(pane.view.lines) == [
            "WARN one",
            "ERROR two",
            "──── gap of 7 s (reconnected after 2 attempts) ────",
        ]
        assert "replay" in status(pane)

        app.replay_mode.seek_by(10)  # the player folds the later lines into the same panes
        await wait_for(pilot, lambda: pane.view.lines and pane.view.lines[-1] == "ERROR four")
        await pilot.press("a")
        await pilot.pause(0.2)
        merged = screen.current_pane
        assert merged is not None and merged.view.lines[-1] == "prod-1 error.log │ ERROR four"

        app.replay_mode.seek_by(-6)  # back before the later lines: refilled from the state then
        await wait_for(pilot, lambda: "prod-1 error.log │ ERROR four" not in merged.view.lines)
        assert "prod-1 pm2 │ INFO three" in merged.view.lines


async def test_replay_without_log_lines_yet_shows_them_when_they_come(tmp_path: Path) -> None:
    from omniops_tui.options import Options
    from omniops_tui.sessions.recorder import SessionRecorder
    from omniops_tui.ui.factory import build_replay_app
    from tests.ui.conftest import ManualClock

    clock = ManualClock()
    recorder = SessionRecorder.create(tmp_path / "recorded", [], session_id="late", clock=clock)
    clock.advance(30)
    recorder.record(LogLines(source_id="prod-1:error.log", host="prod-1", lines=["ERROR late"]))
    recorder.close()
    app = build_replay_app(Options(sessions_dir=tmp_path), recorder.path, at="+1s")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("l")
        screen = app.screen
        assert isinstance(screen, LogsScreen) and not screen.panes
        assert "No log lines were recorded" in widget_text(screen.query_one("#logs-empty"))
        app.replay_mode.seek_by(60)
        await wait_for(
            pilot,
            lambda: (
                bool(app.screen.panes)
                and app.screen.panes[0].is_mounted
                and app.screen.panes[0].view.lines == ["ERROR late"]
            ),
        )


async def test_the_help_screen_and_palette_list_the_logs_keys(make_app) -> None:
    from omniops_tui.ui.palette import RunbookCommands
    from omniops_tui.ui.screens.help import screen_groups

    groups = {title: bindings for title, bindings, _ in screen_groups()}
    assert {b.key for b in groups["Logs"]} >= {"slash", "n", "N", "f,end", "p,space"}
    assert any(b.action == "logs" and b.key == "l" for b in groups["Everywhere"])
    app: OmniOpsApp = make_app()
    async with app.run_test(size=(80, 24)):
        entries = [title for title, _, _ in RunbookCommands(app.screen)._entries()]
    assert "Show the logs" in entries


async def test_the_merged_filter_matches_the_log_text_never_the_label(make_app, sandbox, tmp_path) -> None:
    """`/error` in the merged view: error.log's WARN lines carry "error" only in their label."""
    from omniops_tui.core.logbuffer import body
    from omniops_tui.ui.screens.logs import MERGED_KEY

    app: OmniOpsApp = make_app(config=sandbox.write_config(tmp_path / "config.toml"))
    async with app.run_test(size=(100, 30)) as pilot:
        _screen, pane = await open_logs(pilot, MERGED_KEY)

        def label_only() -> bool:  # an error.log line with "error" in its label only
            return any(
                "error.log" in line and "error" not in body(line).lower() for line in pane.buffer.lines()
            )

        await wait_for(pilot, label_only)
        await pilot.press("/", *"error", "enter")
        await wait_for(pilot, lambda: pane.filter_pattern is not None)
        lines = pane.buffer.lines()
        pane.set_filter(pane.filter_pattern)  # counted over exactly these lines
        assert pane.filter_matches == sum(1 for line in lines if re.search("error", body(line), re.I))
        assert pane.filter_matches < sum(1 for line in lines if re.search("error", line, re.I))
