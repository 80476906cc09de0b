"""What the first screen and a one-shot check do not use, they do not import (issue 12): the
client libraries of stores that are not configured, httpx's command line, the samplers."""

from __future__ import annotations

import subprocess
import sys

STORES = """
import asyncio, sys
from omniops_tui.probes import CheckContext, specs_for_runbook, sweep
specs = [s for s in specs_for_runbook("standard-release") if s.kind.startswith(("pg_", "redis_"))]
results = asyncio.run(sweep(specs, CheckContext(None, None)))
assert specs and {r.status for _s, r in results} == {"unknown"}, results
print(sorted(m for m in ("asyncpg", "redis", "httpx._main") if sys.modules.get(m) is not None))
"""

FIRST_SCREEN = """
import sys
import omniops_tui.cli, omniops_tui.ui.factory
print(sorted(m for m in sys.modules if m in (
    "httpx", "asyncssh", "asyncpg", "redis", "boto3", "omniops_tui.sessions.replay",
    "omniops_tui.live.sampler", "omniops_tui.live.run_policy", "omniops_tui.runbooks.safety")))
"""


def python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_stores_that_are_not_configured_do_not_import_their_clients() -> None:
    assert python(STORES) == "[]"


def test_the_first_screen_imports_no_probe_client_nor_what_runs_later() -> None:
    assert python(FIRST_SCREEN) == "[]"
