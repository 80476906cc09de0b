"""`LiveSession.runs`, the engine half of `x`: plan, confirm, start, stop, what a run ticks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from omniops_tui.core.events import CommandOutput, CommandStarted
from omniops_tui.live.run_policy import Refused
from omniops_tui.live.session import LiveSession
from omniops_tui.live.setup import load_setup, open_session
from omniops_tui.options import Options
from omniops_tui.runbooks.model import CommandBlock
from omniops_tui.sessions.projections import commands
from omniops_tui.sessions.projections.commands import CommandHistory
from tests.runner.drill import RUNBOOK, TESTS_ITEM, block, write_drill
from tests.runner.test_runner_local import wait_for


def live_session(tmp_path: Path, *, config: str = "", read_only: bool = False) -> LiveSession:
    runbooks = write_drill(tmp_path / "team")
    config_path = None
    if config:
        config_path = tmp_path / "config.toml"
        config_path.write_text(config, encoding="utf-8")
    options = Options(
        runbooks=runbooks, sessions_dir=tmp_path / "sessions", config=config_path, read_only=read_only
    )
    setup = load_setup(options)
    recorder, state = open_session(setup)
    session = LiveSession(setup, recorder, state)
    session.begin()
    return session


def code_block(session: LiveSession, step: str) -> CommandBlock:
    runbook = session.setup.runbooks.get(RUNBOOK)
    assert runbook is not None
    return next(b for b in runbook.command_blocks() if b.id == block(step))


def recorded(session: LiveSession) -> list[dict[str, Any]]:
    lines = Path(session.recorder.path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines[1:]]


async def test_a_read_only_block_runs_in_the_session_folder_and_is_recorded(tmp_path: Path) -> None:
    session = live_session(tmp_path)
    plan = session.runs.plan_block(code_block(session, "step-1-say-hello"), RUNBOOK)
    assert plan.confirm == "key" and plan.target.kind == "local" and not plan.refusal
    run = await session.runs.start(plan, True).wait()
    assert session.runner is session.runs.runner  # one runner per session, made at the first run
    assert run.exit_code == 0 and "hello from sessions" in run.hosts[""].output.text()
    record = session.state.commands.latest(block("step-1-say-hello"))
    assert record is not None and record.exit_code == 0 and "hello from sessions" in record.text()
    await session.aclose("test")
    started = next(e for e in recorded(session) if e["type"] == "command_started")
    assert started["confirmation"] == "key" and started["via"] == "ui" and started["target"] == "local"
    assert started["runbook_id"] == RUNBOOK and started["safety"] == "read-only"
    assert [e["type"] for e in recorded(session)][-2:] == ["command_finished", "session_ended"]


async def test_local_runs_start_in_the_configured_run_dir(tmp_path: Path) -> None:
    session = live_session(tmp_path, config=f'run_dir = "{tmp_path / "work"}"\n')
    plan = session.runs.plan_block(code_block(session, "step-1-say-hello"), RUNBOOK)
    run = await session.runs.start(plan, True).wait()
    assert "hello from work" in run.hosts[""].output.text()
    await session.aclose("test")


async def test_a_wrong_typed_name_is_refused_and_recorded(tmp_path: Path) -> None:
    session = live_session(tmp_path)
    plan = session.runs.plan_block(code_block(session, "step-4-wipe-the-scratch-folder"), RUNBOOK)
    assert plan.confirm == "type" and plan.expected == "local"  # no environment: the bastion's name
    with pytest.raises(Refused, match="type local in full"):
        session.runs.start(plan, "loca")
    with pytest.raises(Refused):
        session.runs.start(plan, True)  # one key is not enough for a destructive block
    assert session.runs.running == [] and session.state.commands.runs == {}
    run = await session.runs.start(plan, "local").wait()
    assert run.exit_code == 0 and run.started is not None and run.started.confirmation == "typed:local"
    await session.aclose("test")
    refused = [e for e in recorded(session) if e["type"] == "command_refused"]
    assert len(refused) == 2 and "type local in full" in refused[0]["reason"]
    assert refused[0]["safety"] == "destructive" and refused[0]["block_id"] == block(
        "step-4-wipe-the-scratch-folder"
    )


async def test_read_only_mode_and_run_off_refuse_with_the_reason(tmp_path: Path) -> None:
    session = live_session(tmp_path, read_only=True)
    restart = session.runs.plan_block(code_block(session, "step-3-restart-the-app"), RUNBOOK)
    assert "read-only mode (--read-only)" in restart.refusal and restart.confirm == "none"
    hello = session.runs.plan_block(code_block(session, "step-1-say-hello"), RUNBOOK)
    assert not hello.refusal  # read-only blocks still run
    session.runs.refuse(restart, restart.refusal)
    assert session.state.commands.refused[-1].reason == restart.refusal
    off = live_session(tmp_path / "off", config='[env.prod]\nbase_url = "https://example.org"\nrun = "off"\n')
    assert (
        "running commands is off" in off.runs.plan_block(code_block(off, "step-1-say-hello"), RUNBOOK).refusal
    )


async def test_output_past_the_record_cap_is_folded_for_the_pane_not_written(tmp_path: Path) -> None:
    session = live_session(tmp_path)
    session.runs.runner.record_cap_bytes = 4096
    plan = session.runs.plan_block(code_block(session, "step-9-flood"), RUNBOOK)
    run = await session.runs.start(plan, True).wait()
    assert run.exit_code == 0
    record = session.state.commands.latest(block("step-9-flood"))
    assert record is not None and record.capped
    assert record.text().count("y\n") == 100_000  # everything is shown …
    await session.aclose("test")
    written = [e for e in recorded(session) if e["type"] == "command_output"]
    assert sum(len(e["text"]) for e in written) < 4096 + 200  # … the record keeps the cap
    assert written[-1]["capped"] and "output capped at 4 KiB" in written[-1]["text"]


async def test_an_exact_bound_command_ticks_its_item_and_a_block_containing_it_offers(tmp_path: Path) -> None:
    session = live_session(tmp_path)
    runs = session.runs
    run = await runs.start(runs.plan_block(code_block(session, "step-7-run-the-tests"), RUNBOOK), True).wait()
    await wait_for(lambda: session.state.is_done(TESTS_ITEM))
    tick = session.state.items[TESTS_ITEM]
    assert tick.manual and "`echo tests-ok` exited 0 on local" in tick.manual_reason
    assert runs.take_offers(run.run_id) == ()  # ticked, not offered

    session.set_item(session.setup.runbooks.items_by_id()[TESTS_ITEM], False)
    run = await runs.start(
        runs.plan_block(code_block(session, "step-8-prepare-and-test"), RUNBOOK), True
    ).wait()
    assert not session.state.is_done(TESTS_ITEM)  # a block that contains the command only offers
    (offer,) = runs.take_offers(run.run_id)
    assert offer.item.id == TESTS_ITEM and run.run_id in offer.evidence and "tests-ok" in offer.evidence
    assert runs.take_offers(run.run_id) == ()  # offered once
    runs.tick_from_run(offer)
    assert session.state.is_done(TESTS_ITEM)
    await session.aclose("test")
    ticks = [e for e in recorded(session) if e["type"] == "item_checked"]
    assert [t["source"] for t in ticks] == ["run", "run"]


async def test_a_bound_item_runs_its_own_command(tmp_path: Path) -> None:
    session = live_session(tmp_path)
    item = session.setup.runbooks.items_by_id()[TESTS_ITEM]
    plan = session.runs.plan_item(item)
    assert plan is not None and plan.command == "echo tests-ok" and plan.item_id == TESTS_ITEM
    notes = session.setup.runbooks.items_by_id()["run-drill/checklist/release-notes-written"]
    assert session.runs.plan_item(notes) is None
    run = await session.runs.start(plan, True).wait()
    await wait_for(lambda: session.state.is_done(TESTS_ITEM))
    assert run.started is not None and run.started.item_id == TESTS_ITEM
    await session.aclose("test")


async def test_interrupt_and_session_end_stop_long_running_commands(tmp_path: Path) -> None:
    session = live_session(tmp_path)
    runs = session.runs
    plan = runs.plan_block(code_block(session, "step-5-follow"), RUNBOOK)
    assert plan.classification.long_running
    first = runs.start(plan, True)
    await wait_for(lambda: "following" in first.hosts[""].output.text())
    assert runs.interrupt(first.run_id) and not runs.interrupt("run-unknown")
    await first.wait()
    assert first.hosts[""].interrupted_by == "user"
    second = runs.start(plan, True)
    await wait_for(lambda: "following" in second.hosts[""].output.text())
    await session.aclose("quit")  # the session ends: the run is stopped and its end recorded
    assert second.finished and second.hosts[""].interrupted_by == "shutdown"
    types = [e["type"] for e in recorded(session)]
    assert types[-2:] == ["command_finished", "session_ended"]
    with pytest.raises(Refused, match="session has ended"):
        runs.start(plan, True)


def test_the_fold_keeps_a_bounded_tail_and_says_what_a_slow_reader_missed() -> None:
    history = CommandHistory()
    commands.started(history, CommandStarted(run_id="r1", block_id="b"))
    for index in range(commands.OUTPUT_CHUNKS + 50):
        commands.output(history, CommandOutput(run_id="r1", text=f"{index}\n"))
    run = history.runs["r1"]
    assert run.received[""] == commands.OUTPUT_CHUNKS + 50 and len(run.output[""]) == commands.OUTPUT_CHUNKS
    chunks, lost = run.chunks_since("", 10)
    assert lost == 40 and chunks[0] == "50\n" and chunks[-1] == f"{commands.OUTPUT_CHUNKS + 49}\n"
    assert run.chunks_since("", run.received[""]) == ([], 0)
    big = "x" * (commands.OUTPUT_CHARS // 2)
    for _ in range(5):
        commands.output(history, CommandOutput(run_id="r1", text=big))
    assert run.kept_chars[""] <= commands.OUTPUT_CHARS and run.text().endswith(big)
    copy = run.copy()
    assert copy.received == run.received and copy.text() == run.text()


async def test_output_followed_by_silence_reaches_the_record_without_waiting_for_more() -> None:
    from omniops_tui.core.events import Event
    from omniops_tui.live.runner import CommandRunner
    from tests.runner.test_runner_local import plan_for

    events: list[Event] = []
    runner = CommandRunner(record=events.append, grace_s=5)
    run = runner.start(plan_for("echo started; printf 'no end yet'; tail -f /dev/null"), "key")
    recorded_text = lambda: "".join(e.text for e in events if isinstance(e, CommandOutput))  # noqa: E731
    await wait_for(lambda: recorded_text() == "started\n")  # a whole line goes out on a timer
    run.interrupt()
    await run.wait()
    assert recorded_text() == "started\nno end yet"  # the partial line went with the end


async def test_no_local_run_outlives_a_session_that_ends_without_aclose(tmp_path: Path) -> None:
    session = live_session(tmp_path)
    run = session.runs.start(session.runs.plan_block(code_block(session, "step-5-follow"), RUNBOOK), True)
    await wait_for(lambda: "following" in run.hosts[""].output.text())
    session.end("crash")  # the last resort of every exit path: synchronous
    await run.wait()
    assert run.hosts[""].exit_code == 137  # killed, as a shell says
    assert recorded(session)[-1]["type"] == "session_ended"  # nothing written after the end
