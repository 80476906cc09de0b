"""`omniops-tui demo`: the sandbox production, real databases when they are here, one process.

Starts, on loopback: the sandbox (HTTP app + SSH hosts with live logs) on its own event loop in
a background thread; a demo database with the document's tables and synthetic rows when a
PostgreSQL server is reachable; steady cache traffic when a Redis server is reachable; a local
S3 endpoint (moto) with backups when moto is installed. It writes a config in the same format a
user writes and hands it to the ordinary TUI. Whatever is not reachable is said on screen and
its rows show "not configured"; the demo never fails to start for that.

Each run has its own database and Redis keys (demo_data.py); `close()` removes them, and the
hang-up deadline does too (`remove_data`).

Secrets follow the product's own rule: the config names environment variables
(`OMNIOPS_DEMO_DATABASE_URL`, `OMNIOPS_DEMO_REDIS_URL`), which this process sets for itself.
`close()` stops everything and removes the temporary folder; it runs on exit, ctrl+c and crashes.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
import threading
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from omniops_tui.sandbox import demo_data
from omniops_tui.sandbox.demo_database import DEMO_DATABASE, drop_database, prepare_database
from omniops_tui.sandbox.net import reachable
from omniops_tui.sandbox.production import Sandbox
from omniops_tui.sandbox.scenarios import SCENARIOS

DATABASE_ENV = "OMNIOPS_DEMO_DATABASE_URL"
REDIS_ENV = "OMNIOPS_DEMO_REDIS_URL"
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEAD_PORT_URL = "postgresql://postgres@127.0.0.1:1/" + DEMO_DATABASE
BUCKET = "omniops-backups"
# The configured default: a scenario switch re-runs the checks and samples at once, so a
# shorter interval only cost CPU (5 s kept the open runbook's checks at ~6 % of a core).
CHECK_INTERVAL = 15


@dataclass
class DemoStatus:
    """What the demo could start, in words for the screen."""

    database: str = ""
    redis: str = ""
    s3: str = ""
    database_ok: bool = False
    redis_ok: bool = False
    s3_ok: bool = False
    prometheus: str = ""
    prometheus_ok: bool = False

    def lines(self) -> list[str]:
        return [self.database, self.redis, self.s3]


@dataclass
class DemoServices:
    workdir: Path
    config_path: Path
    sandbox: Sandbox
    loop: asyncio.AbstractEventLoop
    thread: threading.Thread
    status: DemoStatus
    database_url: str = ""
    redis_url: str = ""
    run_id: str = field(default_factory=demo_data.new_run_id)
    _database_created: bool = False
    _moto: Any = None
    _prometheus: Any = None
    _traffic: asyncio.Task[None] | None = None
    _saved_env: dict[str, str | None] = field(default_factory=dict)
    _server_url: str = ""
    _closed: bool = False

    # ------------------------------------------------------------------ scenarios
    @property
    def scenario(self) -> str:
        """The production's scenario now: what `S` chose, or what happened since (a rollback's
        restart ends an error spike; restarting a stopped app ends an outage)."""
        return self.sandbox.scenario

    def set_scenario(self, name: str) -> None:
        """Switch what the HTTP app answers, what the hosts report and the logs say; database-
        down also takes the real database away from the checks (they see a closed port).
        Done on the sandbox's own loop, and done when this returns."""
        if name not in SCENARIOS:
            raise ValueError(f"unknown scenario '{name}' (choose from {', '.join(SCENARIOS)})")
        self._run(_switch(self.sandbox, name), timeout=10)
        if self.status.database_ok:
            os.environ[DATABASE_ENV] = DEAD_PORT_URL if name == "db-down" else self.database_url

    @property
    def database_name(self) -> str:
        """This run's own database."""
        return demo_data.database_name(self.run_id)

    @property
    def cache_prefix(self) -> str:
        """This run's own Redis keys start with this."""
        return demo_data.cache_prefix(self.run_id)

    # ------------------------------------------------------------------ cleanup
    def remove_data(self, timeout: float = 10) -> None:
        """Drop this run's database and delete its Redis keys (idempotent; quick enough for the
        hang-up deadline, and never raises: what cannot be removed is left, not fatal)."""
        with contextlib.suppress(Exception):
            self._run(self._remove_data(), timeout=timeout)

    async def _remove_data(self) -> None:
        if self.status.redis_ok:
            with contextlib.suppress(Exception):
                await demo_data.clear_cache(self.redis_url, self.cache_prefix)
        if self._database_created:
            await drop_database(self._server_url, self.database_name)
            self._database_created = False

    def close(self, *, exiting: bool = False) -> None:
        """Stop everything, remove the temporary folder, restore the environment. Idempotent.

        `exiting`: the process ends right after, so moto's server (a daemon thread of ours, its
        socket closed by the kernel) is not stopped: its stop waits for its next 0.5 s poll,
        which was half of `ctrl+q` to the shell prompt under load."""
        if self._closed:
            return
        self._closed = True
        # moto's server notices a stop only at its next 0.5 s poll: it stops meanwhile.
        moto = threading.Thread(target=self._stop_moto, name="omniops-demo-s3-stop", daemon=True)
        if not exiting:
            moto.start()
        with contextlib.suppress(Exception):
            self._run(self._shutdown(), timeout=10)
        self.remove_data()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        if self._prometheus is not None:
            with contextlib.suppress(Exception):
                self._prometheus.stop()
        if moto.is_alive():
            moto.join(timeout=5)
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        shutil.rmtree(self.workdir, ignore_errors=True)

    def _stop_moto(self) -> None:
        if self._moto is not None:
            with contextlib.suppress(Exception):
                self._moto.stop()

    async def _shutdown(self) -> None:
        if self._traffic is not None:
            self._traffic.cancel()
            await asyncio.gather(self._traffic, return_exceptions=True)
        await self.sandbox.stop()

    def _run(self, coroutine: Coroutine[Any, Any, Any], timeout: float = 30) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)


def start_demo(
    *,
    database_url: str | None = None,
    redis_url: str | None = None,
    hosts: int = 2,
    scenario: str = "healthy",
    with_s3: bool = True,
    log_rate: float = 8.0,
    with_prometheus: bool = False,
) -> DemoServices:
    """Start everything the demo needs; on any failure, what was started is stopped again."""
    workdir = Path(tempfile.mkdtemp(prefix="omniops-demo-"))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=_serve_forever, args=(loop,), name="omniops-demo", daemon=True)
    thread.start()
    sandbox = Sandbox(scenario=scenario, hosts=hosts, workdir=workdir / "sandbox", log_rate=log_rate)
    services = DemoServices(workdir, workdir / "config.toml", sandbox, loop, thread, DemoStatus())
    try:
        services._run(sandbox.start())
        _start_database(services, database_url or DEFAULT_DATABASE_URL)
        _start_redis(services, redis_url or DEFAULT_REDIS_URL)
        s3 = _start_s3(services) if with_s3 else None
        if not with_s3:
            services.status.s3 = "S3: off (--no-s3): backup rows show 'not configured'"
        extra_env: dict[str, Any] = {"check_interval": CHECK_INTERVAL}
        if with_prometheus:
            extra_env.update(_start_prometheus(services))
        sandbox.write_config(
            services.config_path,
            env_name="demo",
            database_url_env=DATABASE_ENV if services.status.database_ok else "",
            redis_url_env=REDIS_ENV if services.status.redis_ok else "",
            s3=s3,
            extra_env=extra_env,
        )
        _set_interval(services.config_path)
        services.set_scenario(scenario)
        return services
    except BaseException:
        services.close()
        raise


def _start_prometheus(services: DemoServices) -> dict[str, Any]:
    """A Prometheus scraping the sandbox, when the `prometheus` package is installed; the
    config's `[env.demo.prometheus]` table for it (empty when it is not there).

    Off unless `start_demo(with_prometheus=True)`: the demo turns it on once the app samples
    through `PrometheusSampling` (the figures then come from it, with their history)."""
    from omniops_tui.sandbox.prometheus import start_for_sandbox

    server, services.status.prometheus = start_for_sandbox(services.sandbox)
    if server is None:
        return {}
    services._prometheus = server
    services.status.prometheus_ok = True
    return {"prometheus": {"url": server.url, "window": "15s"}}


async def _switch(sandbox: Sandbox, name: str) -> None:
    sandbox.set_scenario(name)


def _serve_forever(loop: asyncio.AbstractEventLoop) -> None:
    asyncio.set_event_loop(loop)
    try:
        loop.run_forever()
    finally:
        _finish(loop)


def _finish(loop: asyncio.AbstractEventLoop) -> None:
    """What still runs when the demo stops (its cache traffic, if `close` could not wait for
    it) is cancelled and runs its `finally` on this loop, as `asyncio.run` does, and the loop is
    closed. Left pending, a task was closed by the garbage collector mid-`finally` instead
    ("coroutine ignored GeneratorExit"), and the loop's sockets were never closed."""
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    with contextlib.suppress(Exception):
        if pending:
            loop.run_until_complete(asyncio.wait(pending, timeout=2))
        loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()


def _set_interval(config_path: Path) -> None:
    """The demo's interval in the top-level setting too (a switch re-runs everything at once)."""
    text = config_path.read_text(encoding="utf-8")
    config_path.write_text(
        text.replace("check_interval = 15", f"check_interval = {CHECK_INTERVAL}", 1), encoding="utf-8"
    )


def _remember_env(services: DemoServices, name: str, value: str) -> None:
    services._saved_env.setdefault(name, os.environ.get(name))
    os.environ[name] = value


def _where(url: str) -> str:
    parsed = urlparse(url)
    return f"{parsed.hostname or '127.0.0.1'}:{parsed.port or ''}".rstrip(":")


# ---------------------------------------------------------------------------- PostgreSQL
def _start_database(services: DemoServices, server_url: str) -> None:
    where = _where(server_url)
    if not reachable(server_url, 5432):
        services.status.database = (
            f"PostgreSQL not reachable at {where}: database rows show "
            "'not configured' (start one, or pass --database-url)"
        )
        return
    services._server_url = server_url
    try:
        services._run(demo_data.remove_abandoned(server_url, None), timeout=30)
        services._database_created = True  # from here on, close() drops it (even half made)
        demo_url = services._run(prepare_database(server_url, services.database_name), timeout=60)
    except Exception as exc:  # a server that refuses us is reported, never fatal
        services.status.database = f"PostgreSQL at {where} refused the demo database: {exc}"[:200]
        return
    services.database_url = demo_url
    services.status.database_ok = True
    services.status.database = (
        f"PostgreSQL: demo database {services.database_name} at {where} (synthetic rows, dropped at exit)"
    )
    _remember_env(services, DATABASE_ENV, demo_url)


# ---------------------------------------------------------------------------- Redis
def _start_redis(services: DemoServices, url: str) -> None:
    where = _where(url)
    if not reachable(url, 6379):
        services.status.redis = (
            f"Redis not reachable at {where}: cache rows show 'not configured' "
            "(start one, or pass --redis-url)"
        )
        return
    services.redis_url = url
    services.status.redis_ok = True
    prefix = services.cache_prefix
    services.status.redis = f"Redis at {where}: demo cache traffic (~90 % hits, keys {prefix}*)"
    _remember_env(services, REDIS_ENV, url)
    with contextlib.suppress(Exception):
        services._run(demo_data.remove_abandoned(None, url), timeout=10)
    services._traffic = services._run(_start_traffic(url, prefix), timeout=10)


async def _start_traffic(url: str, prefix: str) -> asyncio.Task[None]:
    """The cache traffic as a task of the demo's loop, which `close` cancels and waits for (its
    client closes on the loop; a task left pending when the loop stopped was closed by the
    garbage collector mid-`finally`: "coroutine ignored GeneratorExit")."""
    return asyncio.ensure_future(demo_data.cache_traffic(url, prefix))


# ---------------------------------------------------------------------------- S3
def _start_s3(services: DemoServices) -> dict[str, Any] | None:
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        services.status.s3 = (
            "S3: moto not installed (pip install 'omniops-tui[demo-s3]'): backup rows show 'not configured'"
        )
        return None
    import logging

    # werkzeug logs every request to stderr, which would scribble over the TUI.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    services._moto = server
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "demo"),
        ("AWS_SECRET_ACCESS_KEY", "demo-secret-key"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
    ):
        _remember_env(services, name, value)
    import boto3

    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    now = datetime.now(UTC)
    stale = f"production/backup_{(now - timedelta(days=3)):%Y%m%d_%H%M%S}.sql.gz"
    fresh = f"production/backup_{(now - timedelta(hours=2)):%Y%m%d_%H%M%S}.sql.gz"
    for key in (stale, fresh):
        client.put_object(Bucket=BUCKET, Key=key, Body=os.urandom(64 * 1024))
    _backdate(stale, now - timedelta(days=3))
    _backdate(fresh, now - timedelta(hours=2))
    services.status.s3_ok = True
    services.status.s3 = f"S3 (moto) at {endpoint}: a fresh and a stale backup in s3://{BUCKET}/production/"
    return {"backup_url": f"s3://{BUCKET}/production/", "endpoint_url": endpoint, "region": "us-east-1"}


def _backdate(key: str, when: datetime) -> None:
    """Give a demo backup its age: moto serves in this process, so its object can be backdated."""
    with contextlib.suppress(Exception):
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.s3.models import s3_backends

        stored = s3_backends[DEFAULT_ACCOUNT_ID]["global"].buckets[BUCKET].keys[key]
        stored.last_modified = when.replace(tzinfo=None)
