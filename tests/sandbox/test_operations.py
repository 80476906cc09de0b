"""The sandbox hosts answer the runbooks' operational commands, and production changes with them."""

from __future__ import annotations

import asyncssh
import httpx

from omniops_tui.sandbox import Sandbox
from tests.sandbox.conftest import connect


async def sh(conn: asyncssh.SSHClientConnection, command: str) -> asyncssh.SSHCompletedProcess:
    return await conn.run(command, check=False)


async def test_stop_and_restart_change_what_health_and_logs_say(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    conn = await connect(sandbox)
    try:
        assert (await http.get("/api/health")).status_code == 200
        stopped = await sh(conn, "pm2 stop omniops-app")
        assert "stopProcessId" in stopped.stdout and "errored" in stopped.stdout
        assert sandbox.scenario == "outage" and (await http.get("/api/health")).status_code == 503
        status = await sh(conn, "systemctl status omniops")
        assert status.exit_status == 3 and "failed" in status.stdout
        await sh(conn, "docker-compose up -d")
        assert sandbox.scenario == "healthy" and (await http.get("/api/health")).status_code == 200
        logs = await sh(conn, "tail -n 50 /var/log/omniops/combined.log")
        assert "Stopping app:omniops-app" in logs.stdout and "App [omniops-app:0] online" in logs.stdout
    finally:
        conn.close()


async def test_a_rollback_ends_a_bad_deploys_error_spike(sandbox: Sandbox, http: httpx.AsyncClient) -> None:
    sandbox.set_scenario("error-spike")
    conn = await connect(sandbox)
    try:
        await sh(conn, "pm2 restart omniops-app")  # the same bad version: still spiking
        assert sandbox.scenario == "error-spike" and sandbox.version == "v1.2.1"
        script = (
            "cd /opt/omniops\n"
            "PREVIOUS_TAG=$(git tag --sort=-v:refname | head -2 | tail -1)\n"
            'echo "Rolling back to: $PREVIOUS_TAG"\n'
            "git checkout $PREVIOUS_TAG\n"
            "npm ci --production\n"
            "npm run build\n"
            "pm2 restart omniops-app\n"
        )
        result = await sh(conn, script)
        assert result.exit_status == 0, result.stderr
        assert "Rolling back to: v1.2.0" in result.stdout and "Compiled successfully" in result.stdout
        assert "HEAD is now at" in result.stderr
        assert sandbox.scenario == "healthy" and sandbox.version == "v1.2.0"
        assert (await http.get("/api/version")).json()["version"] == "v1.2.0"
        log = await sh(conn, "git log --oneline -2")
        assert (
            log.stdout.splitlines()[0].endswith("streaming chat responses")
            and len(log.stdout.splitlines()) == 2
        )
    finally:
        conn.close()


async def test_docker_rollback_stages_the_previous_image(sandbox: Sandbox) -> None:
    sandbox.set_scenario("outage")
    conn = await connect(sandbox)
    try:
        script = (
            "docker-compose down --remove-orphans\n"
            'PREVIOUS_TAG=$(docker images omniops --format "{{.Tag}}" | grep -v latest | head -1)\n'
            "docker tag omniops:$PREVIOUS_TAG omniops:latest\n"
            "docker-compose up -d\n"
            "docker-compose ps\n"
        )
        result = await sh(conn, script)
        assert result.exit_status == 0 and "Up (healthy)" in result.stdout
        assert sandbox.scenario == "healthy" and sandbox.version == "v1.2.0"
    finally:
        conn.close()


async def test_a_signal_interrupts_an_exec_request(sandbox: Sandbox) -> None:
    conn = await connect(sandbox)
    try:
        process = await conn.create_process("tail -f /var/log/omniops/combined.log")
        await process.stdout.readline()
        process.send_signal("INT")
        await process.wait_closed()
        assert process.exit_status == 130
    finally:
        conn.close()
