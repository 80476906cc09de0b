"""Regenerate the README's SVG screenshots from the real app, driven through the demo, at 80x24.

    .venv/bin/python docs/screenshots.py

Each shot is the demo driven by keys exactly like a Pilot test, into a throwaway session.
Needs what the demo needs (PostgreSQL and Redis on localhost make the database rows real).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from omniops_tui.options import Options
from omniops_tui.sessions.recorder import Clock
from omniops_tui.ui.demo_runner import prepare_demo_app

OUT = Path(__file__).parent / "screenshots"


class MovableClock(Clock):
    """Lets the banner shot show ten minutes of error spike without waiting ten minutes."""

    def __init__(self) -> None:
        self.offset = 0.0

    def monotonic(self) -> float:
        return time.monotonic() + self.offset

    def wall(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.offset)


async def until(pilot, condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        await pilot.pause(0.1)


def rounds(app) -> int:
    """Metric rounds sampled so far (the live session's metrics service owns the sampler)."""
    return app.live.metrics.rounds if app.live is not None else 0


async def sampled(pilot) -> None:
    app = pilot.app
    before = rounds(app)
    app.live.metrics.sample_now()
    await until(pilot, lambda: rounds(app) > before)
    await pilot.pause(0.5)


def sweeps(app) -> int:
    return app.live.checks.sweeps if app.live is not None else 0


Shot = Callable[[object, MovableClock], Awaitable[None]]


async def home(pilot, clock) -> None:
    await until(pilot, lambda: rounds(pilot.app) >= 1)


async def checklist(pilot, clock) -> None:
    await pilot.press("1", "down", "down", "down", "down", "down", "enter")
    await until(pilot, lambda: sweeps(pilot.app) >= 1)


async def red_checklist(pilot, clock) -> None:
    """Starts in the error spike (see STARTS_IN): the Verification Checklist's items turn red."""
    await pilot.press("1")
    await until(pilot, lambda: sweeps(pilot.app) >= 1)
    await pilot.press("6")
    await pilot.pause(1.0)


async def wizard(pilot, clock) -> None:
    pilot.app.live.switch_scenario("error-spike")
    await sampled(pilot)
    await sampled(pilot)
    await pilot.press("w", "enter")


async def metrics(pilot, clock) -> None:
    for _ in range(3):
        await sampled(pilot)
    pilot.app.live.switch_scenario("error-spike")
    await sampled(pilot)
    await pilot.press("m")


async def banner(pilot, clock) -> None:
    """Starts in the error spike, whose Prometheus history already holds ten minutes of it:
    the criterion fires on the first samples, and R opens Emergency Rollback under the banner."""
    await sampled(pilot)
    await sampled(pilot)
    await pilot.press("R")


async def logs(pilot, clock) -> None:
    pilot.app.live.switch_scenario("error-spike")
    await pilot.press("l")
    await pilot.pause(3)


async def help_screen(pilot, clock) -> None:
    await pilot.press("question_mark")


# Shots whose demo starts in another scenario than healthy (its Prometheus history with it).
STARTS_IN = {"checklist-red": "error-spike", "rollback-banner": "error-spike"}

SHOTS: dict[str, Shot] = {
    "home": home,
    "runbook-checklist": checklist,
    "checklist-red": red_checklist,
    "wizard": wizard,
    "metrics": metrics,
    "rollback-banner": banner,
    "logs": logs,
    "help": help_screen,
}


async def shoot(name: str, scenario: Shot, sessions: Path) -> Path:
    clock = MovableClock()
    app, services = prepare_demo_app(
        Options(None, sessions, None, None, False),
        tour=False,
        session_id=f"docs-{name}",
        clock=clock,
        scenario=STARTS_IN.get(name, "healthy"),
    )
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: rounds(app) >= 1)
            await scenario(pilot, clock)
            await pilot.pause(0.6)
            app.save_screenshot(str(OUT / f"{name}.svg"))
            await pilot.press("ctrl+q")
    finally:
        services.close()
    return Path(app.live.recorder.path)


async def replay_shot(session: Path) -> None:
    from omniops_tui.ui.factory import build_replay_app

    app = build_replay_app(Options(None, session.parent, None, None, False), session, at="+0s")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(2.0)  # the markers are found once the file is indexed behind the screen
        await pilot.press("right_curly_bracket", "right_curly_bracket")
        await pilot.pause(0.6)
        app.save_screenshot(str(OUT / "replay.svg"))


async def main(only: list[str]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        recorded = {}
        for name, scenario in SHOTS.items():
            if only and name not in only:
                continue
            recorded[name] = await shoot(name, scenario, Path(tmp))
            print(OUT / f"{name}.svg")
        if not only or "replay" in only:
            session = recorded.get("checklist-red") or await shoot("checklist-red", red_checklist, Path(tmp))
            await replay_shot(session)
            print(OUT / "replay.svg")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
