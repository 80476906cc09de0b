"""Real servers on loopback for the diagnostics tests: SSH (asyncssh), HTTP, and PostgreSQL's address.

Small on purpose: an SSH server that answers the two diagnostics commands with canned output,
an HTTP server that answers the comprehensive health, and the ssh_runner the app would pass.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import asyncssh


@dataclass
class SshHost:
    """A running asyncssh server and the client credentials that reach it."""

    server: asyncssh.SSHAcceptor
    port: int
    client_key: asyncssh.SSHKey
    host_key: asyncssh.SSHKey
    outputs: dict[str, tuple[int, str, str]]
    seen: list[str] = field(default_factory=list)

    async def runner(self, host: str, command: str) -> tuple[int, str, str]:
        """The injected `ssh_runner`: a real SSH connection, host key verified."""
        async with asyncssh.connect(
            "127.0.0.1",
            self.port,
            username="oncall",
            client_keys=[self.client_key],
            known_hosts=([self.host_key.convert_to_public()], [], []),
            connect_timeout=5,
        ) as connection:
            result = await connection.run(command, check=False)
        return int(result.exit_status or 0), str(result.stdout or ""), str(result.stderr or "")


async def start_ssh_host(outputs: dict[str, tuple[int, str, str]]) -> SshHost:
    """An SSH server on 127.0.0.1 that runs nothing: each command gets its canned output."""
    host_key = asyncssh.generate_private_key("ssh-ed25519")
    client_key = asyncssh.generate_private_key("ssh-ed25519")
    authorized = asyncssh.import_authorized_keys(client_key.export_public_key().decode())
    seen: list[str] = []

    def handle(process: asyncssh.SSHServerProcess) -> None:
        command = process.command or ""
        seen.append(command)
        status, stdout, stderr = outputs.get(command, (127, "", f"sh: {command}: command not found\n"))
        process.stdout.write(stdout)
        process.stderr.write(stderr)
        process.exit(status)

    server = await asyncssh.create_server(
        asyncssh.SSHServer,
        "127.0.0.1",
        0,
        server_host_keys=[host_key],
        authorized_client_keys=authorized,
        process_factory=handle,
    )
    port = server.sockets[0].getsockname()[1]
    return SshHost(server, port, client_key, host_key, outputs, seen)


@contextmanager
def http_server(routes: dict[str, tuple[int, object]]) -> Iterator[str]:
    """A threaded HTTP server on loopback; yields its base URL. Values are (status, JSON body)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body = routes.get(self.path, (404, {"error": "not found"}))
            data = json.dumps(body).encode() if not isinstance(body, str) else body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
