"""`Sandbox`: a whole simulated OmniOps production on loopback, started and stopped as one.

It owns the shared `ProductionState`, the HTTP app, N SSH hosts (prod-1 … prod-N) and a
folder with everything a client needs: the host key, a client key, `known_hosts`, an
`ssh_config` naming every host, and (on request) an omniops-tui config. Ports are picked free
by the OS at start. One host key and one client key are shared by all hosts, so 100 hosts
start in well under a second of key generation.

    async with Sandbox(scenario="error-spike", hosts=3) as sandbox:
        sandbox.write_config(tmp / "config.toml")
        conn = await asyncssh.connect("prod-1", config=[sandbox.ssh_config],
                                      known_hosts=sandbox.known_hosts)

`answer_delay_ms` makes every HTTP answer (app and node metrics) and every SSH command's
answer wait that long (asyncio.sleep) before it is written, as when production is across a
network: over loopback nothing waits, so this is how the benches show what concurrency hides.
The content of every answer is unchanged. Connections and SSH handshakes are not delayed, nor
the real PostgreSQL/Redis/S3 a config may add (they are local services, not the sandbox's).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import asyncssh

from omniops_tui.sandbox import exposition
from omniops_tui.sandbox.host_runtime import HostRuntime
from omniops_tui.sandbox.http_app import OmniOpsApp
from omniops_tui.sandbox.http_server import HTTPServer, Request, Response
from omniops_tui.sandbox.logs import COMBINED_LOG, ERROR_LOG, LogSource
from omniops_tui.sandbox.scenarios import ProductionState, check_scenario
from omniops_tui.sandbox.ssh_host import SandboxHost, SSHHost

LOOPBACK = "127.0.0.1"
MAX_ANSWER_DELAY_MS = 1000
SSH_USER = "omniops"
HOST_LOGS = [COMBINED_LOG, ERROR_LOG]
HOST_LOG_COMMANDS = ["docker-compose logs -f --tail=100 app", "pm2 logs --lines 100"]


class Sandbox:
    """The HTTP app, the SSH hosts and their client files; one scenario for all of them."""

    def __init__(
        self,
        *,
        scenario: str = "healthy",
        hosts: int = 1,
        workdir: Path | None = None,
        log_rate: float = 20.0,
        version: str = "v1.2.1",
        answer_delay_ms: int = 0,
    ) -> None:
        if hosts < 1:
            raise ValueError("a sandbox needs at least one host")
        if not 0 <= answer_delay_ms <= MAX_ANSWER_DELAY_MS:
            raise ValueError(f"answer_delay_ms must be 0 to {MAX_ANSWER_DELAY_MS}")
        self.answer_delay_ms = answer_delay_ms
        self.state = ProductionState(check_scenario(scenario), version)
        self.log_rate = log_rate
        self.hosts: list[SandboxHost] = []
        self.base_url = ""
        self._host_count = hosts
        self._requested_workdir = workdir
        self._own_workdir = False
        self.workdir = workdir or Path()
        self._http: HTTPServer | None = None
        self._node_metrics: HTTPServer | None = None
        self._app: OmniOpsApp | None = None
        self._ssh_hosts: list[SSHHost] = []
        self._live: set[asyncssh.SSHServerConnection] = set()
        self._started = False

    # ------------------------------------------------------------------ files
    @property
    def known_hosts(self) -> Path:
        return self.workdir / "known_hosts"

    @property
    def client_key(self) -> Path:
        return self.workdir / "client_key"

    @property
    def ssh_config(self) -> Path:
        return self.workdir / "ssh_config"

    @property
    def host_key(self) -> Path:
        return self.workdir / "ssh_host_ed25519_key"

    # ------------------------------------------------------------------ state
    @property
    def scenario(self) -> str:
        return self.state.scenario

    @scenario.setter
    def scenario(self, name: str) -> None:
        self.set_scenario(name)

    def set_scenario(self, name: str) -> None:
        """Switch every server at once; ValueError for an unknown name."""
        self.state.set_scenario(name)

    @property
    def version(self) -> str:
        return self.state.version

    @version.setter
    def version(self, value: str) -> None:
        self.state.version = value

    def commands_received(self) -> list[tuple[str, str]]:
        """(host, command line) of every command the SSH hosts were asked to run, in order per
        host (the latest 10,000 each): how a test proves a command never arrived."""
        return [(h.runtime.name, line) for h in self._ssh_hosts for line in h.runtime.received]

    def requests_received(self) -> list[tuple[str, str]]:
        """(method, target) of every HTTP request the app was sent (the latest 10,000)."""
        return list(self._app.received) if self._app is not None else []

    @property
    def open_ssh_connections(self) -> int:
        return len(self._live)

    def drop_ssh_connections(self) -> int:
        """Abort every open SSH connection (as a network cut would); returns how many."""
        connections = list(self._live)
        for conn in connections:
            conn.abort()
        self._live.clear()
        return len(connections)

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        if self._started:
            raise RuntimeError("sandbox already started")
        self._started = True
        if self._requested_workdir is None:
            self.workdir = Path(tempfile.mkdtemp(prefix="omniops-sandbox-"))
            self._own_workdir = True
        else:
            self.workdir = self._requested_workdir
            self.workdir.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            await self._start_servers()
        except BaseException:
            await self.stop()
            raise

    async def _start_servers(self) -> None:
        host_key = asyncssh.generate_private_key("ssh-ed25519", comment="omniops-sandbox-host")
        client_key = asyncssh.generate_private_key("ssh-ed25519", comment="omniops-sandbox-client")
        # Private keys are 0600 from their first byte (not written, then chmod-ed).
        _write_private(self.host_key, host_key.export_private_key())
        host_key.write_public_key(self.host_key.with_name(self.host_key.name + ".pub"))
        _write_private(self.client_key, client_key.export_private_key())
        client_key.write_public_key(self.client_key.with_name(self.client_key.name + ".pub"))
        authorized = asyncssh.import_authorized_keys(client_key.export_public_key().decode())

        self._app = OmniOpsApp(self.state)
        delay = self.answer_delay_ms / 1000
        self._http = HTTPServer(self._app, answer_delay=delay)
        await self._http.start(LOOPBACK)
        self.base_url = f"http://{LOOPBACK}:{self._http.port}"
        self._node_metrics = HTTPServer(self._node_exposition, "node_exporter (sandbox)", delay)
        await self._node_metrics.start(LOOPBACK)

        for index in range(self._host_count):
            name = f"prod-{index + 1}"
            logs = LogSource(self.state, index, self.log_rate)
            runtime = HostRuntime(name, index, self.state, logs, answer_delay=delay)
            self._ssh_hosts.append(SSHHost(runtime, self._live))
        await asyncio.gather(*(h.start(host_key, authorized, LOOPBACK) for h in self._ssh_hosts))
        self.hosts = [SandboxHost(h.runtime.name, LOOPBACK, h.port) for h in self._ssh_hosts]
        self._write_client_files(host_key)

    def _write_client_files(self, host_key: asyncssh.SSHKey) -> None:
        public = host_key.export_public_key().decode().strip()
        # One wildcard line instead of one per host: every host shares the key, and a client
        # that re-reads known_hosts for each of 100 connections would parse 10,000 keys.
        # Still strict: only this sandbox's key is trusted, and only on loopback / prod-*.
        ports = ", ".join(f"{h.name}={h.port}" for h in self.hosts[:10])
        more = " …" if len(self.hosts) > 10 else ""
        self.known_hosts.write_text(
            f"# omniops-tui sandbox host key ({ports}{more})\n[{LOOPBACK}]:*,[prod-*]:* {public}\n",
            encoding="utf-8",
        )
        blocks = [f"# omniops-tui sandbox hosts; try: ssh -F {_quote(self.ssh_config)} prod-1 uptime\n"]
        for h in self.hosts:
            blocks.append(
                f"Host {h.name}\n"
                f"  HostName {h.host}\n"
                f"  Port {h.port}\n"
                f"  User {SSH_USER}\n"
                f"  IdentityFile {_quote(self.client_key)}\n"
                f"  IdentitiesOnly yes\n"
                f"  UserKnownHostsFile {_quote(self.known_hosts)}\n"
                f"  StrictHostKeyChecking yes\n"
            )
        self.ssh_config.write_text("\n".join(blocks), encoding="utf-8")

    async def stop(self) -> None:
        """Close listeners and connections, end running sessions, remove our temp folder."""
        for host in self._ssh_hosts:
            host.close()
        self.drop_ssh_connections()
        if self._ssh_hosts:
            await asyncio.gather(*(h.wait_closed() for h in self._ssh_hosts), return_exceptions=True)
        self._ssh_hosts = []
        if self._http is not None:
            await self._http.stop()
            self._http = None
        if self._node_metrics is not None:
            await self._node_metrics.stop()
            self._node_metrics = None
        if self._own_workdir:
            with contextlib.suppress(OSError):
                shutil.rmtree(self.workdir)
            self._own_workdir = False
        self._started = False

    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    # ------------------------------------------------------------------ Prometheus targets
    @property
    def app_metrics_target(self) -> str:
        """`host:port` Prometheus scrapes for the app's `/metrics`."""
        return self.base_url.removeprefix("http://")

    @property
    def node_metrics_target(self) -> str:
        """`host:port` of the one endpoint serving every host's node series (`/metrics`)."""
        return f"{LOOPBACK}:{self._node_metrics.port}" if self._node_metrics else ""

    async def _node_exposition(self, request: Request) -> Response:
        if request.path != "/metrics":
            return Response.text("node series are at /metrics\n", 404)
        names = [h.runtime.name for h in self._ssh_hosts]
        text = exposition.exposition(exposition.node_lines(self.state.switches, names, time.time()))
        return Response.text(text, content_type=exposition.CONTENT_TYPE)

    # ------------------------------------------------------------------ config
    def write_config(
        self,
        path: Path,
        *,
        env_name: str = "sandbox",
        database_url_env: str = "",
        redis_url_env: str = "",
        s3: dict[str, Any] | None = None,
        extra_env: dict[str, Any] | None = None,
    ) -> Path:
        """Write an omniops-tui config (TOML) pointing at this sandbox; returns `path`."""
        import tomli_w

        if not self.hosts:
            raise RuntimeError("start the sandbox before writing its config")
        address = self.base_url.removeprefix("http://")
        environment: dict[str, Any] = {
            "base_url": self.base_url,
            "health_path": "/api/health",
            "comprehensive_health_path": "/api/health/comprehensive",
            "version_path": "/api/version",
            "expected_version": self.version,
        }
        if database_url_env:
            environment["database_url_env"] = database_url_env
        if redis_url_env:
            environment["redis_url_env"] = redis_url_env
        environment.update(extra_env or {})
        environment["placeholders"] = {"yourdomain.com": address, "production": self.hosts[0].name}
        if s3:
            environment["s3"] = dict(s3)
        environment["hosts"] = [
            {
                "name": h.name,
                "hostname": h.host,
                "port": h.port,
                "user": SSH_USER,
                "ssh_config": str(self.ssh_config),
                "known_hosts": str(self.known_hosts),
                "client_keys": [str(self.client_key)],
                "logs": list(HOST_LOGS),
                "log_commands": list(HOST_LOG_COMMANDS),
            }
            for h in self.hosts
        ]
        data = {"default_env": env_name, "check_interval": 15, "timeout": 5, "env": {env_name: environment}}
        header = (
            "# omniops-tui config for the sandbox production (generated; ports change on every start).\n"
            f"# HTTP {self.base_url}; SSH hosts in {self.ssh_config}.\n"
            '# Switch scenario: curl -X POST -d \'{"scenario": "outage"}\' '
            f"{self.base_url}/__sandbox/scenario\n\n"
        )
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(header + tomli_w.dumps(data), encoding="utf-8")
        return path


def _quote(path: Path) -> str:
    text = str(path)
    return f'"{text}"' if " " in text else text


def _write_private(path: Path, data: bytes) -> None:
    path.unlink(missing_ok=True)  # a workdir reused after a crash
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
