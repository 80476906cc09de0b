"""Fixtures: a started sandbox per test (it starts in milliseconds) and SSH/HTTP clients for it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncssh
import httpx
import pytest

from omniops_tui.sandbox import Sandbox


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox(hosts=2) as running:
        yield running


@pytest.fixture
async def http(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sandbox.base_url, timeout=30) as client:
        yield client


async def connect(sandbox: Sandbox, name: str = "prod-1") -> asyncssh.SSHClientConnection:
    """Connect the way the app does: host name through the ssh_config, verified known_hosts."""
    return await asyncssh.connect(
        name, config=[str(sandbox.ssh_config)], known_hosts=str(sandbox.known_hosts), connect_timeout=30
    )


@pytest.fixture
async def ssh(sandbox: Sandbox) -> AsyncIterator[asyncssh.SSHClientConnection]:
    conn = await connect(sandbox)
    try:
        yield conn
    finally:
        conn.close()
        await conn.wait_closed()
