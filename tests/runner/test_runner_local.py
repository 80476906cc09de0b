"""The runner with real local processes: exit codes, interrupt, output cap, redaction, a flood."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

from omniops_tui.core.events import CommandFinished, CommandOutput, CommandStarted, Event
from omniops_tui.live.run_policy import Policy, Target, plan_run
from omniops_tui.live.runner import CommandRunner, RunOutput
from omniops_tui.runbooks.placeholders import substitute
from omniops_tui.runbooks.safety import classify
from omniops_tui.sessions.recorder import SessionRecorder
from omniops_tui.sessions.redact import build_redactor


def plan_for(code: str):  # type: ignore[no-untyped-def]
    return plan_run(substitute(code), classify(code), Target.local(), Policy())


async def wait_for(condition, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def test_exit_code_output_and_events() -> None:
    events: list[Event] = []
    runner = CommandRunner(record=events.append)
    run = await runner.run(plan_for("echo out; echo err >&2\nprintf 'a\\033]52;c;x\\007b\\n'\nexit 3"), "key")
    assert run.exit_code == 3 and run.finished
    shown = run.hosts[""].output.text()
    assert shown.splitlines()[:2] == ["out", "err"]
    assert "\x1b" not in shown and "␛]52;c;x␇b" in shown  # control characters made visible
    started, *outputs, finished = events
    assert isinstance(started, CommandStarted) and started.target == "local" and started.safety == "read-only"
    assert all(isinstance(e, CommandOutput) for e in outputs)
    assert "".join(e.text for e in outputs).startswith("out\nerr\n")  # type: ignore[attr-defined]
    assert isinstance(finished, CommandFinished) and finished.exit_code == 3 and not finished.interrupted_by


async def test_multi_line_blocks_run_as_one_script(tmp_path: Path) -> None:
    code = (
        "cat > note.txt << 'EOF'\nline $HOME\nEOF\nX=$(wc -l < note.txt) && echo \"lines: $X\" | tr a-z A-Z"
    )
    run = await CommandRunner(cwd=tmp_path).run(plan_for(code), "confirmed")
    assert run.exit_code == 0 and run.hosts[""].output.text() == "LINES: 1"
    assert (tmp_path / "note.txt").read_text() == "line $HOME\n"


async def test_interrupt_stops_a_long_running_command_and_the_rest_of_the_script() -> None:
    events: list[Event] = []
    runner = CommandRunner(record=events.append, grace_s=5)
    run = runner.start(plan_for("echo started; tail -f /dev/null\necho after"), "key")
    await wait_for(lambda: "started" in run.hosts[""].output.text())
    run.interrupt()
    await run.wait()
    assert run.finished and run.exit_code != 0
    assert "after" not in run.hosts[""].output.text()
    finished = [e for e in events if isinstance(e, CommandFinished)]
    assert finished[0].interrupted_by == "user"


async def test_a_process_ignoring_sigint_is_killed_after_the_grace_period() -> None:
    runner = CommandRunner(grace_s=0.2)
    run = runner.start(plan_for("trap '' INT TERM; echo ready; while :; do sleep 0.05; done"), "key")
    await wait_for(lambda: "ready" in run.hosts[""].output.text())
    run.interrupt()
    await asyncio.wait_for(run.wait(), 20)
    assert run.hosts[""].exit_code == 128 + 9


async def test_output_is_capped_for_the_record_with_a_marker() -> None:
    events: list[Event] = []
    runner = CommandRunner(record=events.append, record_cap_bytes=64 * 1024, display_lines=100)
    run = await runner.run(plan_for("seq 1 200000"), "key")
    outputs = [e for e in events if isinstance(e, CommandOutput)]
    recorded = "".join(e.text for e in outputs)
    assert outputs[-1].capped and sum(e.capped for e in outputs) == 1
    assert "output capped at 64 KiB" in recorded and len(recorded.encode()) < 65 * 1024
    host = run.hosts[""]
    assert host.output.total_lines == 200000 and host.output.text().splitlines()[-1] == "200000"
    assert len(host.output.lines) <= 100 and host.output.dropped >= 199900
    finished = next(e for e in events if isinstance(e, CommandFinished))
    assert finished.output_bytes > finished.recorded_bytes == host.recorded_bytes


async def test_a_planted_secret_never_reaches_the_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "sk-live-9f8e7d6c5b4a3921"
    monkeypatch.setenv("OMNIOPS_T_PAYMENT_TOKEN", secret)
    recorder = SessionRecorder.create(tmp_path, [], redactor=build_redactor(None, None))
    runner = CommandRunner(record=recorder.record)
    code = 'seq 1 900; echo "token in output: $OMNIOPS_T_PAYMENT_TOKEN"; seq 1 900; echo Bearer abc.def.ghi'
    run = await runner.run(plan_for(code), "key")
    recorder.close()
    assert secret in run.hosts[""].output.text()  # the engineer sees it on screen…
    text = recorder.path.read_text()
    assert secret not in text and "[REDACTED:OMNIOPS_T_PAYMENT_TOKEN]" in text  # …the record never has it
    assert "abc.def.ghi" not in text
    types = [json.loads(line).get("type") for line in text.splitlines()[1:]]
    assert types[0] == "command_started" and types[-1] == "command_finished"


async def test_a_100mb_flood_keeps_the_runners_memory_bounded() -> None:
    seen: list[int] = []
    runner = CommandRunner(display_lines=2000)
    run = runner.start(plan_for("yes 'flood line of output' | head -c 100000000"), "key")
    host = run.hosts[""]
    host.output.listeners.append(lambda text: seen.append(len(host.output.lines)))
    await asyncio.wait_for(run.wait(), 120)
    assert host.output.total_bytes == 100_000_000
    assert max(seen) <= 2000 and len(host.output.partial) <= 4096
    assert sum(len(line) for line in host.output.lines) < 100_000  # ~50 KB kept of 100 MB
    assert host.recorded_bytes <= runner.record_cap_bytes


def test_run_output_keeps_partial_lines_and_counts_drops() -> None:
    output = RunOutput(max_lines=3)
    for piece in ("a\nb", "c\nd\ne\n", "f"):
        output.feed(piece)
    assert output.text() == "bc\nd\ne\nf" and output.dropped == 1 and output.tail(2) == "e\nf"
