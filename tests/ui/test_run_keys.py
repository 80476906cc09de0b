"""`x` on the runbook screen, driven like an engineer: class, target, confirmation, the output
pane, ctrl+c, ticks from runs, `v` and `c`, and a run's output in replay."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from omniops_tui.options import Options
from omniops_tui.ui.app import OmniOpsApp
from omniops_tui.ui.factory import build_app, build_replay_app
from omniops_tui.ui.screens.run_dialogs import PlaceholderDialog, RunDialog, TickOfferDialog
from omniops_tui.ui.screens.runbook import RunbookScreen
from omniops_tui.ui.screens.timeline import TimelineScreen
from omniops_tui.ui.widgets.command_row import SUBSTITUTED, CommandRow
from omniops_tui.ui.widgets.run_pane import RunPane
from omniops_tui.ui.widgets.runbook_rows import HeadingRow
from tests.runner.drill import TESTS_ITEM, block, write_drill
from tests.ui.conftest import session_events, wait_for, widget_text


def drill_app(tmp_path: Path, *, config: Path | None = None, read_only: bool = False) -> OmniOpsApp:
    options = Options(
        runbooks=write_drill(tmp_path / "team"),
        sessions_dir=tmp_path / "sessions",
        config=config,
        read_only=read_only,
    )
    return build_app(options, session_id="run-test")


async def open_drill(pilot: Any) -> RunbookScreen:
    await pilot.press("enter")  # the only runbook
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, RunbookScreen))
    screen = pilot.app.screen
    await pilot.press("right")
    await pilot.pause()
    return screen


async def highlight(pilot: Any, screen: RunbookScreen, step: str, *, heading: bool = False) -> None:
    """Put the cursor on a step's command block (or on its heading)."""
    view = screen.current_view()
    for index, child in enumerate(view.children):
        if isinstance(child, CommandRow) and child.block.id == block(step):
            view.index = index - 1 if heading else index
            break
    else:
        raise AssertionError(f"no block {step}")
    view.focus()
    await pilot.pause()


async def press_x(pilot: Any, screen: RunbookScreen, step: str, *then: str) -> None:
    """x on a step's block (and the keys that follow: the confirmation)."""
    await highlight(pilot, screen, step)
    await pilot.press("x", *then)


def pane_lines(screen: RunbookScreen) -> list[str]:
    panes = list(screen.query(RunPane))
    if not panes or not panes[0].is_mounted:  # a screen just pushed (a replay following)
        return []
    return [str(line) for line in panes[0].log_view.lines]


async def wait_for_end(pilot: Any, screen: RunbookScreen, timeout: float = 30) -> None:
    pane = screen.run_pane
    await wait_for(pilot, lambda: pane.record is not None and pane.record.done and not pane.live, timeout)
    await wait_for(
        pilot, lambda: any("──── exit" in line or "could not run" in line for line in pane_lines(screen))
    )


async def test_a_read_only_block_runs_on_one_key_and_streams_into_the_pane(tmp_path: Path) -> None:
    app = drill_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_drill(pilot)
        pane = screen.query_one(RunPane)
        assert not pane.display  # hidden until there is a run
        await press_x(pilot, screen, "step-1-say-hello")
        dialog = app.screen
        assert isinstance(dialog, RunDialog)
        assert "READ-ONLY" in widget_text(dialog.query_one("#run-class"))
        assert "Run it locally, on this machine?" in widget_text(dialog.query_one("#run-prompt"))
        await pilot.press("enter")  # the one key
        assert app.screen is screen
        await wait_for_end(pilot, screen)
        assert pane.display and "hello from sessions" in pane_lines(screen)  # run in the session's folder
        assert pane_lines(screen)[-1].startswith("──── exit 0 after")
        assert "exit 0 in" in str(pane.border_subtitle) and "step-1-say-hello on local" in str(
            pane.border_title
        )

        await highlight(pilot, screen, "step-7-run-the-tests", heading=True)
        assert isinstance(screen.current_row(), HeadingRow)
        await pilot.press("x", "y")  # on the step's heading: its block; y runs a read-only one too
        await wait_for(
            pilot,
            lambda: pane.record is not None and pane.record.started.block_id == block("step-7-run-the-tests"),
        )
        await wait_for_end(pilot, screen)
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TimelineScreen)
        timeline = widget_text(app.screen.query_one("#timeline-table"))
        assert "▶ Ran step-1-say-hello on local (read-only, key)" in timeline
        assert "exit 0 after" in timeline and "command output" not in timeline
    started = [e for e in session_events(app) if e["type"] == "command_started"]
    assert [e["block_id"] for e in started] == [block("step-1-say-hello"), block("step-7-run-the-tests")]
    assert started[0]["confirmation"] == "key" and started[0]["via"] == "ui"


async def test_a_changing_block_names_its_targets_and_a_group_prefixes_each_host(
    tmp_path: Path, sandbox: Any
) -> None:
    config = sandbox.write_config(tmp_path / "sandbox.toml")
    hosts = [host.name for host in sandbox.hosts]
    app = drill_app(tmp_path, config=config)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_drill(pilot)
        await press_x(pilot, screen, "step-3-restart-the-app")
        dialog = app.screen
        assert isinstance(dialog, RunDialog)
        assert "CHANGES SOMETHING" in widget_text(dialog.query_one("#run-class"))
        prompt = lambda: widget_text(dialog.query_one("#run-prompt"))  # noqa: E731
        assert f"Run it on {', '.join(hosts)}?" in prompt()  # pm2 runs on the hosts by default
        await pilot.press("up")  # the last host alone
        assert f"Run it on {hosts[-1]}?" in prompt()
        await pilot.press("down")
        await pilot.press("enter")  # not enough for a block that changes something
        assert app.screen is dialog
        await pilot.press("y")
        assert app.screen is screen
        await wait_for_end(pilot, screen)
        lines = pane_lines(screen)
        for host in hosts:
            assert any(line.startswith(f"{host} │ ") and "restart" in line.lower() for line in lines), lines
            assert any(line.startswith(f"{host} │ ──── exit 0") for line in lines)
    started = next(e for e in session_events(app) if e["type"] == "command_started")
    assert started["hosts"] == hosts and started["confirmation"] == "confirmed"


async def test_a_destructive_block_runs_only_with_the_name_typed_in_full(tmp_path: Path) -> None:
    app = drill_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_drill(pilot)
        await press_x(pilot, screen, "step-4-wipe-the-scratch-folder")
        dialog = app.screen
        assert isinstance(dialog, RunDialog)
        assert "DESTRUCTIVE" in widget_text(dialog.query_one("#run-class"))
        await pilot.press("y", "enter")  # y is text here, and not the name
        assert app.screen is dialog and "type local in full" in widget_text(dialog.query_one("#run-prompt"))
        assert app.ctx.session.state.commands.runs == {}
        await pilot.press("backspace", *"local", "enter")
        assert app.screen is screen
        await wait_for_end(pilot, screen)
    started = next(e for e in session_events(app) if e["type"] == "command_started")
    assert started["confirmation"] == "typed:local" and started["safety"] == "destructive"


async def test_read_only_mode_and_interactive_blocks_are_refused_saying_why(tmp_path: Path) -> None:
    app = drill_app(tmp_path, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_drill(pilot)
        await press_x(pilot, screen, "step-3-restart-the-app")
        assert app.screen is screen  # no dialog: refused at once
        assert any("Not run: read-only mode (--read-only)" in m for m in app.messages_shown)
        await press_x(pilot, screen, "step-6-database-shell")
        assert app.screen is screen
        assert any("interactive: psql without -c" in m and "copy it instead" in m for m in app.messages_shown)
        await press_x(pilot, screen, "step-1-say-hello")
        assert isinstance(app.screen, RunDialog)  # read-only blocks still run
        await pilot.press("escape")
    refused = [e for e in session_events(app) if e["type"] == "command_refused"]
    assert [e["block_id"] for e in refused] == [
        block("step-3-restart-the-app"),
        block("step-6-database-shell"),
    ]
    assert "read-only mode (--read-only)" in refused[0]["reason"]
    assert not any(e["type"] == "command_started" for e in session_events(app))


async def test_an_unresolved_placeholder_is_asked_for_first_and_recorded_as_typed(tmp_path: Path) -> None:
    app = drill_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_drill(pilot)
        await highlight(pilot, screen, "step-2-check-the-domain")
        row = screen.current_row()
        assert isinstance(row, CommandRow) and "needs 1 value(s)" in row.keys_text()
        await pilot.press("x")
        assert isinstance(app.screen, PlaceholderDialog)
        await pilot.press(*"https://shop.example.org", "enter")
        dialog = app.screen
        assert isinstance(dialog, RunDialog)
        assert "https://shop.example.org/api/health" in widget_text(dialog.query_one("#run-command"))
        await pilot.press("enter")
        await wait_for_end(pilot, screen)
        assert "would check https://shop.example.org/api/health" in pane_lines(screen)
    started = next(e for e in session_events(app) if e["type"] == "command_started")
    assert started["placeholders"] == [
        {"placeholder": "https://yourdomain.com", "value": "https://shop.example.org", "source": "typed"}
    ]


async def test_ctrl_c_stops_a_long_running_command(tmp_path: Path) -> None:
    app = drill_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_drill(pilot)
        await highlight(pilot, screen, "step-5-follow")
        assert "runs until stopped" in screen.current_row().title_text()
        await pilot.press("x", "enter")
        await wait_for(pilot, lambda: "following" in pane_lines(screen))
        assert screen.run_pane.live
        await pilot.press("x")  # one run at a time on a screen
        assert app.screen is screen and any("ctrl+c stops it" in m for m in app.messages_shown)
        await pilot.press("ctrl+c")
        await wait_for_end(pilot, screen)
        assert "interrupted: user" in str(screen.run_pane.border_subtitle)
    finished = next(e for e in session_events(app) if e["type"] == "command_finished")
    assert finished["interrupted_by"] == "user"


async def test_runs_tick_their_bound_items_or_offer_the_tick(tmp_path: Path) -> None:
    app = drill_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_drill(pilot)
        state = app.ctx.session.state
        await press_x(pilot, screen, "step-7-run-the-tests", "enter")
        await wait_for(pilot, lambda: state.is_done(TESTS_ITEM))  # exact bound command: ticked
        await wait_for_end(pilot, screen)
        await pilot.pause(0.2)
        assert app.screen is screen  # nothing to offer
        app.live.set_item(app.live.setup.runbooks.items_by_id()[TESTS_ITEM], False)
        await press_x(pilot, screen, "step-8-prepare-and-test", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TickOfferDialog))
        assert not state.is_done(TESTS_ITEM)
        await pilot.press("y")
        assert state.is_done(TESTS_ITEM)
    ticks = [e for e in session_events(app) if e["type"] == "item_checked"]
    assert [t["source"] for t in ticks] == ["run", "run"] and all("exited 0" in t["reason"] for t in ticks)


async def test_substituted_values_are_highlighted_v_shows_the_original_and_c_copies(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[env.prod]\nbase_url = "https://shop.example.org"\n', encoding="utf-8")
    app = drill_app(tmp_path, config=config)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_drill(pilot)
        rows = {row.block.id: row for row in screen.current_view().query(CommandRow)}
        assert rows[block("step-1-say-hello")].title_text() == "bash · read-only"
        assert rows[block("step-3-restart-the-app")].title_text() == "bash · changes something"
        assert rows[block("step-4-wipe-the-scratch-folder")].title_text() == "bash · ⚠ DESTRUCTIVE"
        assert rows[block("step-4-wipe-the-scratch-folder")].has_class("destructive")
        row = rows[block("step-2-check-the-domain")]
        shown = row.body_text()
        start = shown.plain.index("https://shop.example.org")
        assert any(s.style == SUBSTITUTED and s.start == start for s in shown.spans)
        await highlight(pilot, screen, "step-2-check-the-domain")
        await pilot.press("v")
        assert "https://yourdomain.com/api/health" in widget_text(row.query_one(".command-body"))
        assert "v substituted" in row.keys_text()
        await pilot.press("c")  # copies the substituted text either way
        assert app.clipboard == 'echo "would check https://shop.example.org/api/health"'
        await pilot.press("v")
        assert "https://shop.example.org/api/health" in widget_text(row.query_one(".command-body"))
    copied = next(e for e in session_events(app) if e["type"] == "command_copied")
    assert copied["command"] == app.clipboard


async def test_a_100_mb_flood_keeps_the_keys_answering_and_memory_bounded(tmp_path: Path) -> None:
    from textual import events

    from omniops_tui.sessions.projections.commands import OUTPUT_CHARS
    from omniops_tui.ui.widgets.run_pane import MAX_LINES

    app = drill_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_drill(pilot)
        await press_x(pilot, screen, "step-10-endless-flood", "enter")
        pane = screen.run_pane
        await wait_for(pilot, lambda: pane.lines_received > 0)
        run = app.live.runs.run(pane.run_id)
        assert run is not None
        flowed = lambda: run.hosts[""].output.total_bytes  # noqa: E731
        answered = 0
        while answered < 3 or flowed() < 100_000_000:  # the flood is endless: keys during it
            before = screen.original_commands
            app.post_message(events.Key("v", "v"))  # a key in the flood: it must take effect
            await wait_for(pilot, lambda before=before: screen.original_commands != before, timeout=30)
            assert pane.live  # while the output is still pouring in
            answered += 1
        assert answered >= 3
        await pilot.press("ctrl+c")
        await wait_for_end(pilot, screen, timeout=60)
        record = pane.record
        assert record is not None and record.finished[""].output_bytes >= 100_000_000
        assert record.finished[""].interrupted_by == "user"
        assert pane.log_view.line_count <= MAX_LINES  # memory: the pane, the fold, the runner
        assert record.kept_chars[""] <= OUTPUT_CHARS
        assert len(run.hosts[""].output.lines) <= run.hosts[""].output.lines.maxlen
    size = Path(app.live.recorder.path).stat().st_size
    assert size < 1_000_000  # the record keeps the per-run cap, not the flood
    outputs = [e for e in session_events(app) if e["type"] == "command_output"]
    assert outputs[-1]["capped"] and "output capped at 256 KiB" in outputs[-1]["text"]


async def test_hostile_output_is_shown_as_text(tmp_path: Path) -> None:
    app = drill_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_drill(pilot)
        await press_x(pilot, screen, "step-11-hostile-output", "enter")
        await wait_for_end(pilot, screen)
        assert "a␛]52;c;eA==␇b [/x] [@click=app.quit]" in pane_lines(screen)  # visible, not markup
        assert app.is_running and app.clipboard == ""  # nothing was interpreted
    recorded = next(e for e in session_events(app) if e["type"] == "command_output")
    assert "\x1b]52" in recorded["text"]  # the record keeps what came (readers make it visible)


async def test_replay_shows_the_run_output_in_the_same_pane(tmp_path: Path) -> None:
    app = drill_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_drill(pilot)
        await press_x(pilot, screen, "step-1-say-hello", "enter")
        await wait_for_end(pilot, screen)
        await pilot.press("ctrl+q")
    path = Path(app.live.recorder.path)
    assert json.loads(path.read_text().splitlines()[-1])["type"] == "session_ended"
    options = Options(runbooks=tmp_path / "team" / "drill.md", sessions_dir=tmp_path / "sessions")
    replay = build_replay_app(options, path, speed=float("inf"))
    async with replay.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: replay.replay_mode.replay.player.finished)
        await wait_for(pilot, lambda: isinstance(replay.screen, RunbookScreen))
        shown = replay.screen
        await wait_for(pilot, lambda: "hello from sessions" in pane_lines(shown))
        assert pane_lines(shown)[-1].startswith("──── exit 0 after")
        replay.replay_mode.seek_fraction(0.0)  # before the run: no output to show
        await wait_for(pilot, lambda: not shown.run_pane.display and not shown.run_pane.run_id)
        replay.replay_mode.seek_fraction(1.0)  # after it: the same pane again, from the record
        await wait_for(pilot, lambda: "hello from sessions" in pane_lines(shown) and shown.run_pane.display)
        await pilot.press("x")
        assert replay.screen is shown and not shown.run_pane.live  # replay is read-only
