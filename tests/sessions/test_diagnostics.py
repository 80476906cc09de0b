"""Emergency Rollback step 8 in one call, against real SSH, PostgreSQL and HTTP on loopback."""

from __future__ import annotations

import asyncio
import csv
import json
import random
import time
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from omniops_tui.core.events import DiagnosticsGathered
from omniops_tui.live.diagnostics import DOCKER_LOGS, ERROR_LOGS, gather_diagnostics
from omniops_tui.sessions.redact import build_redactor
from tests.sessions.services import closed_port, http_server, start_ssh_host

NOW = datetime(2025, 3, 14, 3, 25, 0, tzinfo=UTC)
DOCKER_OUTPUT = "app_1  | 03:01:05 ERROR pool exhausted\napp_1  | 03:01:06 INFO GET /api/chat 500\n"
ERROR_OUTPUT = "03:01:05 ERROR pool exhausted: timeout acquiring connection\n"
HEALTH = {"status": "degraded", "errorRate": 8.2, "responseTime": 640, "database": "ok"}


async def test_everything_is_gathered_into_a_timestamped_folder(tmp_path: Path, postgres_url: str) -> None:
    ssh = await start_ssh_host({DOCKER_LOGS: (0, DOCKER_OUTPUT, ""), ERROR_LOGS: (0, ERROR_OUTPUT, "")})
    try:
        with http_server({"/api/health/comprehensive": (200, HEALTH)}) as base:
            result = await gather_diagnostics(
                tmp_path,
                ssh_runner=ssh.runner,
                db_dsn=postgres_url,
                health_url=f"{base}/api/health/comprehensive",
                timeline_md="# Incident Timeline\n",
                timeout=30,
                now=NOW,
            )
    finally:
        ssh.server.close()
    folder = tmp_path / "incident-diagnostics" / "20250314_032500"
    assert result.path == folder and result.problems == []
    assert sorted(result.files) == [
        "db-active-queries.csv",
        "docker-logs.txt",
        "error-logs.txt",
        "health-snapshot.json",
        "timeline.md",
    ]
    assert sorted(p.name for p in folder.iterdir()) == sorted(result.files)
    assert (folder / "docker-logs.txt").read_text() == DOCKER_OUTPUT
    assert (folder / "error-logs.txt").read_text() == ERROR_OUTPUT
    assert sorted(ssh.seen) == sorted([DOCKER_LOGS, ERROR_LOGS])
    assert json.loads((folder / "health-snapshot.json").read_text()) == HEALTH
    rows = list(csv.reader((folder / "db-active-queries.csv").open()))
    assert {"pid", "datname", "state", "query"} <= set(rows[0])
    queries = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert any("pg_stat_activity" in q["query"] and q["state"] == "active" for q in queries)
    assert (folder / "timeline.md").read_text() == "# Incident Timeline\n"
    event = result.to_event()
    assert isinstance(event, DiagnosticsGathered) and event.path == str(folder) and event.problems == []


async def test_each_part_is_best_effort_with_a_one_line_problem(tmp_path: Path) -> None:
    dead_port = closed_port()

    async def unreachable(host: str, command: str) -> tuple[int, str, str]:
        import asyncssh

        async with asyncssh.connect("127.0.0.1", dead_port, known_hosts=None, connect_timeout=2) as conn:
            result = await conn.run(command)
        return int(result.exit_status or 0), str(result.stdout), str(result.stderr)

    with http_server({"/api/health/comprehensive": (503, {"status": "down"})}) as base:
        result = await gather_diagnostics(
            tmp_path,
            ssh_runner=unreachable,
            db_dsn=f"postgresql://postgres@127.0.0.1:{dead_port}/test",
            health_url=f"{base}/api/health/comprehensive",
            timeline_md="# so far\n",
            timeout=30,
            now=NOW,
        )
    assert sorted(result.files) == ["health-snapshot.json", "problems.txt", "timeline.md"]
    problems = "\n".join(result.problems)
    assert len(result.problems) == 4, problems
    assert all("\n" not in p for p in result.problems)
    assert [p.split(":")[0] for p in result.problems] == [
        "docker-logs.txt",
        "error-logs.txt",
        "db-active-queries.csv",
        "health-snapshot.json",
    ]
    assert "HTTP 503" in result.problems[3]
    assert json.loads((result.path / "health-snapshot.json").read_text()) == {"status": "down"}
    assert (result.path / "problems.txt").read_text().splitlines() == result.problems


async def test_a_failing_command_and_a_hanging_host_are_reported(tmp_path: Path) -> None:
    ssh = await start_ssh_host(
        {
            DOCKER_LOGS: (1, "", "docker-compose: command not found\n"),
            ERROR_LOGS: (1, "partial line\n", "tail: file truncated\n"),
        }
    )

    async def hanging(host: str, command: str) -> tuple[int, str, str]:
        await asyncio.sleep(30)  # a host that accepts and never answers
        return 0, "", ""

    try:
        with http_server({}) as base:
            result = await gather_diagnostics(
                tmp_path,
                ssh_runner=ssh.runner,
                db_dsn=None,
                health_url=f"{base}/missing",
                timeline_md=None,
                timeout=30,
                host="prod-1",
                now=NOW,
            )
        again = await gather_diagnostics(  # the hanging host is cut at its timeout (said below)
            tmp_path, ssh_runner=hanging, db_dsn=None, health_url=None, timeline_md=None, timeout=1, now=NOW
        )
    finally:
        ssh.server.close()
    assert result.problems[0] == (
        "docker-logs.txt: prod-1: `docker-compose logs --tail=1000` failed: docker-compose: command not found"
    )
    assert "exited 1: tail: file truncated (output kept)" in result.problems[1]
    assert (result.path / "error-logs.txt").read_text() == "partial line\n"
    assert "db-active-queries.csv: no database configured" in result.problems
    assert any(p.startswith("health-snapshot.json: HTTP 404") for p in result.problems)
    assert again.path.name == "20250314_032500-2"  # same second: a second folder, nothing overwritten
    assert again.files == ["problems.txt"]
    assert again.problems[:2] == [
        "docker-logs.txt: timed out after 1 s",
        "error-logs.txt: timed out after 1 s",
    ]


async def test_contents_are_redacted(tmp_path: Path, postgres_url: str) -> None:
    dsn_password = "Diag-Db-Pa55!"
    environ = {
        "PRODUCTION_DATABASE_URL": f"postgresql://app:{dsn_password}@db.internal/omniops",
        "PAGERDUTY_TOKEN": "pd-diag-token-777",
    }
    redactor = build_redactor(None, None, environ=environ)
    ssh = await start_ssh_host(
        {
            DOCKER_LOGS: (0, f"app_1 | connecting to {environ['PRODUCTION_DATABASE_URL']}\n", ""),
            ERROR_LOGS: (0, "ERROR paging with pd-diag-token-777 failed\n", ""),
        }
    )
    # The planted query waits on an advisory lock held here: active until we let it go, however
    # long gathering takes on a busy machine (a pg_sleep could end before it is seen).
    lock_key = random.getrandbits(31)
    holder = await asyncpg.connect(postgres_url)
    await holder.execute("SELECT pg_advisory_lock($1)", lock_key)
    blocker = await asyncpg.connect(postgres_url)
    sleeper = asyncio.create_task(
        blocker.execute(f"SELECT pg_advisory_lock({lock_key}), 'pd-diag-token-777'")
    )
    try:
        watcher = await asyncpg.connect(postgres_url)
        deadline = time.monotonic() + 30
        while not await watcher.fetchval(  # until the planted query is visible as active
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'active'"
            " AND query LIKE '%pd-diag-token-777%' AND pid <> pg_backend_pid()"
        ):
            assert time.monotonic() < deadline, "the planted query never showed as active"
            await asyncio.sleep(0.05)
        await watcher.close()
        health = {"db": environ["PRODUCTION_DATABASE_URL"], "token": "t-0123456"}
        with http_server({"/h": (200, health)}) as base:
            result = await gather_diagnostics(
                tmp_path,
                ssh_runner=ssh.runner,
                db_dsn=postgres_url,
                health_url=f"{base}/h",
                timeline_md=f"note: used {dsn_password}\n",
                timeout=30,
                redactor=redactor,
                now=NOW,
            )
    finally:
        ssh.server.close()
        await holder.execute("SELECT pg_advisory_unlock($1)", lock_key)
        await holder.close()
        await sleeper
        await blocker.close()
    assert result.problems == []
    written = {name: (result.path / name).read_text() for name in result.files}
    for name, text in written.items():
        for secret in (dsn_password, "pd-diag-token-777", "t-0123456"):
            assert secret not in text, (name, secret)
    assert "[REDACTED:PAGERDUTY_TOKEN]" in written["db-active-queries.csv"]
    assert "[REDACTED:PRODUCTION_DATABASE_URL]" in written["docker-logs.txt"]
    assert json.loads(written["health-snapshot.json"]) == {
        "db": "[REDACTED:PRODUCTION_DATABASE_URL]",
        "token": "[REDACTED:token]",
    }
