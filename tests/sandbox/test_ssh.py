"""The sandbox SSH hosts over real SSH (asyncssh client): commands, logs, streams, fleet, keys."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import asyncssh
import httpx
import pytest

from omniops_tui.sandbox import Sandbox
from tests.sandbox.conftest import connect

LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (INFO |WARN |ERROR) \[\w+\] \S.*$")
COMBINED = "/var/log/omniops/combined.log"
ERROR_LOG = "/var/log/omniops/error.log"


async def run(conn: asyncssh.SSHClientConnection, command: str) -> asyncssh.SSHCompletedProcess:
    return await asyncio.wait_for(conn.run(command), timeout=30)


async def read_for(process: asyncssh.SSHClientProcess, seconds: float) -> str:
    """Everything a stream sends during `seconds` (for checking that nothing comes)."""
    return await read_until(process, lambda text: False, timeout=seconds)


async def read_until(
    process: asyncssh.SSHClientProcess, done: Callable[[str], bool], timeout: float = 30
) -> str:
    """What a stream sends until `done(text)` holds (or the deadline passes: the caller asserts)."""
    text = ""
    deadline = time.monotonic() + timeout
    while not done(text) and (left := deadline - time.monotonic()) > 0:
        try:
            chunk = await asyncio.wait_for(process.stdout.read(65536), timeout=left)
        except TimeoutError:
            break
        if not chunk:
            break
        text += chunk
    return text


# ---------------------------------------------------------------------------- commands
async def test_every_read_only_command_answers(ssh: asyncssh.SSHClientConnection) -> None:
    expectations = {
        "uptime": r"^ \d\d:\d\d:\d\d up 12 days, .* load average: 0\.82, 0\.91, 0\.88$",
        "cat /proc/loadavg": r"^0\.82 0\.91 0\.88 \d+/\d+ \d+$",
        "nproc": r"^4$",
        "free -m": r"^\s+total\s+used\s+free\s+shared\s+buff/cache\s+available\nMem:\s+7962\s+2867\s",
        "df -h": r"^Filesystem\s+Size\s+Used\s+Avail\s+Use%\s+Mounted on\n/dev/nvme0n1p1\s+80G.*42% /",
        "df -P /": (
            r"^Filesystem\s+1024-blocks\s+Used\s+Available\s+Capacity\s+Mounted on\n"
            r"\S+(\s+\d+){3}\s+42% /$"
        ),
        "top -bn1 | head -20": r"^top - .*\nTasks: .*\n%Cpu\(s\):\s+\d",
        "top -bn1 | grep node": r"^\s+\d+ omniops .* 35\.2 .* node$",
        "docker-compose ps": r"omniops-app\s+docker-entrypoint.sh npm start\s+Up \(healthy\)",
        "pm2 status": r"│ omniops-app\s+│.*│ online\s+│",
        "pm2 describe omniops-app": r"│ status\s+│ online",
        "pm2 describe omniops-app | grep memory": r"^│ memory\s+│ \d+\.\d+gb",
        "docker stats --no-stream omniops-app": (
            r"^CONTAINER ID\s+NAME\s+CPU %.*\n"
            r"\w+\s+omniops-app\s+35\.20%"
        ),
        "docker stats --no-stream": r"omniops-redis",
        "hostname": r"^prod-1$",
        "whoami": r"^omniops$",
        "docker-compose logs --tail=1000": r"^app_1\s+\| \d{4}-",
        # The running version is `latest`: Emergency Rollback picks the one before it.
        "docker images omniops --format '{{.Tag}}' | grep -v latest | head -1": r"^v1\.2\.0$",
    }
    results = await asyncio.gather(*(run(ssh, command) for command in expectations))
    for (command, pattern), result in zip(expectations.items(), results, strict=True):
        assert result.exit_status == 0, (command, result.stderr)
        assert re.search(pattern, result.stdout.rstrip("\n"), re.M), (command, result.stdout)
    compose_logs = results[list(expectations).index("docker-compose logs --tail=1000")]
    assert len(compose_logs.stdout.splitlines()) == 1000


async def test_standard_outputs_agree_with_the_probe(sandbox: Sandbox) -> None:
    """A check parsing the standard commands gets exactly what omniops-probe says."""
    for scenario in ("healthy", "slow", "disk-full"):
        sandbox.set_scenario(scenario)
        conn = await connect(sandbox, "prod-2")  # prod-2 has a per-host offset
        async with conn:
            probe = json.loads((await run(conn, "omniops-probe")).stdout)
            load = (await run(conn, "cat /proc/loadavg")).stdout.split()
            mem = (await run(conn, "free -m")).stdout.splitlines()[1].split()
            df = (await run(conn, "df -P /")).stdout.splitlines()[1].split()
            cpus = int((await run(conn, "nproc")).stdout)
            top = (await run(conn, "top -bn1")).stdout
        idle = float(re.search(r"(\d+\.\d) id", top).group(1))  # type: ignore[union-attr]
        assert [float(x) for x in load[:3]] == [probe["load1"], probe["load5"], probe["load15"]]
        assert (int(mem[1]), int(mem[2])) == (probe["mem_total_mb"], probe["mem_used_mb"])
        assert int(df[4].rstrip("%")) == probe["disk_used_percent"]
        assert int(df[1]) == int(df[2]) + int(df[3])
        assert cpus == probe["nproc"] == 4
        assert abs((100 - idle) - probe["cpu_percent"]) < 0.11
        assert probe["uptime_s"] > 86400 * 12
        assert set(probe) >= {
            "load1",
            "load5",
            "load15",
            "cpu_percent",
            "mem_used_mb",
            "mem_total_mb",
            "disk_used_percent",
            "uptime_s",
        }


@pytest.mark.parametrize(
    ("scenario", "cpu_low", "cpu_high"), [("healthy", 30, 40), ("error-spike", 70, 75), ("slow", 80, 90)]
)
async def test_cpu_of_node_follows_the_scenario(
    sandbox: Sandbox, ssh: asyncssh.SSHClientConnection, scenario: str, cpu_low: float, cpu_high: float
) -> None:
    sandbox.set_scenario(scenario)
    line = (await run(ssh, "top -bn1 | grep node")).stdout.splitlines()[0]
    cpu = float(line.split()[8])
    assert cpu_low <= cpu <= cpu_high
    assert json.loads((await run(ssh, "omniops-probe")).stdout)["cpu_percent"] == cpu


async def test_disk_full_and_outage_show_on_the_host(
    sandbox: Sandbox, ssh: asyncssh.SSHClientConnection
) -> None:
    sandbox.set_scenario("disk-full")
    assert " 97% /" in (await run(ssh, "df -P /")).stdout
    assert " 97% /" in (await run(ssh, "df -h")).stdout
    sandbox.set_scenario("outage")
    assert re.search(r"omniops-app\s+.*Exit 137", (await run(ssh, "docker-compose ps")).stdout)
    assert "errored" in (await run(ssh, "pm2 status")).stdout
    no_node = await run(ssh, "top -bn1 | grep node")
    assert no_node.exit_status == 1 and no_node.stdout == ""
    sandbox.set_scenario("db-down")
    assert "Up (unhealthy)" in (await run(ssh, "docker-compose ps")).stdout


async def test_unknown_commands_and_shell_semantics(ssh: asyncssh.SSHClientConnection) -> None:
    missing = await run(ssh, "kubectl get pods")
    assert missing.exit_status == 127 and missing.stderr == "sh: 1: kubectl: not found\n"
    assert (await run(ssh, "docker-compose ps || pm2 status")).stdout.count("omniops-app") == 1
    fallback = await run(ssh, "nosuch 2>/dev/null || echo fallback")
    assert fallback.stdout == "fallback\n" and fallback.stderr == ""
    assert (await run(ssh, "false && echo no; echo yes")).stdout == "yes\n"
    assert (await run(ssh, "cd /opt/omniops && hostname")).stdout == "prod-1\n"
    no_match = await run(ssh, f"grep NO_SUCH_THING {COMBINED}")
    assert no_match.exit_status == 1
    assert (await run(ssh, "exit 3")).exit_status == 3
    assert (await run(ssh, "free -m | grep -c Mem")).stdout == "1\n"
    assert (await run(ssh, "cat /nope")).exit_status == 1


# ---------------------------------------------------------------------------- logs
async def test_tail_n_returns_realistic_lines(ssh: asyncssh.SSHClientConnection) -> None:
    result = await run(ssh, f"tail -n 50 {COMBINED}")
    lines = result.stdout.splitlines()
    assert len(lines) == 50 and all(LINE.match(line) for line in lines), lines[:3]
    assert lines == sorted(lines)  # timestamps ascend
    assert len((await run(ssh, f"tail -100 {COMBINED} | head -7")).stdout.splitlines()) == 7
    missing = await run(ssh, "tail -n 5 /var/log/omniops/nope.log")
    assert missing.exit_status == 1 and "No such file" in missing.stderr


@pytest.mark.parametrize(
    ("scenario", "needle"),
    [
        ("error-spike", "ERROR [api] POST /api/chat 500 TypeError: Cannot read properties of undefined"),
        ("db-down", "ERROR [db] connect ECONNREFUSED 10.0.0.5:5432"),
        ("slow", "WARN  [db] slow query"),
        ("disk-full", "WARN  [system] disk usage 97% on /"),
        ("outage", "ERROR [supervisor] omniops-app exited with code 137"),
    ],
)
async def test_error_log_content_per_scenario(
    sandbox: Sandbox, ssh: asyncssh.SSHClientConnection, scenario: str, needle: str
) -> None:
    sandbox.set_scenario(scenario)
    lines = (await run(ssh, f"tail -n 200 {ERROR_LOG}")).stdout.splitlines()
    assert len(lines) == 200
    assert all(" WARN " in line or " ERROR " in line for line in lines)
    assert any(needle in line for line in lines), lines[:5]


async def test_healthy_error_log_has_no_errors(ssh: asyncssh.SSHClientConnection) -> None:
    result = await run(ssh, f"tail -n 500 {ERROR_LOG} | grep ERROR | head -20")
    assert result.stdout == ""
    assert (await run(ssh, f"tail -n 100 {COMBINED} | grep ERROR")).exit_status == 1
    spike = await run(ssh, f"grep ERROR {ERROR_LOG} | tail -100 | sort | uniq -c | sort -rn")
    assert spike.stdout == ""


async def test_error_spike_fills_the_combined_log_with_errors(
    sandbox: Sandbox, ssh: asyncssh.SSHClientConnection
) -> None:
    sandbox.set_scenario("error-spike")
    result = await run(ssh, f"grep ERROR {ERROR_LOG} | tail -100 | sort | uniq -c | sort -rn | head -3")
    counts = [int(line.split()[0]) for line in result.stdout.splitlines()]
    assert counts and counts == sorted(counts, reverse=True)
    errors = (await run(ssh, f"tail -n 100 {COMBINED} | grep -c ERROR")).stdout
    assert int(errors) >= 20


async def test_test_error_endpoint_shows_up_in_the_logs(
    sandbox: Sandbox, ssh: asyncssh.SSHClientConnection
) -> None:
    async with httpx.AsyncClient(base_url=sandbox.base_url) as http:
        assert (await http.post("/api/test-error")).status_code == 202
    result = await run(ssh, f"tail -n 100 {COMBINED} | grep ERROR")
    assert "Test error triggered via /api/test-error" in result.stdout


async def test_tail_follow_streams_until_closed(ssh: asyncssh.SSHClientConnection) -> None:
    process = await ssh.create_process(f"tail -n 5 -F {COMBINED}")
    first = await read_until(process, lambda text: len(text.splitlines()) >= 5)
    more = await read_until(process, lambda text: len(text.splitlines()) >= 10)  # new lines keep coming
    assert len(first.splitlines()) >= 5
    lines = more.splitlines()
    assert len(lines) >= 10
    assert all(LINE.match(line) for line in lines[:-1])  # the last one may be cut by the chunk
    process.close()
    await asyncio.wait_for(process.wait_closed(), timeout=30)
    # the connection is still good for more work
    assert (await run(ssh, "hostname")).stdout == "prod-1\n"


async def test_follow_picks_up_a_scenario_switch(sandbox: Sandbox, ssh: asyncssh.SSHClientConnection) -> None:
    process = await ssh.create_process(f"tail -n 0 -f {ERROR_LOG} | grep ERROR")
    assert await read_for(process, 0.4) == ""  # healthy: no ERROR at all
    sandbox.set_scenario("db-down")
    text = await read_until(process, lambda text: "ECONNREFUSED 10.0.0.5:5432\n" in text)
    assert "ECONNREFUSED 10.0.0.5:5432" in text
    assert all(" ERROR " in line for line in text.splitlines())
    process.close()


async def test_log_commands_stream_with_their_prefixes(ssh: asyncssh.SSHClientConnection) -> None:
    compose = await ssh.create_process("docker-compose logs -f --tail=100 app")
    text = await read_until(compose, lambda text: text.count("\n") >= 105)
    compose.close()
    lines = text.splitlines()
    assert len(lines) >= 105 and all(line.startswith("app_1  | ") for line in lines)
    assert LINE.match(lines[-1].removeprefix("app_1  | "))

    pm2 = await ssh.create_process("pm2 logs --lines 100")
    text = await read_until(pm2, lambda text: text.count("0|omniops | ") >= 105 and text.endswith("\n"))
    pm2.close()
    lines = text.splitlines()
    assert lines[0].startswith("[TAILING] Tailing last 100 lines")
    prefixed = [line for line in lines if line.startswith("0|omniops | ")]
    assert len(prefixed) >= 105

    finite = await run(ssh, "pm2 logs --lines 20 --nostream")
    assert sum(line.startswith("0|omniops | ") for line in finite.stdout.splitlines()) == 20


async def test_head_ends_an_endless_stream(ssh: asyncssh.SSHClientConnection) -> None:
    result = await run(ssh, f"tail -F {COMBINED} | head -15")
    assert result.exit_status == 0 and len(result.stdout.splitlines()) == 15


async def test_firehose_is_chunked(ssh: asyncssh.SSHClientConnection) -> None:
    """The firehose arrives in big chunks, not line by line (its rate: bench/sandbox_firehose.py)."""
    process = await ssh.create_process("tail -F /var/log/omniops/firehose.log", encoding=None)
    lines, reads = 0, 0
    while lines < 100_000:
        lines += (await asyncio.wait_for(process.stdout.read(65536), timeout=30)).count(b"\n")
        reads += 1
    process.close()
    assert lines / reads > 100, (lines, reads)


async def test_log_rate_zero_makes_every_follow_a_firehose() -> None:
    async with Sandbox(log_rate=0) as sandbox, await connect(sandbox) as conn:
        result = await run(conn, f"tail -F {COMBINED} | head -20000")
        assert len(result.stdout.splitlines()) == 20000


# ---------------------------------------------------------------------------- sessions and connections
async def test_a_session_without_command_runs_a_stdin_script(ssh: asyncssh.SSHClientConnection) -> None:
    result = await asyncio.wait_for(ssh.run(input="hostname\n# comment\nnproc\nexit\nhostname\n"), timeout=30)
    assert result.stdout == "prod-1\n4\n"


async def test_drop_ssh_connections_ends_streams_and_allows_reconnects(sandbox: Sandbox) -> None:
    first, second = await connect(sandbox, "prod-1"), await connect(sandbox, "prod-2")
    stream = await first.create_process(f"tail -F {COMBINED}")
    assert await read_until(stream, bool)
    assert sandbox.open_ssh_connections == 2
    assert sandbox.drop_ssh_connections() == 2
    with pytest.raises(asyncssh.ConnectionLost):  # the stream ends at once instead of hanging
        await asyncio.wait_for(read_for(stream, 60), timeout=30)
    with pytest.raises((asyncssh.Error, OSError)):
        await run(second, "hostname")
    async with await connect(sandbox, "prod-1") as again:
        assert (await run(again, "hostname")).stdout == "prod-1\n"
    deadline = time.monotonic() + 30  # the server notices the client's goodbye a moment later
    while sandbox.open_ssh_connections and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    assert sandbox.drop_ssh_connections() == 0


async def test_many_hosts_start_fast_and_answer_through_the_ssh_config() -> None:
    async with Sandbox(hosts=25) as sandbox:
        assert [h.name for h in sandbox.hosts] == [f"prod-{i}" for i in range(1, 26)]
        assert len({h.port for h in sandbox.hosts}) == 25
        config = sandbox.ssh_config.read_text()
        assert "Host prod-25\n  HostName 127.0.0.1\n" in config and "User omniops" in config

        async def hostname(name: str) -> str:
            async with await connect(sandbox, name) as conn:
                return (await run(conn, "hostname")).stdout.strip()

        names = await asyncio.gather(*(hostname(h.name) for h in sandbox.hosts))
        assert names == [h.name for h in sandbox.hosts]
        probes = await asyncio.gather(*(_probe(sandbox, h.name) for h in sandbox.hosts[:5]))
        assert len({p["cpu_percent"] for p in probes}) > 1  # a fleet, not clones


async def _probe(sandbox: Sandbox, name: str) -> dict[str, float]:
    async with await connect(sandbox, name) as conn:
        return json.loads((await run(conn, "omniops-probe")).stdout)


async def test_known_hosts_is_verified(sandbox: Sandbox, tmp_path: Path) -> None:
    async with await connect(sandbox) as conn:
        assert (await run(conn, "whoami")).stdout == "omniops\n"
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    with pytest.raises(asyncssh.HostKeyNotVerifiable):
        await asyncssh.connect(
            "prod-1", config=[str(sandbox.ssh_config)], known_hosts=str(empty), connect_timeout=5
        )


async def test_only_the_generated_client_key_gets_in(sandbox: Sandbox, tmp_path: Path) -> None:
    stranger = tmp_path / "stranger_key"
    asyncssh.generate_private_key("ssh-ed25519").write_private_key(stranger)
    host = sandbox.hosts[0]
    with pytest.raises(asyncssh.PermissionDenied):
        await asyncssh.connect(
            host.host,
            port=host.port,
            username="omniops",
            client_keys=[str(stranger)],
            known_hosts=str(sandbox.known_hosts),
            config=[],
            agent_path=None,
            password=None,
            connect_timeout=5,
        )
    async with await asyncssh.connect(
        host.host,
        port=host.port,
        username="anyone",
        client_keys=[str(sandbox.client_key)],
        config=[],
        known_hosts=str(sandbox.known_hosts),
        connect_timeout=5,
    ) as conn:
        assert (await run(conn, "hostname")).stdout == "prod-1\n"


async def test_an_interactive_shell_has_a_prompt_and_ctrl_c_stops_a_stream(
    ssh: asyncssh.SSHClientConnection,
) -> None:
    process = await ssh.create_process(term_type="xterm", term_size=(80, 24))
    prompt = "omniops@prod-1:~$ "
    assert (await read_until(process, lambda text: text.endswith(prompt))).endswith(prompt)
    process.stdin.write("hostname\r")
    assert "prod-1\r\n" in await read_until(process, lambda text: "prod-1\r\n" in text)
    process.stdin.write(f"tail -F {COMBINED}\r")
    assert len((await read_until(process, lambda text: len(text.splitlines()) >= 10)).splitlines()) >= 10
    process.stdin.write("\x03")
    interrupted = await read_until(process, lambda text: text.endswith("^C\r\n" + prompt))
    assert interrupted.endswith("^C\r\n" + prompt)
    process.stdin.write("exit\r")
    await asyncio.wait_for(process.wait_closed(), timeout=30)
    assert process.exit_status == 130  # the status of the interrupted command
