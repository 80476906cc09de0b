"""Live and replay read the same projections (issue 15, "Done means").

A scripted incident runs through the real engine, headless: a `LiveSession` on the bundled
runbooks with a recorder on a manual clock, its log service fed lines and outages as the SSH
streams would feed it, its metrics service given sampling rounds (which evaluates the rollback
criteria and refreshes the wizard's suggestion), and the engineer's intents (wizard answers,
opening a runbook, a tick, a note). At several points the live state is kept; then the file is
replayed by `ReplaySession`, both played event by event and by seeking, and at each point the
replay's state must equal the live one: checklists, log panes (with their buffer size),
criteria, wizard suggestions and answers, notes, everything the screens draw from.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path

from omniops_tui.core.events import CheckResultEvent, MetricSample
from omniops_tui.live.logs import LogsService
from omniops_tui.live.session import LiveSession
from omniops_tui.live.setup import load_setup, open_session
from omniops_tui.options import Options
from omniops_tui.sessions.player import MAX
from omniops_tui.sessions.replay import ReplaySession
from omniops_tui.sessions.state import SessionState
from tests.sessions.conftest import ITEM_ERROR_RATE, PREREQUISITES, ManualClock

BUFFER_LINES = 6  # the environment's log_buffer_lines: smaller than the default on purpose
CONFIG = f"""
default_env = "production"

[env.production]
base_url = "https://prod.example.com"
log_buffer_lines = {BUFFER_LINES}

[[env.production.hosts]]
name = "prod-1"
logs = ["/var/log/app/error.log", "/var/log/app/access.log"]
"""


async def _never_connects(host: object) -> object:
    await asyncio.Event().wait()  # the streams wait; the test feeds the service as they would
    raise AssertionError("not reached")


def _samples(error_rate: float, p95_ms: float, health_ok: float) -> list[MetricSample]:
    red = error_rate > 5
    return [
        MetricSample(metric="error_rate", value=error_rate, unit="%", status="fail" if red else "pass"),
        MetricSample(metric="p95_ms", value=p95_ms, unit="ms", status="pass"),
        MetricSample(metric="health_ok", value=health_ok, unit="", status="pass" if health_ok else "fail"),
    ]


class Script:
    """The engine driven as the services and the keys drive it, with the clock in hand."""

    def __init__(self, tmp_path: Path) -> None:
        config = tmp_path / "config.toml"
        config.write_text(CONFIG, encoding="utf-8")
        self.clock = ManualClock()
        setup = load_setup(Options(sessions_dir=tmp_path / "sessions", config=config))
        self.live = LiveSession(setup, *open_session(setup, session_id="parity", clock=self.clock))
        self.kept: list[tuple[float, int, SessionState]] = []

    def at(self, t: float) -> None:
        self.clock.now = t

    def keep(self) -> None:
        """The live state now, with its time and how many events it has folded."""
        state = self.live.state
        self.kept.append((self.clock.now, state.events_applied, state.snapshot()))

    def sampling_round(self, error_rate: float, p95_ms: float, health_ok: float) -> None:
        samples = _samples(error_rate, p95_ms, health_ok)
        self.live.record_many(samples)
        self.live.metrics.after_round(samples)  # criteria, then the wizard's suggestion


async def run_incident(tmp_path: Path) -> Script:
    script = Script(tmp_path)
    live = script.live
    live.begin()
    live.screen_opened("home")
    logs = LogsService.for_session(live)
    assert logs is not None
    for stream in logs.streams:
        stream.connect = _never_connects
    error_log, access_log = logs.sources
    streams = asyncio.create_task(logs.run())
    try:
        await _until(lambda: live.state.logs.sources)  # `log_streams_started` is recorded
        logs.stream_lines(access_log, [f"GET /api/health 200 #{n}" for n in range(4)])
        logs.stream_lines(error_log, ["INFO worker up"])
        logs.flush()
        script.at(5)
        script.sampling_round(0.05, 180, 1)
        live.wizard.start()
        script.keep()  # healthy: the wizard suggests "no"

        script.at(60)
        script.sampling_round(8.2, 900, 0)
        logs.stream_lines(error_log, [f"ERROR upstream timeout #{n}" for n in range(9)])  # > buffer
        logs.flush()
        logs.stream_disconnected(access_log, "connection lost", 2.0)
        script.keep()  # red: the suggestion turns to "yes"; a pane is down

        script.at(700)
        script.sampling_round(7.9, 950, 0)  # red for over ten minutes: the criterion fires
        logs.stream_reconnected(access_log, 638.0, 4)
        logs.stream_lines(access_log, ["GET /api/health 503"])
        logs.flush()
        assert live.wizard.accept()  # "production down?" answered with the evidence
        script.keep()

        script.at(760)
        runbook = live.open_runbook("emergency-rollback", via="wizard")
        assert runbook is not None
        live.screen_opened("runbook", runbook.id, "prerequisites-checklist")
        item = next(i for i in runbook.checklist_items() if i.id == PREREQUISITES[0])
        live.set_item(item, True)
        live.record(
            CheckResultEvent(
                check_id="error_rate",
                kind="http_json",
                status="fail",
                value=7.9,
                unit="%",
                summary="error rate 7.9% > 5%",
                item_ids=[ITEM_ERROR_RATE],
            )
        )
        live.add_note("rolling back to v1.2.0", runbook.id, "prerequisites-checklist")
        script.keep()

        script.at(1500)
        script.sampling_round(0.04, 170, 1)  # recovered: the criterion clears
        live.wizard.answer(False)  # "complete outage?" no: Emergency Rollback recommended
        script.keep()
    finally:
        streams.cancel()
        await asyncio.gather(streams, return_exceptions=True)
    script.at(1510)
    live.end("exit")
    return script


async def _until(condition: Callable[[], object]) -> None:
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the log service did not start")


async def test_replay_shows_what_the_live_session_showed_at_every_point(tmp_path: Path) -> None:
    script = await run_incident(tmp_path)
    live_states = script.kept
    final = live_states[-1][2]
    # The story happened: the criterion fired and cleared, the wizard suggested both ways and
    # recommended, the panes hold the environment's number of lines.
    assert "error-rate" in live_states[2][2].criteria.firing
    assert "error-rate" not in final.criteria.firing
    suggested = [state.wizard.suggestion for _t, _n, state in live_states[:2]]
    assert [s.suggested for s in suggested if s is not None] == [False, True]
    assert final.wizard.recommendation is not None
    assert final.logs.capacity == BUFFER_LINES
    assert len(live_states[1][2].logs.sources["prod-1:error.log"].buffer.lines()) == BUFFER_LINES

    # Played event by event, as the timeline bar plays it (the same fold as live, incrementally).
    played, notices = ReplaySession.open(script.live.session_path, speed=MAX)
    assert not notices, notices
    assert played.basis.criteria == script.live.basis.criteria
    assert played.basis.tree == script.live.basis.tree
    played.player.max_batch = 1
    played.start()
    for t, applied, live_state in live_states:
        while played.state.events_applied < applied:
            played.tick()
        assert played.state.events_applied == applied
        assert played.state == live_state, f"played replay differs from live at +{t:g}s"

    # Sought to each moment, as `g` and the markers do (a checkpoint, then the fold).
    sought, _ = ReplaySession.open(script.live.session_path)
    for t, _applied, live_state in reversed(live_states):
        assert sought.seek_to(f"+{int(t)}s") == ""
        assert sought.state == live_state, f"sought replay differs from live at +{t:g}s"

    # The end: the live panes said "stopped" when the streams stopped; the record says it with
    # `session_ended` (written by the recorder, not folded live), so the replay's last frame
    # shows what the live screens showed last. Only the event counters differ, by that event.
    while not played.player.finished:
        played.tick()
    ended = script.live.state
    for name in (f.name for f in fields(SessionState)):
        if name not in ("events_applied", "last_event", "milestones"):
            assert getattr(played.state, name) == getattr(ended, name), name
    assert {s.status for s in played.state.logs.sources.values()} == {"stopped"}
