"""write_config produces a config the app loads; BlackholeServer makes clients time out."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncssh
import httpx
import pytest

from omniops_tui.config.model import load_config
from omniops_tui.sandbox import BlackholeServer, Sandbox


async def test_written_config_loads_and_points_at_the_sandbox(tmp_path: Path) -> None:
    async with Sandbox(hosts=3) as sandbox:
        path = sandbox.write_config(
            tmp_path / "nested" / "config.toml",
            env_name="staging",
            database_url_env="OMNIOPS_TEST_DATABASE_URL",
            redis_url_env="OMNIOPS_TEST_REDIS_URL",
            s3={"backup_url": "s3://omniops-backups/production", "endpoint_url": "http://127.0.0.1:9"},
            extra_env={"latency_requests": 20},
        )
        config = load_config(path)
        env = config.environment()
        assert config.default_env == "staging" and env is not None
        assert config.check_interval == 15 and config.timeout == 5
        assert env.base_url == sandbox.base_url and env.expected_version == "v1.2.1"
        assert env.health_path == "/api/health"
        assert env.comprehensive_health_path == "/api/health/comprehensive"
        assert env.version_path == "/api/version"
        assert env.database_url_env == "OMNIOPS_TEST_DATABASE_URL"
        assert env.redis_url_env == "OMNIOPS_TEST_REDIS_URL"
        assert env.latency_requests == 20
        assert env.s3 is not None and env.s3.bucket == "omniops-backups"
        assert env.placeholders == {
            "yourdomain.com": sandbox.base_url.removeprefix("http://"),
            "production": "prod-1",
        }
        assert [h.name for h in env.hosts] == ["prod-1", "prod-2", "prod-3"]
        host = env.hosts[2]
        assert host.port == sandbox.hosts[2].port and host.user == "omniops"
        assert Path(host.ssh_config) == sandbox.ssh_config
        assert Path(host.known_hosts) == sandbox.known_hosts
        assert host.client_keys == [str(sandbox.client_key)]
        assert host.logs == ["/var/log/omniops/combined.log", "/var/log/omniops/error.log"]
        assert host.log_commands == ["docker-compose logs -f --tail=100 app", "pm2 logs --lines 100"]
        # the host entry is enough to connect, with or without the ssh_config
        async with await asyncssh.connect(
            host.name, config=[host.ssh_config], known_hosts=host.known_hosts, client_keys=host.client_keys
        ) as conn:
            assert (await conn.run("hostname")).stdout == "prod-3\n"
        async with await asyncssh.connect(
            host.hostname,
            port=host.port,
            username=host.user,
            config=[],
            known_hosts=host.known_hosts,
            client_keys=host.client_keys,
        ) as conn:
            assert (await conn.run("hostname")).stdout == "prod-3\n"


async def test_default_config_and_folder_lifecycle(tmp_path: Path) -> None:
    sandbox = Sandbox()
    with pytest.raises(RuntimeError):
        sandbox.write_config(tmp_path / "c.toml")
    await sandbox.start()
    folder = sandbox.workdir
    path = sandbox.write_config(folder / "config.toml")
    assert load_config(path).environment("sandbox") is not None
    assert oct(sandbox.client_key.stat().st_mode & 0o777) == "0o600"
    await sandbox.stop()
    assert not folder.exists()  # a folder it created is removed …

    own = tmp_path / "mine"
    async with Sandbox(workdir=own) as kept:
        assert kept.known_hosts.parent == own
    assert own.exists()  # … one it was given is not


async def test_blackhole_makes_http_time_out() -> None:
    async with BlackholeServer() as hole:
        assert hole.address == f"127.0.0.1:{hole.port}"
        with pytest.raises(httpx.ReadTimeout):  # connected, then nothing: the client's timeout
            async with httpx.AsyncClient(timeout=0.3) as client:
                await client.get(f"http://{hole.address}/api/health")
        assert hole.connections == 1


async def test_blackhole_makes_ssh_and_raw_protocols_time_out() -> None:
    async with BlackholeServer() as hole:
        with pytest.raises(asyncio.TimeoutError):
            await asyncssh.connect(
                "127.0.0.1", port=hole.port, known_hosts=None, config=[], connect_timeout=0.3
            )
        reader, writer = await asyncio.open_connection("127.0.0.1", hole.port)
        writer.write(b"*1\r\n$4\r\nPING\r\n")  # what a Redis client would say first
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(reader.read(1), timeout=0.2)
        writer.close()
    # stopped: the port is closed now, so a new connection is refused quickly
    with pytest.raises(OSError):
        await asyncio.open_connection("127.0.0.1", hole.port)
