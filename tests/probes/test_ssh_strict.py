"""SSH is strict (issue 10 §6), against sandbox hosts with generated SSH configs: a `none`
known-hosts setting trusts nothing, the agent is never forwarded, a changed key is refused as
CHANGED (no keyscan advice), and log streams connect just as strictly."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import asyncssh
import pytest

from omniops_tui.config.model import Config, Environment, HostConfig, load_config
from omniops_tui.live.log_stream import LogSource, LogStream
from omniops_tui.probes.context import CheckContext
from omniops_tui.probes.runner import run_check
from omniops_tui.probes.ssh_exec import run
from tests.probes.conftest import spec


def _ssh_config(tmp_path: Path, sandbox: Any, host: str, *lines: str, port: int = 0) -> Path:
    """An SSH config for one sandbox host with extra `lines` (what a user's ~/.ssh/config says)."""
    target = next(h for h in sandbox.hosts if h.name == host) if not port else None
    path = tmp_path / f"ssh_config_{host}"
    path.write_text(
        f"Host {host}\n  HostName 127.0.0.1\n  Port {port or target.port}\n  User omniops\n"  # type: ignore[union-attr]
        f"  IdentityFile {sandbox.client_key}\n  IdentitiesOnly yes\n"
        + "".join(f"  {line}\n" for line in lines),
        encoding="utf-8",
    )
    return path


def _context(host: HostConfig, timeout: float = 5.0) -> CheckContext:
    environment = Environment(name="s", hosts=[host])
    return CheckContext(Config(env={"s": environment}), environment, timeout=timeout)


async def test_known_hosts_none_in_the_ssh_config_trusts_nothing(sandbox: Any, tmp_path: Path) -> None:
    config = _ssh_config(tmp_path, sandbox, "prod-1", "UserKnownHostsFile none", "StrictHostKeyChecking no")
    context = _context(HostConfig(name="prod-1", ssh_config=str(config)))
    try:
        result = await run_check(spec("ssh_command", command="hostname", on_host="prod-1"), context)
    finally:
        await context.aclose()
    assert result.status == "error"
    assert "cannot be verified: known_hosts is `none`" in result.summary
    assert sandbox.commands_received() == [] and sandbox.open_ssh_connections == 0

    explicit = _context(HostConfig(name="prod-1", ssh_config=str(config), known_hosts="none"))
    try:
        result = await run_check(spec("ssh_uptime", on_host="prod-1"), explicit)
    finally:
        await explicit.aclose()
    assert result.status == "error" and "known_hosts is `none`" in result.summary
    assert sandbox.commands_received() == []


async def test_a_changed_host_key_gets_its_own_error(sandbox: Any, tmp_path: Path) -> None:
    other = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().strip()
    known = tmp_path / "known_hosts"
    port = sandbox.hosts[0].port
    known.write_text(f"[127.0.0.1]:{port} {other}\n", encoding="utf-8")
    config = _ssh_config(tmp_path, sandbox, "prod-1", f"UserKnownHostsFile {known}")
    offered = asyncssh.read_public_key(str(sandbox.host_key) + ".pub").get_fingerprint("sha256")
    for host in (
        HostConfig(name="prod-1", ssh_config=str(config)),  # known_hosts from the SSH config
        HostConfig(name="prod-1", ssh_config=str(config), known_hosts=str(known)),
    ):
        context = _context(host)
        try:
            result = await run_check(spec("ssh_uptime", on_host="prod-1"), context)
        finally:
            await context.aclose()
        assert result.status == "error"
        assert result.summary.startswith(
            "host key CHANGED for prod-1; possible man-in-the-middle; not connecting"
        )
        assert offered in result.summary and "ssh-keyscan" not in result.summary
    assert sandbox.commands_received() == []


async def test_log_streams_refuse_a_changed_key_too(sandbox: Any, tmp_path: Path) -> None:
    other = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().strip()
    known = tmp_path / "known_hosts"
    known.write_text(f"[127.0.0.1]:* {other}\n", encoding="utf-8")
    host = HostConfig(
        name="prod-2", ssh_config=str(_ssh_config(tmp_path, sandbox, "prod-2")), known_hosts=str(known)
    )
    context = _context(host)
    reasons: asyncio.Queue[str] = asyncio.Queue()

    class Listener:
        def stream_lines(self, source: LogSource, lines: list[str]) -> None: ...
        def stream_connected(self, source: LogSource) -> None: ...
        def stream_reconnected(self, source: LogSource, gap_s: float, attempts: int) -> None: ...

        def stream_disconnected(self, source: LogSource, reason: str, retry_in: float) -> None:
            reasons.put_nowait(reason)

    stream = LogStream(
        LogSource("prod-2:error.log", host, "tail -n 10 -F /var/log/omniops/error.log", "error.log"),
        context.ssh,
        Listener(),
    )
    task = asyncio.create_task(stream.run())
    try:
        reason = await asyncio.wait_for(reasons.get(), 30)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await context.aclose()
    assert reason.startswith("host key CHANGED for prod-2; possible man-in-the-middle")
    assert sandbox.commands_received() == []


async def test_the_agent_is_never_forwarded(
    sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A host that accepts agent forwarding and says whether it got it; `ForwardAgent yes` in the
    SSH config and an agent socket in the environment. A plain asyncssh client forwards (so the
    test can see forwarding); omniops-tui does not."""
    monkeypatch.setenv("SSH_AUTH_SOCK", str(tmp_path / "agent.sock"))

    async def answer(process: asyncssh.SSHServerProcess[str]) -> None:
        process.stdout.write(f"agent={process.channel.get_agent_path() is not None}\n")
        process.exit(0)

    server = await asyncssh.create_server(
        asyncssh.SSHServer,
        "127.0.0.1",
        0,
        server_host_keys=[str(sandbox.host_key)],
        authorized_client_keys=str(sandbox.client_key) + ".pub",
        process_factory=answer,
        agent_forwarding=True,
    )
    port = server.sockets[0].getsockname()[1]
    config = _ssh_config(
        tmp_path,
        sandbox,
        "agent-host",
        f"UserKnownHostsFile {sandbox.known_hosts}",
        "ForwardAgent yes",
        port=port,
    )
    try:
        async with asyncssh.connect("agent-host", config=[str(config)]) as plain:
            got = await plain.run("x")
            assert got.stdout == "agent=True\n", (got.stderr, got.exit_status)  # forwarding is visible
        context = _context(HostConfig(name="agent-host", ssh_config=str(config)))
        try:
            ran = await run(context, context.hosts[0], "uptime")
        finally:
            await context.aclose()
        assert ran.stdout == "agent=False\n"
    finally:
        server.close()
        await server.wait_closed()


async def test_the_sandbox_config_still_connects(sandbox: Any, tmp_path: Path) -> None:
    config = load_config(sandbox.write_config(tmp_path / "c.toml"))
    context = CheckContext.from_config(config)
    try:
        result = await run_check(spec("ssh_uptime", on_host="prod-1"), context)
    finally:
        await context.aclose()
    assert result.status == "pass", result


def test_aes_gcm_is_asked_for_first_without_adding_or_dropping_a_cipher() -> None:
    from omniops_tui.probes.ssh_options import prefer_ciphers

    defaults = [
        b"chacha20-poly1305@openssh.com",
        b"aes256-gcm@openssh.com",
        b"aes128-gcm@openssh.com",
        b"aes128-ctr",
    ]
    assert prefer_ciphers(defaults) == [
        b"aes256-gcm@openssh.com",
        b"aes128-gcm@openssh.com",
        b"chacha20-poly1305@openssh.com",
        b"aes128-ctr",
    ]
    only = [b"chacha20-poly1305@openssh.com", b"aes128-ctr"]  # an SSH config's `Ciphers` line
    assert prefer_ciphers(only) == only


async def test_connections_use_aes_gcm_and_a_ciphers_line_still_decides(sandbox: Any, tmp_path: Path) -> None:
    known = f"UserKnownHostsFile {sandbox.known_hosts}"
    first = HostConfig(name="prod-1", ssh_config=str(_ssh_config(tmp_path, sandbox, "prod-1", known)))
    limited_config = _ssh_config(tmp_path, sandbox, "prod-2", known, "Ciphers chacha20-poly1305@openssh.com")
    second = HostConfig(name="prod-2", ssh_config=str(limited_config))
    plain, limited = _context(first), _context(second)
    try:
        connection = await plain.ssh(first)
        assert connection.get_extra_info("send_cipher") == "aes256-gcm@openssh.com"
        connection = await limited.ssh(second)
        assert connection.get_extra_info("send_cipher") == "chacha20-poly1305@openssh.com"
    finally:
        await plain.aclose()
        await limited.aclose()
