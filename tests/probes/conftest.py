"""Real servers for the check tests: PostgreSQL, Redis, moto S3, TLS/HTTP on loopback, the sandbox.

A service that cannot be reached FAILS the test (never skips): a green run must mean every
check kind really talked to its kind of server.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import pytest

from omniops_tui.config.model import parse_config
from omniops_tui.probes.base import CheckSpec, Threshold
from omniops_tui.probes.context import CheckContext
from omniops_tui.probes.registry import KINDS


def spec(
    kind: str,
    check_id: str = "",
    *,
    threshold: Threshold | None = None,
    timeout: float | None = None,
    on_host: str = "",
    **params: Any,
) -> CheckSpec:
    """A spec as bindings.toml would build it: the kind's defaults filled in (`on_host`: SSH host)."""
    merged = {name: p.default for name, p in KINDS[kind].params.items()}
    merged.update(params)
    return CheckSpec(
        id=check_id or kind, kind=kind, params=merged, threshold=threshold, timeout=timeout, host=on_host
    )


def context_from(toml: str, env: str | None = None) -> CheckContext:
    return CheckContext.from_config(parse_config(toml), env)


def env_toml(**values: Any) -> str:
    """`[env.t]` with the given keys (strings, numbers, lists), the only environment."""
    import tomli_w

    return tomli_w.dumps({"env": {"t": values}})


# ------------------------------------------------------------------------------ PostgreSQL
@pytest.fixture(scope="session")
def pg_server_url(postgres_url: str) -> str:
    return postgres_url


def _with_database(url: str, name: str) -> str:
    parsed = urlparse(url)
    return urlunparse(parsed._replace(path=f"/{name}"))


@pytest.fixture
async def pg_db(pg_server_url: str) -> AsyncIterator[str]:
    """A fresh database of our own (unique name), dropped afterwards: tests never collide."""
    import asyncpg

    name = f"omniops_t_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(pg_server_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield _with_database(pg_server_url, name)
    finally:
        admin = await asyncpg.connect(pg_server_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture
def pg_env(pg_db: str, monkeypatch: pytest.MonkeyPatch) -> Callable[..., CheckContext]:
    """A context whose database_url_env names a variable holding the fresh database's URL."""
    variable = f"OMNIOPS_T_DB_{uuid.uuid4().hex[:6].upper()}"
    monkeypatch.setenv(variable, pg_db)

    def make(**extra: Any) -> CheckContext:
        return context_from(env_toml(database_url_env=variable, timeout=30, **extra))

    return make


async def pg_execute(url: str, *statements: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


# ------------------------------------------------------------------------------ Redis
@pytest.fixture(scope="session")
def redis_server_url(redis_url: str) -> str:
    return redis_url


@pytest.fixture
def redis_env(redis_server_url: str, monkeypatch: pytest.MonkeyPatch) -> Callable[..., CheckContext]:
    monkeypatch.setenv("OMNIOPS_T_REDIS", redis_server_url)

    def make(url_variable: str = "OMNIOPS_T_REDIS") -> CheckContext:
        return context_from(env_toml(redis_url_env=url_variable, timeout=30))

    return make


# ------------------------------------------------------------------------------ S3 (moto)
@pytest.fixture
def s3_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """moto's threaded S3 server on a free loopback port; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


# ------------------------------------------------------------------------------ HTTP(S) on loopback
Handler = Callable[[str, str, dict[str, str], bytes], Awaitable[tuple[int, dict[str, str], bytes]]]


class LoopbackHTTP:
    """A tiny HTTP/1.1 server (optionally TLS) answering every request with `handler`."""

    def __init__(self, handler: Handler, ssl_context: Any = None) -> None:
        self.handler = handler
        self.ssl_context = ssl_context
        self.port = 0
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> LoopbackHTTP:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.ssl_context)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                line = await reader.readline()
                if not line:
                    return
                method, target, _version = line.decode().split(" ", 2)
                headers: dict[str, str] = {}
                while (header := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    key, _, value = header.decode().partition(":")
                    headers[key.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                status, out_headers, payload = await self.handler(method, target, headers, body)
                head = [f"HTTP/1.1 {status} X", f"Content-Length: {len(payload)}"]
                head += [f"{k}: {v}" for k, v in out_headers.items()]
                writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + payload)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError, OSError):
            pass
        finally:
            writer.close()


# ------------------------------------------------------------------------------ certificates
class CertFactory:
    """A private CA and leaf certificates signed by it (cryptography), written as PEM files."""

    def __init__(self, folder: Path) -> None:
        import datetime as dt

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        self._x509, self._hashes, self._ser, self._ec, self._oid, self._dt = (
            x509,
            hashes,
            serialization,
            ec,
            NameOID,
            dt,
        )
        self.folder = folder
        self.ca_key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "omniops test CA")])
        now = dt.datetime.now(dt.UTC)
        self.ca_cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=30))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    key_cert_sign=True,
                    crl_sign=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(self.ca_key, hashes.SHA256())
        )
        self.ca_file = folder / "ca.pem"
        self.ca_file.write_bytes(self.ca_cert.public_bytes(serialization.Encoding.PEM))

    def leaf(
        self,
        name: str,
        *,
        hosts: tuple[str, ...] = ("localhost",),
        days: float = 90,
        self_signed: bool = False,
        expired: bool = False,
    ) -> Any:
        """An `ssl.SSLContext` for a server presenting a certificate for `hosts`."""
        import ipaddress
        import ssl

        x509, dt = self._x509, self._dt
        key = self._ec.generate_private_key(self._ec.SECP256R1())
        now = dt.datetime.now(dt.UTC)
        subject = x509.Name([x509.NameAttribute(self._oid.COMMON_NAME, hosts[0])])
        names: list[x509.GeneralName] = []
        for host in hosts:
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(host)))
            except ValueError:
                names.append(x509.DNSName(host))
        start, end = (
            (now - dt.timedelta(days=60), now - dt.timedelta(days=1))
            if expired
            else (now - dt.timedelta(days=1), now + dt.timedelta(days=days))
        )
        issuer = subject if self_signed else self.ca_cert.subject
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(end)
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .sign(key if self_signed else self.ca_key, self._hashes.SHA256())
        )
        cert_file, key_file = self.folder / f"{name}.pem", self.folder / f"{name}.key"
        cert_file.write_bytes(cert.public_bytes(self._ser.Encoding.PEM))
        key_file.write_bytes(
            key.private_bytes(self._ser.Encoding.PEM, self._ser.PrivateFormat.PKCS8, self._ser.NoEncryption())
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        return context


@pytest.fixture
def certs(tmp_path: Path) -> CertFactory:
    folder = tmp_path / "certs"
    folder.mkdir()
    return CertFactory(folder)


# ------------------------------------------------------------------------------ sandbox
@pytest.fixture
async def sandbox() -> AsyncIterator[Any]:
    from omniops_tui.sandbox import Sandbox

    async with Sandbox(scenario="healthy", hosts=2, log_rate=5.0) as running:
        yield running


def sandbox_context(sb: Any, tmp_path: Path, **extra_env: Any) -> CheckContext:
    from omniops_tui.config.model import load_config

    extra_env.setdefault("timeout", 30)  # a loaded machine is slow, not down
    path = sb.write_config(tmp_path / f"sandbox-{uuid.uuid4().hex[:6]}.toml", extra_env=extra_env)
    return CheckContext.from_config(load_config(path))
