"""What a check needs to reach its target: the environment, its secrets, shared connections.

One `CheckContext` lives as long as a runbook screen (or one `check` command). It owns the
SSH connection pool (one connection per host, shared by every check and every sweep, reopened
when it drops) and the history some checks compare against (memory stable?). Each sweep works
on a `fork()` that has its own httpx client, closed when the sweep ends, so a sweep re-run on
request never closes the client of one still running. `await ctx.aclose()` closes it all.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import time
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from omniops_tui.config.model import Config, Environment, HostConfig, resolve_secret
from omniops_tui.core.errors import UserError

if TYPE_CHECKING:
    import asyncssh
    import httpx

_VARIABLE = re.compile(r"\{([a-z_]+)\}")
HISTORY_LENGTH = 240
USER_AGENT = "omniops-tui-check"


class SSHHostKeyError(Exception):
    """The host's key is not in known_hosts: refused, with the fingerprint and the fix."""


class _Shared:
    """State every fork of a context shares."""

    def __init__(self) -> None:
        self.ssh: dict[str, asyncio.Task[asyncssh.SSHClientConnection]] = {}
        self.history: dict[str, deque[tuple[float, float]]] = {}
        self.closed = False
        self.ssl: ssl.SSLContext | bool | None = None


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
        _shared: _Shared | None = None,
    ) -> None:
        self.config = config or Config()
        self.environment = environment
        self.timeout = timeout or self.config.timeout_for(environment)
        self._shared = _shared or _Shared()
        self._http: httpx.AsyncClient | None = None
        self._http_lock = asyncio.Lock()

    @classmethod
    def from_config(cls, config: Config, env_name: str | None = None) -> CheckContext:
        """Build from the config and the chosen environment (its default when None)."""
        return cls(config, config.environment(env_name))

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

        Made once per context: loading the system's CA store costs ~30 ms of CPU, which every
        sweep's new HTTP client would otherwise pay on the event loop.
        """
        if self._shared.ssl is None:
            self._shared.ssl = self._make_ssl_context()
        return self._shared.ssl

    def _make_ssl_context(self) -> ssl.SSLContext | bool:
        env = self.environment
        if env is None:
            return True
        if not env.verify_tls:
            return False
        if env.tls_ca_file:
            return ssl.create_default_context(cafile=str(Path(env.tls_ca_file).expanduser()))
        return ssl.create_default_context()

    # ------------------------------------------------------------------ history
    def remember(self, key: str, value: float) -> list[tuple[float, float]]:
        """Append a sample and return the samples kept so far (oldest first)."""
        samples = self._shared.history.setdefault(key, deque(maxlen=HISTORY_LENGTH))
        samples.append((time.monotonic(), value))
        return list(samples)

    # ------------------------------------------------------------------ sweeps
    def fork(self) -> CheckContext:
        """A view for one sweep: same config, SSH pool and history; its own HTTP client."""
        return CheckContext(self.config, self.environment, timeout=self.timeout, _shared=self._shared)

    async def http(self) -> httpx.AsyncClient:
        """The sweep's HTTP client (one per fork, created on first use)."""
        async with self._http_lock:
            if self._http is None:
                import httpx

                self._http = httpx.AsyncClient(
                    timeout=httpx.Timeout(self.timeout),
                    verify=self.ssl_context(),
                    follow_redirects=True,
                    headers={"User-Agent": USER_AGENT},
                    limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
                )
            return self._http

    async def close_http(self) -> None:
        client, self._http = self._http, None
        if client is not None:
            await client.aclose()

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
            task.add_done_callback(lambda t, name=host.name: self._forget_failed(name, t))
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
        import asyncssh

        options: dict[str, Any] = {"connect_timeout": self.timeout, "login_timeout": self.timeout}
        config_file = Path(host.ssh_config or "~/.ssh/config").expanduser()
        options["config"] = [str(config_file)] if config_file.exists() else []
        if host.known_hosts:
            options["known_hosts"] = str(Path(host.known_hosts).expanduser())
        if host.client_keys:
            options["client_keys"] = [str(Path(k).expanduser()) for k in host.client_keys]
        if host.user:
            options["username"] = host.user
        if host.port:
            options["port"] = host.port
        target = host.hostname or host.name
        seen: dict[str, Any] = {}

        class _Client(asyncssh.SSHClient):
            def validate_host_public_key(
                self, host_: str, addr: str, port: int, key: asyncssh.SSHKey
            ) -> bool:
                # Called only when known_hosts does not trust the key: note it, refuse it.
                seen.update(host=host_, port=port, key=key)
                return False

        try:
            return await asyncssh.connect(target, client_factory=_Client, **options)
        except asyncssh.HostKeyNotVerifiable as exc:
            if "key" not in seen:
                raise
            key: asyncssh.SSHKey = seen["key"]
            fingerprint = key.get_fingerprint("sha256")
            port = seen["port"] or 22
            scan_host = seen["host"] or target
            known = options.get("known_hosts", "~/.ssh/known_hosts")
            raise SSHHostKeyError(
                f"host key for {host.name} ({fingerprint}) is not in {known}; verify it and add it "
                f"with `ssh-keyscan -p {port} {scan_host} >> {known}`"
            ) from exc

    # ------------------------------------------------------------------ closing
    async def aclose(self) -> None:
        """Close the HTTP client and every SSH connection (idempotent)."""
        await self.close_http()
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
