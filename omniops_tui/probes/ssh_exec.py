"""Running one read-only command on an SSH host, with its output bounded.

Every command goes through the allow-list (`probes.readonly`) and runs re-quoted word by word.
Its output is read in chunks up to the context's cap (`max_response_mb`, 1 MB by default);
past the cap the channel is closed and the result says so, so a host that answers with a
gigabyte costs a megabyte (issue 10 §4). The checks in `probes.ssh`, the metrics sampler and
the diagnostics bundle all run their commands through `run` here.
"""

from __future__ import annotations

import asyncio
import functools
import re
from typing import Any

from omniops_tui.config.model import HostConfig
from omniops_tui.probes.base import CheckResult, fmt_bytes, truncate
from omniops_tui.probes.context import CheckContext
from omniops_tui.probes.readonly import ReadOnlyCommand, parse_readonly

DEFAULT_COMMANDS = {
    "uptime": "uptime",
    "cpu": "top -bn1",
    "loadavg": "cat /proc/loadavg",
    "nproc": "nproc",
    "memory": "free -m",
    "disk": "df -P {path}",
    "docker_compose": "docker-compose ps",
    "pm2": "pm2 status",
    "log": "tail -n {lines} {log}",
}
COMMAND_NOT_FOUND = 127
_VALUE = re.compile(r"\{(\w+)\}")


class Ran:
    """What one command answered: exit status and output, plus how to show it as evidence.

    `truncated` means the output passed the cap and the channel was closed: the exit status is
    then unknown (None) and the check says so rather than parse half an answer.
    """

    def __init__(
        self,
        host: HostConfig,
        command: str,
        exit_status: int | None,
        stdout: str,
        stderr: str,
        *,
        truncated_at: int = 0,
    ) -> None:
        self.host = host
        self.command = command
        self.exit_status = exit_status
        self.stdout = stdout
        self.stderr = stderr
        self.truncated_at = truncated_at

    @property
    def ok(self) -> bool:
        return self.exit_status == 0 and not self.truncated_at

    def evidence(self, **extra: Any) -> dict[str, Any]:
        answer = self.stdout if self.stdout.strip() else self.stderr
        evidence = {
            "asked": f"ssh {self.host.name} {self.command!r}",
            "answer": truncate(f"exit {self.exit_status}\n{answer}".rstrip()),
            "exit_status": self.exit_status,
            **extra,
        }
        if self.truncated_at:
            evidence["truncated_at_bytes"] = self.truncated_at
        return evidence

    def failure(self, what: str) -> CheckResult:
        """The command did not succeed: unknown when the tool is absent, fail otherwise."""
        if self.truncated_at:
            return CheckResult(
                "error",
                None,
                "",
                f"{what}: output larger than {fmt_bytes(self.truncated_at)}; stopped reading",
                self.evidence(),
            )
        first = (self.stderr.strip() or self.stdout.strip()).splitlines()[:1]
        detail = f": {first[0]}" if first else ""
        if self.exit_status == COMMAND_NOT_FOUND:
            return CheckResult(
                "unknown", None, "", f"{what}: command not found on {self.host.name}", self.evidence()
            )
        return CheckResult(
            "fail", None, "", f"{what} exited {self.exit_status}{detail}"[:160], self.evidence()
        )


def host_command(host: HostConfig, name: str, **values: Any) -> ReadOnlyCommand:
    """The host's command `name` (its override, else the default) with `{values}` filled in
    word by word, so a log path with spaces stays one quoted word; `CommandRefused` when the
    override is not read-only."""
    template = host.commands.get(name) or DEFAULT_COMMANDS[name]
    text = {key: str(value) for key, value in values.items()}
    return parse_readonly(template, lambda word: _VALUE.sub(lambda m: text.get(m[1], m[0]), word))


async def run(context: CheckContext, host: HostConfig, command: str | ReadOnlyCommand) -> Ran:
    """Run `command` (checked against the allow-list) on the pooled connection.

    Output is read in chunks up to the context's cap; past it the channel is closed. A
    connection that died since the last sweep is noticed only when used, so it is dropped and
    the command retried once on a fresh one.
    """
    import asyncssh

    if not isinstance(command, ReadOnlyCommand):
        command = parse_readonly(command)
    for attempt in (1, 2):
        connection = await context.ssh(host)
        try:
            return await _run_capped(connection, host, command, context.max_response_bytes)
        except (
            asyncssh.ConnectionLost,
            asyncssh.DisconnectError,
            asyncssh.ChannelOpenError,
            ConnectionError,
        ) as exc:
            context.discard_ssh(host.name, connection)
            if attempt == 2:
                raise ConnectionError(f"{host.name}: {exc}") from exc
    raise AssertionError("unreachable")  # pragma: no cover


async def _run_capped(connection: Any, host: HostConfig, command: ReadOnlyCommand, cap: int) -> Ran:
    """One channel: the command's stdout and stderr kept up to `cap` bytes each, its exit status.

    A session that keeps each packet as it arrives (`_Capture`), not `create_process`: its
    stream readers cost two tasks and ~20 % more CPU per command, and a sweep runs dozens.
    """
    channel, capture = await connection.create_session(
        functools.partial(_capture_class(), cap), command.text, encoding=None
    )
    try:
        channel.write_eof()
        await capture.closed
    finally:
        channel.close()
    await channel.wait_closed()
    status = None if capture.cut else capture.exit_status
    out, err = b"".join(capture.out), b"".join(capture.err)
    return Ran(host, command.text, status, _text(out), _text(err), truncated_at=capture.cut)


@functools.cache
def _capture_class() -> Any:
    """The session class, made when asyncssh is first needed (nothing imports it before)."""
    import asyncssh

    class _Capture(asyncssh.SSHClientSession[bytes]):
        """The channel's packets, kept per stream up to the cap; past it the channel is
        closed (the remote command is stopped: nothing more is read)."""

        def __init__(self, cap: int) -> None:
            self._cap = cap
            self._channel: Any = None
            self.out: list[bytes] = []
            self.err: list[bytes] = []
            self._sizes = {False: 0, True: 0}
            self.cut = 0
            self.exit_status: int | None = None
            self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def connection_made(self, chan: Any) -> None:
            self._channel = chan

        def data_received(self, data: bytes, datatype: Any) -> None:
            if self.cut:
                return
            is_err = datatype == asyncssh.EXTENDED_DATA_STDERR
            size = self._sizes[is_err]
            if size + len(data) > self._cap:
                data, self.cut = data[: self._cap - size], self._cap
                self._channel.close()
            (self.err if is_err else self.out).append(data)
            self._sizes[is_err] = size + len(data)

        def exit_status_received(self, status: int) -> None:
            self.exit_status = status

        def connection_lost(self, exc: Exception | None) -> None:
            if self.closed.done():
                return
            if exc is not None and not self.cut:
                self.closed.set_exception(exc)
            else:
                self.closed.set_result(None)

    return _Capture


def _text(output: str | bytes | None) -> str:
    if isinstance(output, bytes):
        return output.decode(errors="replace")
    return output or ""
