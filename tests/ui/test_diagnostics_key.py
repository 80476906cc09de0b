"""Emergency Rollback step 8 in one key, against the sandbox and the real PostgreSQL."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

from omniops_tui.sandbox import Sandbox
from tests.ui.conftest import session_events


async def test_diagnostics_key_writes_the_bundle_beside_the_session(
    make_app, tmp_path: Path, monkeypatch, postgres_url: str
) -> None:
    monkeypatch.setenv("OMNIOPS_DIAG_DB", postgres_url)
    async with Sandbox(scenario="error-spike") as sandbox:
        config = sandbox.write_config(tmp_path / "c.toml", database_url_env="OMNIOPS_DIAG_DB")
        app = make_app(config=config)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("n", *"rollback started", "enter")
            await pilot.press("D")
            deadline = time.monotonic() + 30
            while not any(e.type == "diagnostics_gathered" for e in app.ctx.session.state.milestones):
                assert time.monotonic() < deadline
                await pilot.pause(0.1)
    event = next(e for e in session_events(app) if e["type"] == "diagnostics_gathered")
    folder = Path(event["path"])
    assert folder.parent.name == "incident-diagnostics"
    assert folder.parent.parent == Path(app.live.recorder.path).parent
    assert set(event["files"]) >= {
        "docker-logs.txt",
        "error-logs.txt",
        "db-active-queries.csv",
        "health-snapshot.json",
        "timeline.md",
    }
    assert "ERROR" in (folder / "error-logs.txt").read_text()
    assert json.loads((folder / "health-snapshot.json").read_text())["errorRate"] == 8.2
    with open(folder / "db-active-queries.csv") as handle:
        assert "pid" in next(csv.reader(handle))
    assert "rollback started" in (folder / "timeline.md").read_text()
