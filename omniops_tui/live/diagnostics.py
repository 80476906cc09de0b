"""Emergency Rollback step 8, "Gather Diagnostics", in one call.

Writes `incident-diagnostics/<YYYYmmdd_HHMMSS>/` beside the session, as the runbook does by
hand:

- `docker-logs.txt`       ssh HOST "docker-compose logs --tail=1000"
- `error-logs.txt`        ssh HOST "tail -n 1000 /var/log/omniops/error.log"
- `db-active-queries.csv` SELECT * FROM pg_stat_activity WHERE state != 'idle' (CSV with header)
- `health-snapshot.json`  GET the comprehensive health endpoint
- `timeline.md`           the post-mortem export so far
- `problems.txt`          one line per part that could not be gathered (only when there were some)

Every part runs concurrently, bounded by `timeout`, and is best-effort: a dead host or
database costs one line in `problems`, never the other files. Every file is redacted before it
is written (query texts and logs are full of DSNs, tokens and `PASSWORD '…'`) and has its
control characters made visible (these files are read with `cat` and `less`: a log line's
`ESC ] 52` must not reach that terminal). Folders are created 0700 and files 0600 with
`O_EXCL | O_NOFOLLOW`, like the sessions. The result lists what was written and what went
wrong, so the app can record a `DiagnosticsGathered` event.

SSH is injected (`ssh_runner(host, command) -> (exit_status, stdout, stderr)`), so this module
does not depend on how the app connects (the checks package owns SSH).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from omniops_tui.core.events import DiagnosticsGathered
from omniops_tui.core.files import DIR_MODE, write_new
from omniops_tui.core.text import visible
from omniops_tui.sessions.redact import Redactor

SshRunner = Callable[[str, str], Awaitable[tuple[int, str, str]]]
DOCKER_LOGS = "docker-compose logs --tail=1000"
ERROR_LOGS = "tail -n 1000 /var/log/omniops/error.log"
ACTIVE_QUERIES = "SELECT * FROM pg_stat_activity WHERE state != 'idle'"
FOLDER = "incident-diagnostics"


@dataclass(slots=True)
class DiagnosticsResult:
    path: Path
    files: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def to_event(self) -> DiagnosticsGathered:
        return DiagnosticsGathered(path=str(self.path), files=list(self.files), problems=list(self.problems))


class _Problem(Exception):
    """A part could not be gathered; the message is its one line."""


async def gather_diagnostics(
    out_dir: Path,
    *,
    ssh_runner: SshRunner | None,
    db_dsn: str | None,
    health_url: str | None,
    timeline_md: str | None,
    timeout: float = 10.0,
    host: str = "production",
    redactor: Redactor | None = None,
    now: datetime | None = None,
) -> DiagnosticsResult:
    """Gather the bundle into `out_dir/incident-diagnostics/<timestamp>/` (see the module doc)."""
    folder = _new_folder(out_dir / FOLDER, (now or datetime.now(UTC)).strftime("%Y%m%d_%H%M%S"))
    result = DiagnosticsResult(folder)
    clean = redactor.text if redactor is not None else (lambda text: text)

    async def ssh_part(command: str) -> str:
        if ssh_runner is None:
            raise _Problem("no SSH host configured")
        status, stdout, stderr = await ssh_runner(host, command)
        if status != 0:
            detail = _first_line(stderr) or f"exit status {status}"
            if not stdout:
                raise _Problem(f"{host}: `{command}` failed: {detail}")
            raise _Partial(stdout, f"{host}: `{command}` exited {status}: {detail} (output kept)")
        return stdout

    parts: dict[str, Awaitable[str]] = {
        "docker-logs.txt": ssh_part(DOCKER_LOGS),
        "error-logs.txt": ssh_part(ERROR_LOGS),
        "db-active-queries.csv": _active_queries(db_dsn, timeout),
        "health-snapshot.json": _health(health_url, timeout, redactor),
    }
    names = list(parts)
    outcomes = await asyncio.gather(
        *(_bounded(parts[name], timeout) for name in names), return_exceptions=True
    )
    for name, outcome in zip(names, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            result.problems.append(f"{name}: {_describe(outcome)}")
            if not isinstance(outcome, _Partial):
                continue
            outcome = outcome.content
        _write(folder / name, clean(outcome))
        result.files.append(name)
    if timeline_md is not None:
        _write(folder / "timeline.md", clean(timeline_md))
        result.files.append("timeline.md")
    if result.problems:
        _write(folder / "problems.txt", clean("\n".join(result.problems) + "\n"))
        result.files.append("problems.txt")
    result.problems = [clean(problem) for problem in result.problems]
    return result


def _new_folder(parent: Path, stamp: str) -> Path:
    parent.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    for attempt in range(100):
        folder = parent / (stamp if attempt == 0 else f"{stamp}-{attempt + 1}")
        try:
            folder.mkdir(mode=DIR_MODE)
            return folder
        except FileExistsError:
            continue
    raise OSError(f"{parent}: too many diagnostics folders named {stamp}")


async def _bounded(part: Awaitable[str], timeout: float) -> str:
    try:
        return await asyncio.wait_for(part, timeout)
    except TimeoutError:
        raise _Problem(f"timed out after {timeout:g} s") from None


async def _active_queries(dsn: str | None, timeout: float) -> str:
    if not dsn:
        raise _Problem("no database configured")
    import asyncpg

    connection = await asyncpg.connect(dsn, timeout=timeout)
    try:
        statement = await connection.prepare(ACTIVE_QUERIES)
        columns = [attribute.name for attribute in statement.get_attributes()]
        rows = await statement.fetch()
    finally:
        await connection.close()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if value is None else str(value) for value in row.values()])
    return buffer.getvalue()


async def _health(url: str | None, timeout: float, redactor: Redactor | None) -> str:
    if not url:
        raise _Problem("no health URL configured")
    import httpx

    async with httpx.AsyncClient(timeout=timeout, follow_redirects=True) as client:
        response = await client.get(url)
    try:
        body: Any = response.json()
    except ValueError:
        body = {"status_code": response.status_code, "body": response.text}
    if redactor is not None:
        body = redactor.value(body)
    text = json.dumps(body, indent=2, ensure_ascii=False) + "\n"
    if response.status_code >= 400:
        raise _Partial(text, f"HTTP {response.status_code} from {url}")
    return text


class _Partial(_Problem):
    """A part with something worth keeping and a problem to report (e.g. a 503 health body)."""

    def __init__(self, content: str, problem: str) -> None:
        super().__init__(problem)
        self.content = content


def _write(path: Path, text: str) -> None:
    """A new private file (the folder is new too); control characters made visible."""
    write_new(path, visible(text))


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:200]
    return ""


def _describe(exc: BaseException) -> str:
    """One line for the problem list: what failed, not a traceback."""
    if isinstance(exc, _Problem):
        return str(exc)
    text = _first_line(str(exc)) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"
