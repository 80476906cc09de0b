"""The real PostgreSQL and Redis the tests talk to: found on localhost, or started for the run.

Nothing starts at import: the session-scoped fixtures `postgres_url` and `redis_url`
(tests/conftest.py) call `ensure_postgres()` / `ensure_redis()` the first time a test needs
them, so the parser's tests never wait for a database. When 127.0.0.1:5432 and :6379 answer
(or OMNIOPS_TEST_DATABASE_URL / OMNIOPS_TEST_REDIS_URL point somewhere that answers), those are
used. Otherwise throwaway servers are started from the local binaries (PostgreSQL's
initdb/pg_ctl, as the `postgres` user through runuser when running as root, since PostgreSQL
refuses root; redis-server) on free ports, one per pytest-xdist worker, and the variables are
set so every test uses them. When neither is possible the tests that need them FAIL with the
reason: a green run always means the real servers were exercised; nothing is skipped.
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from urllib.parse import urlparse

from omniops_tui.sandbox.net import reachable

DATABASE_ENV = "OMNIOPS_TEST_DATABASE_URL"
REDIS_ENV = "OMNIOPS_TEST_REDIS_URL"
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


class ServiceUnavailable(Exception):
    """A service the test needs can be neither reached nor started (the message says why)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@cache
def ensure_postgres() -> str:
    """The PostgreSQL URL to use (database `test`), starting a throwaway server if need be."""
    return _ensure(DATABASE_ENV, DEFAULT_DATABASE_URL, 5432, _start_postgres)


@cache
def ensure_redis() -> str:
    """The Redis URL to use, starting a throwaway redis-server if need be."""
    return _ensure(REDIS_ENV, DEFAULT_REDIS_URL, 6379, _start_redis)


def _ensure(variable: str, default: str, port: int, start: Callable[[str], str]) -> str:
    url = os.environ.setdefault(variable, default)
    if not reachable(url, port):
        url = os.environ[variable] = start(url)
    return url


def server_url(database_url: str, database: str = "postgres") -> str:
    """The same server, another database (the demo creates its own from the `postgres` one)."""
    return urlparse(database_url)._replace(path=f"/{database}").geturl()


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _as_postgres(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    runuser = shutil.which("runuser")
    return [runuser, "-u", "postgres", "--", *command] if runuser else command


def _start_postgres(wanted: str) -> str:
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    if not initdb or not pg_ctl:
        raise ServiceUnavailable(
            f"PostgreSQL: {wanted} is not reachable and there is no initdb/pg_ctl on this machine to "
            f"start one (set {DATABASE_ENV})"
        )
    folder = Path(tempfile.mkdtemp(prefix="omniops-test-pg-"))
    data = folder / "data"
    port = free_port()
    try:
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
        subprocess.run(
            _as_postgres([initdb, "-D", str(data), "-A", "trust", "-U", "postgres"]),
            check=True,
            capture_output=True,
            timeout=120,
        )
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
        subprocess.run(
            _as_postgres([pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"]),
            check=True,
            capture_output=True,
            timeout=120,
        )
        subprocess.run(
            _as_postgres(
                [
                    _binary("createdb") or "createdb",
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "-U",
                    "postgres",
                    "test",
                ]
            ),
            check=True,
            capture_output=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError, LookupError) as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise ServiceUnavailable(
            f"PostgreSQL: {wanted} is not reachable and a throwaway server did not start: {exc}"
        ) from exc

    def stop() -> None:
        subprocess.run(
            _as_postgres([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(folder, ignore_errors=True)

    atexit.register(stop)
    return f"postgresql://postgres@127.0.0.1:{port}/test"


def _start_redis(wanted: str) -> str:
    server = shutil.which("redis-server")
    if not server:
        raise ServiceUnavailable(
            f"Redis: {wanted} is not reachable and there is no redis-server on this machine to start one "
            f"(set {REDIS_ENV})"
        )
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    url = f"redis://127.0.0.1:{port}/0"
    while not reachable(url, port, 0.2):
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise ServiceUnavailable(
                f"Redis: {wanted} is not reachable and a throwaway redis-server did not start"
            )
        time.sleep(0.05)
    atexit.register(process.kill)
    return url
