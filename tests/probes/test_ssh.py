"""SSH checks against the sandbox's real asyncssh hosts: parsing, scenarios, host keys, pooling."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import asyncssh

from omniops_tui.config.model import HostConfig, load_config
from omniops_tui.probes.base import Threshold
from omniops_tui.probes.context import CheckContext
from omniops_tui.probes.runner import expand, run_check, sweep
from tests.probes.conftest import sandbox_context, spec

SSH_KINDS = (
    "ssh_uptime",
    "ssh_cpu",
    "ssh_memory",
    "ssh_disk",
    "ssh_docker_compose",
    "ssh_pm2",
    "ssh_log_errors",
)


def _default_threshold(kind: str) -> Threshold | None:
    return {
        "ssh_cpu": Threshold(below=70),
        "ssh_disk": Threshold(below=90, warn_above=80),
        "ssh_memory": Threshold(below=90, warn_above=80),
        "ssh_log_errors": Threshold(below=5, warn_above=1),
    }.get(kind)


def _specs(*kinds: str) -> list[Any]:
    return [spec(kind, kind, threshold=_default_threshold(kind)) for kind in kinds]


async def test_every_ssh_kind_passes_on_a_healthy_host_and_reads_real_figures(
    sandbox: Any, tmp_path: Path
) -> None:
    context = sandbox_context(sandbox, tmp_path)
    try:
        outcomes = await sweep(_specs(*SSH_KINDS), context)
        by_id = {s.id: r for s, r in outcomes}
        assert len(outcomes) == 2 * len(SSH_KINDS)  # expanded to prod-1 and prod-2
        assert {r.status for r in by_id.values()} == {"pass"}, {k: r.summary for k, r in by_id.items()}
        cpu = by_id["ssh_cpu@prod-1"]
        assert cpu.value == 35.2 and cpu.summary == "CPU 35.2 % < 70 %"
        assert by_id["ssh_disk@prod-1"].value == 42
        memory = by_id["ssh_memory@prod-1"]
        assert memory.unit == "%" and 30 < memory.value < 45 and "GB / 7.8 GB" in memory.summary
        assert by_id["ssh_docker_compose@prod-1"].summary == "all 4 services up"
        assert by_id["ssh_pm2@prod-1"].summary == "all 1 processes online"
        assert by_id["ssh_uptime@prod-1"].summary.startswith("up ")
        assert by_id["ssh_cpu@prod-1"].evidence["asked"] == "ssh prod-1 'top -bn1'"
        assert by_id["ssh_cpu@prod-1"].evidence["answer"].startswith("exit 0\ntop - ")
        # one connection per host, shared by every check, kept for the next sweep
        assert sandbox.open_ssh_connections == 2
        await sweep(_specs(*SSH_KINDS), context)
        assert sandbox.open_ssh_connections == 2
    finally:
        await context.aclose()


async def test_scenarios_turn_host_checks_red_and_back(sandbox: Any, tmp_path: Path) -> None:
    context = sandbox_context(sandbox, tmp_path)
    kinds = ("ssh_cpu", "ssh_disk", "ssh_docker_compose", "ssh_pm2", "ssh_log_errors")

    async def statuses() -> dict[str, str]:
        return {s.id: r.status for s, r in await sweep(_specs(*kinds), context) if s.host == "prod-1"}

    try:
        assert set((await statuses()).values()) == {"pass"}
        sandbox.set_scenario("error-spike")
        red = await statuses()
        assert red["ssh_cpu@prod-1"] == "fail" and red["ssh_log_errors@prod-1"] == "fail"
        sandbox.set_scenario("disk-full")
        disk = await run_check(spec("ssh_disk", threshold=Threshold(below=90), on_host="prod-1"), context)
        assert disk.status == "fail" and disk.summary.startswith("disk / 97 % >= 90 %")
        sandbox.set_scenario("outage")
        down = {s.id: r for s, r in await sweep(_specs("ssh_docker_compose", "ssh_pm2"), context)}
        assert down["ssh_docker_compose@prod-1"].status == "fail"
        assert "omniops-app Exit 137" in down["ssh_docker_compose@prod-1"].summary
        assert down["ssh_pm2@prod-1"].summary == "1 of 1 not online: omniops-app errored"
        sandbox.set_scenario("healthy")
        assert set((await statuses()).values()) == {"pass"}
    finally:
        await context.aclose()


async def test_memory_rising_across_sweeps_is_not_stable(sandbox: Any, tmp_path: Path) -> None:
    context = sandbox_context(sandbox, tmp_path)
    memory = spec(
        "ssh_memory", "mem", threshold=Threshold(below=90, warn_above=80), max_rise=10.0, on_host="prod-1"
    )
    try:
        first = await run_check(memory, context)
        assert first.status == "pass"
        sandbox.set_scenario("slow")  # 5.1 GB used instead of 2.9 GB
        rising = await run_check(memory, context)
        assert rising.status == "warn" and "rising: +" in rising.summary
        assert rising.evidence["rise_points"] > 10
    finally:
        await context.aclose()


async def test_cpu_falls_back_to_loadavg_and_commands_can_be_overridden(sandbox: Any, tmp_path: Path) -> None:
    config = load_config(sandbox.write_config(tmp_path / "c.toml"))
    config.env["sandbox"].hosts[0].commands = {"cpu": "echo no top here"}
    context = CheckContext.from_config(config)
    try:
        cpu = await run_check(spec("ssh_cpu", threshold=Threshold(below=70), on_host="prod-1"), context)
        assert cpu.status == "pass" and cpu.value == round(100 * 0.82 / 4, 1)
        assert "(load 0.82 / 4 cores)" in cpu.summary
        assert cpu.evidence["asked"] == "ssh prod-1 'cat /proc/loadavg; nproc'"
    finally:
        await context.aclose()


async def test_commands_exit_codes_and_missing_tools(sandbox: Any, tmp_path: Path) -> None:
    context = sandbox_context(sandbox, tmp_path)
    try:
        ok = await run_check(spec("ssh_command", command="hostname", on_host="prod-2"), context)
        assert ok.status == "pass" and ok.summary == "exit 0: prod-2" and ok.value == 0
        assert (
            await run_check(
                spec("ssh_command", command="hostname", contains="prod-9", on_host="prod-2"), context
            )
        ).status == "fail"
        failing = await run_check(spec("ssh_command", command="ls /nope", on_host="prod-1"), context)
        assert failing.status == "fail" and failing.summary.startswith("ls /nope exited 2")
        assert failing.evidence["exit_status"] == 2
        absent = await run_check(spec("ssh_command", command="iostat -x", on_host="prod-1"), context)
        assert absent.status == "unknown" and "command not found on prod-1" in absent.summary
        refused = await run_check(spec("ssh_command", command="kubectl get pods", on_host="prod-1"), context)
        assert refused.status == "error"
        assert refused.summary.startswith("refused: `kubectl get pods`: kubectl is not on the read-only")
        no_log = await run_check(spec("ssh_log_errors", log="/var/log/nope.log", on_host="prod-1"), context)
        assert no_log.status == "fail" and "tail /var/log/nope.log exited" in no_log.summary
    finally:
        await context.aclose()


async def test_unknown_host_key_is_refused_with_its_fingerprint(sandbox: Any, tmp_path: Path) -> None:
    empty = tmp_path / "known_hosts_empty"
    empty.write_text("")
    config = load_config(sandbox.write_config(tmp_path / "c.toml"))
    host = config.env["sandbox"].hosts[0]
    host.known_hosts = str(empty)
    context = CheckContext.from_config(config)
    fingerprint = asyncssh.read_public_key(str(sandbox.host_key) + ".pub").get_fingerprint("sha256")
    try:
        result = await run_check(spec("ssh_uptime", on_host="prod-1"), context)
        assert result.status == "error"
        assert result.summary == (
            f"host key for prod-1 ({fingerprint}) is not in {empty}; verify it and add it with "
            f"`ssh-keyscan -p {host.port} 127.0.0.1 >> {empty}`"
        )
        assert result.evidence["answer"] == "refused"
        assert sandbox.open_ssh_connections == 0  # refused before authenticating
    finally:
        await context.aclose()


async def test_host_resolved_through_the_ssh_config_alone(sandbox: Any) -> None:
    """Only the name and the ssh_config: HostName, Port, User, IdentityFile, known hosts from it."""
    from omniops_tui.config.model import Config, Environment

    environment = Environment(name="s", hosts=[HostConfig(name="prod-2", ssh_config=str(sandbox.ssh_config))])
    context = CheckContext(Config(env={"s": environment}), environment)
    try:
        result = await run_check(spec("ssh_command", command="hostname", on_host="prod-2"), context)
        assert result.status == "pass" and result.summary == "exit 0: prod-2"
    finally:
        await context.aclose()


async def test_dropped_connections_are_reopened(sandbox: Any, tmp_path: Path) -> None:
    context = sandbox_context(sandbox, tmp_path)
    try:
        assert {r.status for _s, r in await sweep(_specs("ssh_uptime"), context)} == {"pass"}
        assert sandbox.drop_ssh_connections() == 2
        again = await sweep(_specs("ssh_uptime", "ssh_disk"), context)
        assert {r.status for _s, r in again} == {"pass"}
        assert sandbox.open_ssh_connections == 2
    finally:
        await context.aclose()


async def test_dead_ssh_host_costs_one_timeout(sandbox: Any, tmp_path: Path) -> None:
    from omniops_tui.sandbox import BlackholeServer

    async with BlackholeServer() as hole:
        config = load_config(sandbox.write_config(tmp_path / "c.toml"))
        environment = config.env["sandbox"]
        environment.hosts.append(
            HostConfig(
                name="dead-1",
                hostname="127.0.0.1",
                port=hole.port,
                known_hosts=environment.hosts[0].known_hosts,
            )
        )
        context = CheckContext(config, environment, timeout=1.0)
        try:
            outcomes = await sweep(_specs("ssh_uptime", "ssh_cpu", "ssh_memory", "ssh_disk"), context)
            dead = [r for s, r in outcomes if s.host == "dead-1"]
            alive = [r for s, r in outcomes if s.host != "dead-1"]
            assert len(dead) == 4 and {r.status for r in dead} == {"error"}
            assert all("timed out after 1 s" in r.summary for r in dead)
            assert {r.status for r in alive} == {"pass"}
            assert hole.connections == 1  # the four checks shared one connection attempt: one timeout
        finally:
            await context.aclose()


async def test_ssh_not_configured_and_expansion() -> None:
    from omniops_tui.config.model import Config, Environment

    bare = CheckContext(Config(), None)
    result = await run_check(spec("ssh_cpu"), bare)
    assert (result.status, result.summary) == ("unknown", "not configured")
    environment = Environment(name="e", hosts=[HostConfig(name="a"), HostConfig(name="b")])
    context = CheckContext(Config(env={"e": environment}), environment)
    ids = [
        s.id
        for s in expand(
            [spec("ssh_cpu", "cpu"), spec("ssh_disk", "disk", hosts=["b"]), spec("http", "health")], context
        )
    ]
    assert ids == ["cpu@a", "cpu@b", "disk@b", "health"]
