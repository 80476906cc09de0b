"""Memory and time are bounded: answers are read up to a cap (HTTP bodies, compressed or not,
SSH output, the diagnostics snapshot), and a check's configured timeout is the one that holds."""

from __future__ import annotations

import gzip
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from omniops_tui.config.model import load_config
from omniops_tui.live.diagnostics import gather_diagnostics
from omniops_tui.probes.bounded_http import cap_bytes, capped_client_options, cut_at
from omniops_tui.probes.context import CheckContext
from omniops_tui.probes.runner import run_check, timeout_for
from omniops_tui.probes.ssh_exec import run
from omniops_tui.runbooks.loader import BUNDLED_DIR
from tests.probes.conftest import LoopbackHTTP, context_from, env_toml, spec

MB = 1024 * 1024


async def test_bodies_plain_or_compressed_are_cut_at_the_cap() -> None:
    plain = b"x" * (5 * MB)
    bomb = gzip.compress(b"\0" * (64 * MB))  # ~64 KB on the wire, 64 MB once inflated

    async def handler(method: str, target: str, headers: dict[str, str], body: bytes) -> Any:
        if target == "/bomb":
            return 200, {"Content-Encoding": "gzip"}, bomb
        if target == "/small":
            return 200, {"Content-Encoding": "gzip"}, gzip.compress(b'{"status":"ok"}')
        return 200, {}, plain

    async with LoopbackHTTP(handler) as server, httpx.AsyncClient(**capped_client_options(MB)) as client:
        base = f"http://127.0.0.1:{server.port}"
        response = await client.get(f"{base}/plain")
        assert len(response.content) == MB and cut_at(response) == MB
        response = await client.get(f"{base}/bomb")
        assert len(response.content) == MB and cut_at(response) == MB
        response = await client.get(f"{base}/small")
        assert response.json() == {"status": "ok"} and cut_at(response) == 0
        assert response.request.headers["accept-encoding"] == "identity"
    assert cap_bytes(None) == MB and cap_bytes(0) == MB and cap_bytes(0.5) == MB // 2


async def test_a_huge_health_body_is_cut_and_said_so(sandbox: Any, tmp_path: Path) -> None:
    config = load_config(sandbox.write_config(tmp_path / "c.toml"))
    context = CheckContext.from_config(config)
    try:
        result = await run_check(spec("http", path="/api/health/huge?mb=64", contains="healthy"), context)
    finally:
        await context.aclose()
    assert result.status == "pass", result
    assert "(answer cut at 1 MB: it was larger)" in result.evidence["answer"]


async def test_ssh_output_past_the_cap_stops_even_an_endless_command(sandbox: Any, tmp_path: Path) -> None:
    path = sandbox.write_config(tmp_path / "c.toml")
    path.write_text("max_response_mb = 0.002\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    config = load_config(path)
    context = CheckContext.from_config(config)
    host = config.env["sandbox"].hosts[0]
    try:
        ran = await run(context, host, "tail -n 2000 -F /var/log/omniops/combined.log")
        assert ran.truncated_at == 2097 and len(ran.stdout.encode()) <= 2097 and ran.exit_status is None
        assert ran.failure("tail").summary == "tail: output larger than 2 KB; stopped reading"
        small = await run(context, host, "uptime")
        assert small.ok and small.truncated_at == 0  # the pooled connection is still good
    finally:
        await context.aclose()


async def test_the_diagnostics_health_snapshot_is_bounded(sandbox: Any, tmp_path: Path) -> None:
    result = await gather_diagnostics(
        tmp_path,
        ssh_runner=None,
        db_dsn=None,
        health_url=f"{sandbox.base_url}/api/health/huge?mb=32",
        timeline_md=None,
        timeout=10,
        max_response_bytes=64 * 1024,
    )
    snapshot = result.path / "health-snapshot.json"
    assert snapshot.stat().st_size < 200 * 1024
    assert any("health-snapshot.json: answer larger than 65536 bytes" in p for p in result.problems)


def test_configured_timeouts_hold_for_every_kind() -> None:
    context = context_from(env_toml(base_url="http://127.0.0.1:9", timeout=2))
    for kind in ("http_latency", "s3_backup", "http", "ssh_uptime"):
        assert timeout_for(spec(kind), context) == 2.0, kind
    assert timeout_for(spec("s3_backup", timeout=0.5), context) == 0.5


async def test_an_s3_check_gives_up_at_the_configured_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    from omniops_tui.sandbox import BlackholeServer

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")

    async with BlackholeServer() as hole:
        context = context_from(
            env_toml(
                timeout=1,
                s3={
                    "backup_url": "s3://b/p/",
                    "endpoint_url": f"http://{hole.address}",
                    "region": "us-east-1",
                },
            )
        )
        result = await run_check(spec("s3_backup"), context)
    assert result.status == "error" and result.summary == "timed out after 1 s"


async def test_check_reads_a_gigabyte_health_body_in_bounded_memory(sandbox: Any, tmp_path: Path) -> None:
    """`omniops-tui check` against an endpoint streaming 1 GB: its peak RSS stays under 200 MB."""
    import asyncio

    config = sandbox.write_config(tmp_path / "c.toml")
    folder = tmp_path / "runbooks"
    folder.mkdir()
    (folder / "runbooks.md").write_text((BUNDLED_DIR / "deployment-runbooks.md").read_text())
    (folder / "bindings.toml").write_text(
        'version = 1\n[checks.huge]\nkind = "http"\npath = "/api/health/huge?mb=1024"\n'
        'contains = "healthy"\nplaces = ["standard-release/step-8-performance-verification"]\n'
    )
    rss_file = tmp_path / "rss"
    # The peak is VmHWM (the high-water mark of this program's own memory), not getrusage's
    # ru_maxrss: Linux carries ru_maxrss across fork and exec, so the child would report the
    # pytest worker's own peak (310 MB in CI after the suite's other tests), not its own.
    measured = (
        "import atexit, sys\n"
        "out = sys.argv.pop(1)\n"
        "hwm = lambda: next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:'))\n"
        "atexit.register(lambda: open(out, 'w').write(hwm()))\n"
        "from omniops_tui.cli import main\n"
        "main()\n"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        measured,
        str(rss_file),
        "--config",
        str(config),
        "--runbooks",
        str(folder),
        "check",
        "standard-release",
        "--json",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, err.decode()
    assert '"summary": "200 OK in' in out.decode()
    peak_mb = int(rss_file.read_text()) / 1024
    assert peak_mb < 200, peak_mb
