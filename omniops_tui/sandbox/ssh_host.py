"""The sandbox's SSH hosts: one asyncssh listener per host, sharing one host key.

Clients authenticate with the generated client key (public-key auth only, any user name).
An exec request (`ssh host CMD`, `conn.run(CMD)`) is answered by the host's shell
(commands.py) and exits with its status; a session without a command reads a script from
stdin, line by line, the way `ssh production << 'REMOTE'` is used in the runbooks (with a
prompt when a terminal was requested). Endless commands (`tail -F`, `pm2 logs`) stream until
the client closes the channel or the connection is dropped.

Every live connection is tracked so `drop_ssh_connections()` can abort them all at once,
which is how reconnect logic is tested.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

import asyncssh

from omniops_tui.sandbox.host_runtime import HostRuntime

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SandboxHost:
    """How to reach one sandbox host (`name` is what ssh_config and the config call it)."""

    name: str
    host: str
    port: int


class _ChannelSink:
    """Adapts an SSH server process to the shell's Sink (text in, SSH flow control out)."""

    def __init__(self, process: asyncssh.SSHServerProcess[str]) -> None:
        self._stdout = process.stdout
        self._stderr = process.stderr

    def write(self, text: str) -> None:
        self._stdout.write(text)

    def write_err(self, text: str) -> None:
        self._stderr.write(text)

    async def drain(self) -> None:
        await self._stdout.drain()


class _ConnectionTracker(asyncssh.SSHServer):
    """Registers each connection in the shared set while it is alive."""

    def __init__(self, live: set[asyncssh.SSHServerConnection]) -> None:
        self._live = live
        self._conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        self._live.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._conn is not None:
            self._live.discard(self._conn)

    def password_auth_supported(self) -> bool:
        return False

    def kbdint_auth_supported(self) -> bool:
        return False


class SSHHost:
    """One listening host: its runtime (facts, files, shell) and its asyncssh acceptor."""

    def __init__(self, runtime: HostRuntime, live: set[asyncssh.SSHServerConnection]) -> None:
        self.runtime = runtime
        self._live = live
        self._acceptor: asyncssh.SSHAcceptor | None = None
        self._sessions: set[asyncio.Task[None]] = set()
        self.port = 0

    async def start(
        self, host_key: asyncssh.SSHKey, authorized: asyncssh.SSHAuthorizedKeys, address: str = "127.0.0.1"
    ) -> None:
        self._acceptor = await asyncssh.create_server(
            lambda: _ConnectionTracker(self._live),
            address,
            0,
            server_host_keys=[host_key],
            authorized_client_keys=authorized,
            process_factory=self._handle,
            encoding="utf-8",
            errors="replace",
            allow_scp=False,
            agent_forwarding=False,
            x11_forwarding=False,
            keepalive_interval=0,
            login_timeout=30,
        )
        self.port = self._acceptor.sockets[0].getsockname()[1]

    def close(self) -> None:
        """Stop accepting; open connections are the caller's to abort."""
        if self._acceptor is not None:
            self._acceptor.close()

    async def wait_closed(self) -> None:
        """Wait for the listener, then end the sessions still running (streams)."""
        if self._acceptor is not None:
            with contextlib.suppress(Exception):
                await self._acceptor.wait_closed()
            self._acceptor = None
        for task in list(self._sessions):
            task.cancel()
        if self._sessions:
            await asyncio.gather(*self._sessions, return_exceptions=True)

    async def _handle(self, process: asyncssh.SSHServerProcess[str]) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._sessions.add(task)
        try:
            await self._session(process)
        finally:
            self._sessions.discard(task)

    async def _session(self, process: asyncssh.SSHServerProcess[str]) -> None:
        sink = _ChannelSink(process)
        try:
            if process.command is None:
                status = await self._script(process, sink)
            else:
                status = await self._exec(process, process.command, sink)
        except (BrokenPipeError, ConnectionError, asyncssh.Error):
            return  # the client went away while we were writing
        except Exception:  # a bug in the sandbox must not kill the connection silently
            _log.exception("sandbox host %s failed on %r", self.runtime.name, process.command)
            with contextlib.suppress(Exception):
                process.stderr.write("sh: 1: internal sandbox error\n")
            status = 1
        with contextlib.suppress(Exception):
            process.exit(status)

    async def _exec(self, process: asyncssh.SSHServerProcess[str], command: str, sink: _ChannelSink) -> int:
        """Run one exec request; a signal from the client (`ctrl+c` in a runner) stops it."""
        task = asyncio.create_task(self.runtime.run(command, sink))
        while not task.done():
            reader = asyncio.create_task(process.stdin.read(65536))
            done, _ = await asyncio.wait({task, reader}, return_when=asyncio.FIRST_COMPLETED)
            if task in done:
                reader.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await reader
                break
            try:
                data = reader.result()
            except (asyncssh.BreakReceived, asyncssh.SignalReceived):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
                return 130
            except (asyncssh.TerminalSizeChanged, asyncssh.Error):
                continue
            if not data:  # stdin closed: nothing can interrupt by signal any more… but keep waiting
                return await task
        return task.result()

    async def _script(self, process: asyncssh.SSHServerProcess[str], sink: _ChannelSink) -> int:
        """A shell without a command: run stdin line by line until EOF or `exit`."""
        interactive = process.get_terminal_type() is not None
        prompt = f"omniops@{self.runtime.name}:~$ "
        status = 0
        variables: dict[str, str] = {}  # kept from line to line, as one shell would
        while True:
            if interactive:
                sink.write(prompt)
            try:
                line = await process.stdin.readline()
            except (asyncssh.BreakReceived, asyncssh.SignalReceived, asyncssh.TerminalSizeChanged):
                continue
            if not line:
                return status
            command = line.strip()
            if not command or command.startswith("#"):
                continue
            if command in ("exit", "logout"):
                return status
            status = await self._interruptible(process, command, sink, interactive, variables)

    async def _interruptible(
        self,
        process: asyncssh.SSHServerProcess[str],
        command: str,
        sink: _ChannelSink,
        interactive: bool,
        variables: dict[str, str] | None = None,
    ) -> int:
        """Run one command; at a terminal, ctrl+c (or any key) stops an endless one."""
        task = asyncio.create_task(self.runtime.run(command, sink, variables))
        if not interactive:
            return await task
        watcher = asyncio.create_task(process.stdin.read(1))
        done, _ = await asyncio.wait({task, watcher}, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            watcher.cancel()
            return task.result()
        watcher.exception()  # ctrl+c arrives as BreakReceived/SignalReceived: consumed here
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        sink.write("^C\n")
        return 130
