"""What a check needs to reach its target: the environment, its secrets, shared connections.

One `CheckContext` lives as long as a runbook screen (or one `check` command). It owns the
SSH connection pool (one connection per host, shared by every check and every sweep, reopened
when it drops), the clients (HTTP connections and their threads, the PostgreSQL pool, the Redis
connection: one per settings, shared by every sweep, no set-up per sweep; shared_clients.py)
and the history some checks
compare against (memory stable?). Each sweep works on a `fork()` of it; nothing a sweep ends
closes what another still uses. `await ctx.aclose()` closes it all.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import time
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlparse

from omniops_tui.config.model import Config, Environment, HostConfig, resolve_secret
from omniops_tui.core.errors import UserError
from omniops_tui.probes import client_imports
from omniops_tui.probes.host_keys import TRUST_NOTHING, host_key_error
from omniops_tui.probes.shared_clients import SharedClients, make_ssl_context
from omniops_tui.probes.ssh_options import prefer_ciphers

if TYPE_CHECKING:
    import asyncssh

    from omniops_tui.probes.http_client import ThreadedHTTP

_VARIABLE = re.compile(r"\{([a-z_]+)\}")
HISTORY_LENGTH = 240
USER_AGENT = "omniops-tui-check"
T = TypeVar("T")


class _Shared:
    """State every fork of a context shares."""

    def __init__(self) -> None:
        self.ssh: dict[str, asyncio.Task[asyncssh.SSHClientConnection]] = {}
        self.history: dict[str, deque[tuple[float, float]]] = {}
        self.closed = False
        self.ssl: ssl.SSLContext | bool | None = None
        self.clients = SharedClients()


class CheckContext:
    """The environment a sweep runs against, plus its connections.

    `environment` may be None (nothing configured): every check then answers "not configured".
    """

    def __init__(
        self,
        config: Config | None,
        environment: Environment | None,
        *,
        timeout: float | None = None,
        read_only: bool | None = None,
        probe_process: bool = True,
        _shared: _Shared | None = None,
    ) -> None:
        self.config = config or Config()
        self.environment = environment
        self.timeout = timeout or self.config.timeout_for(environment)
        # --read-only / read_only = true: GET, HEAD and the SSH allow-list only (no smoke POSTs).
        self.read_only = self.config.read_only if read_only is None else read_only
        # The latency probe runs in a process of its own (latency_client.py), started at the
        # first sweep with a latency check, which pays off over a screen's many sweeps. A
        # context for one sweep (a one-shot `check`) says False: the process's start-up
        # (~50 ms of CPU) would cost more than it spares that sweep; the probe then runs in
        # threads of this process, as it did before.
        self.probe_process = probe_process
        self._shared = _shared or _Shared()

    @classmethod
    def from_config(
        cls,
        config: Config,
        env_name: str | None = None,
        *,
        read_only: bool | None = None,
        probe_process: bool = True,
    ) -> CheckContext:
        """Build from the config and the chosen environment (its default when None)."""
        return cls(config, config.environment(env_name), read_only=read_only, probe_process=probe_process)

    # ------------------------------------------------------------------ configuration
    @property
    def env_name(self) -> str:
        return self.environment.name if self.environment else ""

    @property
    def base_url(self) -> str:
        return self.environment.base_url.rstrip("/") if self.environment else ""

    @property
    def hosts(self) -> list[HostConfig]:
        return list(self.environment.hosts) if self.environment else []

    @property
    def max_response_bytes(self) -> int:
        """The most of one HTTP body or one command's output a check reads (`max_response_mb`)."""
        from omniops_tui.probes.bounded_http import cap_bytes

        return cap_bytes(getattr(self.config, "max_response_mb", None))

    def host(self, name: str) -> HostConfig | None:
        return next((h for h in self.hosts if h.name == name), None)

    def variables(self) -> dict[str, str]:
        """What `{name}` in a binding's parameters stands for in this environment."""
        env = self.environment or Environment()
        hostname = urlparse(env.base_url).hostname or ""
        placeholders = self.config.placeholders_for(self.environment)
        return {
            "base_url": env.base_url.rstrip("/"),
            "health_path": env.health_path,
            "comprehensive_health_path": env.comprehensive_health_path,
            "version_path": env.version_path,
            "expected_version": env.expected_version,
            "previous_version": env.previous_version,
            "host": hostname,
            "domain": placeholders.get("yourdomain.com") or hostname,
            "env": env.name,
        }

    def render(self, value: Any) -> Any:
        """Substitute `{variable}` in strings, recursively in lists and tables."""
        if isinstance(value, str):
            variables = self.variables()
            return _VARIABLE.sub(lambda m: variables.get(m.group(1), m.group(0)), value)
        if isinstance(value, list):
            return [self.render(v) for v in value]
        if isinstance(value, dict):
            return {k: self.render(v) for k, v in value.items()}
        return value

    def url(self, path: str) -> str:
        path = self.render(path)
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    def secret(self, key: str) -> str:
        """The value of the variable `environment.<key>` names ("" when the key is unset).

        A variable that is named but not set raises `UserError` (one line with file:line); the
        runner turns it into an `error` result, the `check` command into exit 2.
        """
        if self.environment is None:
            return ""
        return resolve_secret(self.config, self.environment, key)

    def ssl_context(self) -> ssl.SSLContext | bool:
        """How HTTPS and TLS checks verify: the system store, a CA file, or not at all.

        Made once per context (loading the CA store costs ~30 ms of CPU); `await
        prepare_ssl()` first makes it in a thread, beside the event loop (shared_clients.py).
        """
        if self._shared.ssl is None:
            self._shared.ssl = make_ssl_context(self.environment)
        return self._shared.ssl

    async def prepare_ssl(self) -> None:
        await self._shared.clients.ssl_ready(self.ssl_context)

    # ------------------------------------------------------------------ history
    def remember(self, key: str, value: float) -> list[tuple[float, float]]:
        """Append a sample and return the samples kept so far (oldest first)."""
        samples = self._shared.history.setdefault(key, deque(maxlen=HISTORY_LENGTH))
        samples.append((time.monotonic(), value))
        return list(samples)

    # ------------------------------------------------------------------ sweeps
    def fork(self) -> CheckContext:
        """A view for one sweep: same config, SSH pool, HTTP clients and history."""
        return CheckContext(
            self.config,
            self.environment,
            timeout=self.timeout,
            read_only=self.read_only,
            probe_process=self.probe_process,
            _shared=self._shared,
        )

    async def http_requests(self) -> ThreadedHTTP:
        """The HTTP checks' requests (http_client.py): keep-alive connections and worker
        threads shared by every sweep of this context; every body is cut at the cap."""
        from omniops_tui.probes.http_client import ThreadedHTTP

        def make() -> ThreadedHTTP:
            headers = {"User-Agent": USER_AGENT}
            return ThreadedHTTP(self.timeout, self.max_response_bytes, self.ssl_context, headers)

        return await self._shared.clients.get(("http-threads", self.timeout, self.max_response_bytes), make)

    async def shared(self, key: Hashable, make: Callable[[], T | Awaitable[T]]) -> T:
        """A client kept for every sweep of this context, made once per key (`aclose` ends it)."""
        return await self._shared.clients.get(key, make)

    async def close_http(self) -> None:
        """The end of a sweep: the shared clients stay open for the next one (`aclose` ends them)."""

    # ------------------------------------------------------------------ SSH pool
    async def ssh(self, host: HostConfig) -> asyncssh.SSHClientConnection:
        """The connection to `host`, opened once and shared; reopened when it has dropped.

        Concurrent checks of one host wait on the same connection attempt (shielded, so one
        check's timeout does not cancel it for the others): a dead host costs one timeout.
        """
        if self._shared.closed:
            raise RuntimeError("check context is closed")
        task = self._shared.ssh.get(host.name)
        if task is not None and task.done():
            failed = task.cancelled() or task.exception() is not None
            if failed or task.result().is_closed():
                self._shared.ssh.pop(host.name, None)
                task = None
        if task is None:
            task = asyncio.ensure_future(self._connect(host))
            self._shared.ssh[host.name] = task
            task.add_done_callback(partial(self._forget_failed, host.name))
        return await asyncio.shield(task)

    def discard_ssh(self, name: str, connection: asyncssh.SSHClientConnection) -> None:
        """Forget (and close) a pooled connection that turned out to be dead."""
        task = self._shared.ssh.get(name)
        if (
            task is not None
            and task.done()
            and not task.cancelled()
            and task.exception() is None
            and task.result() is connection
        ):
            del self._shared.ssh[name]
        connection.abort()

    def _forget_failed(self, name: str, task: asyncio.Task[Any]) -> None:
        if (task.cancelled() or task.exception() is not None) and self._shared.ssh.get(name) is task:
            del self._shared.ssh[name]

    async def _connect(self, host: HostConfig) -> asyncssh.SSHClientConnection:
        """Open a connection with strict host keys and without agent forwarding (issue 10 §6).

        The options are built first (SSH config included) so their outcome can be checked:
        `UserKnownHostsFile none` (or `known_hosts = "none"`) would make asyncssh trust any
        key, so it is replaced by an empty list that trusts nothing; `ForwardAgent yes` is
        overridden, the agent is never forwarded.
        """
        await client_imports.imported("asyncssh")  # off the loop (client_imports.py)
        import asyncssh

        options: dict[str, Any] = {
            "connect_timeout": self.timeout,
            "login_timeout": self.timeout,
            "agent_forwarding": False,
        }
        config_file = Path(host.ssh_config or "~/.ssh/config").expanduser()
        options["config"] = [str(config_file)] if config_file.exists() else []
        if host.known_hosts:
            known_file = host.known_hosts.strip()
            options["known_hosts"] = (
                TRUST_NOTHING if known_file.lower() == "none" else str(Path(known_file).expanduser())
            )
        if host.client_keys:
            options["client_keys"] = [str(Path(k).expanduser()) for k in host.client_keys]
        if host.user:
            options["username"] = host.user
        target = host.hostname or host.name
        built = await asyncssh.SSHClientConnectionOptions.construct(
            None, host=target, port=host.port or (), **options
        )
        if built.known_hosts is None:
            built = await asyncssh.SSHClientConnectionOptions.construct(built, known_hosts=TRUST_NOTHING)
        if (ciphers := prefer_ciphers(list(built.encryption_algs))) != list(built.encryption_algs):
            built = await asyncssh.SSHClientConnectionOptions.construct(
                built, encryption_algs=[alg.decode("ascii") for alg in ciphers]
            )
        seen: dict[str, Any] = {}

        class _Client(asyncssh.SSHClient):
            def validate_host_public_key(
                self, host_: str, addr: str, port: int, key: asyncssh.SSHKey
            ) -> bool:
                # Called only when known_hosts does not trust the key: note it, refuse it.
                seen.update(host=host_, addr=addr, port=port, key=key)
                return False

        try:
            return await asyncssh.connect(
                target, port=host.port or (), client_factory=_Client, options=built, config=None
            )
        except asyncssh.HostKeyNotVerifiable as exc:
            if "key" not in seen:
                raise
            raise host_key_error(host.name, target, built.known_hosts, seen) from exc

    # ------------------------------------------------------------------ closing
    async def aclose(self) -> None:
        """Close the HTTP clients and every SSH connection (idempotent)."""
        await self._shared.clients.aclose()
        if self._shared.closed:
            return
        self._shared.closed = True
        tasks = list(self._shared.ssh.values())
        self._shared.ssh.clear()
        for task in tasks:
            if not task.done():
                task.cancel()
                continue
            if not task.cancelled() and task.exception() is None:
                connection = task.result()
                connection.close()
                try:
                    async with asyncio.timeout(2):
                        await connection.wait_closed()
                except (TimeoutError, OSError):
                    pass
        await asyncio.gather(*tasks, return_exceptions=True)

    async def __aenter__(self) -> CheckContext:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


def context_for(config: Config, env_name: str | None = None, *, strict: bool = False) -> CheckContext:
    """A context for `env_name`; with `strict`, a missing secret variable is a `UserError` now."""
    from omniops_tui.config.model import missing_secrets

    context = CheckContext.from_config(config, env_name)
    if strict and context.environment is not None:
        problems = missing_secrets(config, context.environment)
        if problems:
            raise UserError(problems[0])
    return context
