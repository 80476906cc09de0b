"""Runs `omniops-tui demo`: start the demo services, build the ordinary app against the config
they wrote, and always clean up (exit, ctrl+c, SIGTERM, crash)."""

from __future__ import annotations

import atexit
import contextlib
import shutil
import signal
import sys
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omniops_tui.config.locations import state_dir
from omniops_tui.live.hangup import at_exit_deadline
from omniops_tui.options import Options
from omniops_tui.ui.crash_guard import CrashGuard

if TYPE_CHECKING:
    from omniops_tui.sandbox.demo import DemoServices
    from omniops_tui.sessions.recorder import Clock
    from omniops_tui.ui.app import OmniOpsApp

TOUR_MARKER = "tour-done"


def tour_marker() -> Path:
    return state_dir() / TOUR_MARKER


def prepare_demo_app(
    options: Options,
    *,
    database_url: str | None = None,
    redis_url: str | None = None,
    hosts: int = 2,
    scenario: str = "healthy",
    with_s3: bool = True,
    with_prometheus: bool = True,
    tour: bool | None = None,
    session_id: str = "",
    clock: Clock | None = None,
) -> tuple[OmniOpsApp, DemoServices]:
    """The demo's services and the app wired to them (the tests drive exactly this).

    Prometheus is on by default: when the `prometheus` binary is installed the figures, and
    30 minutes of their history, come from a throwaway server scraping the sandbox, as they
    would from a team's own; without it the demo says so and the probes measure everything.
    """
    from omniops_tui.sandbox.demo import start_demo
    from omniops_tui.ui.factory import build_app

    services = start_demo(
        database_url=database_url,
        redis_url=redis_url,
        hosts=hosts,
        scenario=scenario,
        with_s3=with_s3,
        with_prometheus=with_prometheus,
    )
    atexit.register(services.close)  # the last resort; close() is idempotent
    marker = tour_marker()
    show_tour = tour if tour is not None else not marker.exists()
    status = services.status
    notices = [
        line
        for ok, line in (
            (status.database_ok, status.database),
            (status.redis_ok, status.redis),
            (status.s3_ok, status.s3),
            (status.prometheus_ok or not with_prometheus, status.prometheus),
        )
        if not ok
    ]
    try:
        demo_options = replace(options, config=services.config_path, env="demo")
        app = build_app(
            demo_options,
            session_id=session_id,
            clock=clock,
            demo=services,
            notices=notices,
            show_tour=show_tour,
        )
    except BaseException:
        services.close()
        raise
    if show_tour:
        with contextlib.suppress(OSError):
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
    return app, services


def run_demo(options: Options, **kwargs: Any) -> None:
    previous = signal.getsignal(signal.SIGTERM)

    def terminate(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)  # unwinds through the finally below: nothing is left behind

    signal.signal(signal.SIGTERM, terminate)
    services = None
    forget: list[Callable[[], None]] = []
    try:
        app, services = prepare_demo_app(options, **kwargs)
        guard = CrashGuard.install(app)  # a crash is a private report, not locals on screen
        # A hang-up may end the process before the cleanup below has run: the folder holding
        # the sandbox's private key goes anyway (live/hangup.py).
        forget.append(at_exit_deadline(partial(shutil.rmtree, services.workdir, ignore_errors=True)))
        # ... and so do this run's database and Redis keys (quickly: the deadline is near).
        forget.append(at_exit_deadline(partial(services.remove_data, timeout=1.0)))

        try:
            app.run()
        finally:
            app.end_session("crash" if guard.error is not None else "exit")
        guard.raise_if_crashed()
        if app.return_code:
            sys.exit(app.return_code)
    finally:
        if services is not None:
            services.close(exiting=True)  # run_demo's caller ends the process
        for undo in forget:
            undo()
        signal.signal(signal.SIGTERM, previous)
