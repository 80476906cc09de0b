"""Read-only through the real path: `omniops-tui check` and the live checks loop against the
sandbox, whose hosts and HTTP app log every command and request that arrives. A planted
destructive binding, method or host command must never arrive."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import tomli_w

from omniops_tui.config.model import load_config
from omniops_tui.core.events import CheckResultEvent
from omniops_tui.live.session import LiveSession
from omniops_tui.live.setup import load_setup, open_session
from omniops_tui.options import Options
from omniops_tui.probes.base import CheckSpec
from omniops_tui.probes.bindings import Bindings
from omniops_tui.runbooks.loader import BUNDLED_DIR
from omniops_tui.sessions.reader import read_session
from tests.probes.test_cli import run_cli

DESTRUCTIVE = "rm -rf /srv/app/releases/* ; systemctl restart app"
PLACE = "standard-release/step-8-performance-verification"


def _team_folder(tmp_path: Path, bindings: str) -> Path:
    folder = tmp_path / "team-runbooks"
    folder.mkdir()
    shutil.copy(BUNDLED_DIR / "deployment-runbooks.md", folder / "runbooks.md")
    (folder / "bindings.toml").write_text(bindings, encoding="utf-8")
    return folder


def _arrived(sandbox: Any, *words: str) -> list[str]:
    return [line for _host, line in sandbox.commands_received() if any(w in line for w in words)]


async def test_check_refuses_a_destructive_binding_before_anything_connects(
    sandbox: Any, tmp_path: Path
) -> None:
    config = sandbox.write_config(tmp_path / "sandbox.toml")
    folder = _team_folder(
        tmp_path,
        f'version = 1\n\n[checks.wipe]\nkind = "ssh_command"\ncommand = "{DESTRUCTIVE}"\n'
        f'places = ["{PLACE}"]\n',
    )
    team = ("--config", str(config), "--runbooks", str(folder))
    code, out, err = await run_cli(*team, "check", "standard-release")
    assert code == 2 and out == ""
    assert err.splitlines()[-1] == (
        f"omniops-tui: error: {folder / 'bindings.toml'}:5: checks.wipe.command refused: "
        f"`{DESTRUCTIVE}`: rm is not on the read-only allow-list (cat, date, df, docker, docker-compose, "
        "du, echo, free, git, grep, head, hostname, iostat, journalctl, ls, mpstat, netstat, nproc, "
        "pg_isready, pm2, ps, sort, ss, stat, systemctl, tail, top, uname, uniq, uptime, vmstat, wc, whoami)"
    )
    assert sandbox.commands_received() == []


async def test_check_refuses_a_delete_and_warns_about_a_folder_with_command_checks(
    sandbox: Any, tmp_path: Path
) -> None:
    config = sandbox.write_config(tmp_path / "sandbox.toml")
    folder = _team_folder(
        tmp_path,
        f'version = 1\n\n[checks.users]\nkind = "http"\nmethod = "DELETE"\npath = "/api/users/42"\n'
        f'places = ["{PLACE}"]\n',
    )
    team = ("--config", str(config), "--runbooks", str(folder))
    code, _out, err = await run_cli(*team, "check", "standard-release")
    assert code == 2
    assert "bindings.toml:5: checks.users: method DELETE is not allowed" in err
    assert not any(path == "/api/users/42" for _method, path in sandbox.requests_received())

    (folder / "bindings.toml").write_text(
        f'version = 1\n\n[checks.app]\nkind = "ssh_command"\ncommand = "docker-compose ps"\n'
        f'places = ["{PLACE}"]\n',
        encoding="utf-8",
    )
    code, out, err = await run_cli(*team, "check", "standard-release", "--json")
    assert code == 0, err
    warning = err.splitlines()[0]
    assert warning.startswith(f"omniops-tui: warning: {folder / 'bindings.toml'}: runbooks from another")
    assert "SSH command checks app" in warning
    assert {c["check_id"] for c in json.loads(out)["checks"]} == {"app@prod-1", "app@prod-2"}
    assert _arrived(sandbox, "docker-compose ps") == ["docker-compose ps", "docker-compose ps"]


async def test_a_log_path_is_one_quoted_word_and_a_bad_override_stops_check(
    sandbox: Any, tmp_path: Path
) -> None:
    hostile = "/var/log/my app/error.log; touch /tmp/x"
    config = sandbox.write_config(tmp_path / "sandbox.toml")
    data = load_config(config)
    raw = _config_data(config)
    for host in raw["env"]["sandbox"]["hosts"]:
        host["logs"] = [hostile]
    config.write_text(tomli_w.dumps(raw), encoding="utf-8")
    code, out, _err = await run_cli(
        "--config", str(config), "check", "standard-release", "--section", "verification-checklist", "--json"
    )
    checks = {c["check_id"]: c for c in json.loads(out)["checks"]}
    assert checks["log-errors@prod-1"]["status"] == "fail"  # no such file on the host
    assert _arrived(sandbox, "tail -n 500") == [f"tail -n 500 '{hostile}'"] * len(data.env["sandbox"].hosts)

    raw["env"]["sandbox"]["hosts"][1]["commands"] = {"cpu": "top -bn1; systemctl restart app"}
    config.write_text(tomli_w.dumps(raw), encoding="utf-8")
    before = len(sandbox.commands_received())
    code, out, err = await run_cli("--config", str(config), "check", "standard-release")
    assert code == 2 and out == ""
    assert (
        "commands.cpu refused: `top -bn1; systemctl restart app`: `systemctl restart` is not read-only" in err
    )
    assert len(sandbox.commands_received()) == before


def _config_data(path: Path) -> dict[str, Any]:
    import tomllib

    return tomllib.loads(path.read_text(encoding="utf-8"))


async def test_read_only_sends_no_smoke_test_post(sandbox: Any, tmp_path: Path) -> None:
    config = sandbox.write_config(tmp_path / "sandbox.toml")
    args = ("check", "standard-release", "--section", "verification-checklist", "--json")
    _code, out, err = await run_cli("--config", str(config), "--read-only", *args)
    checks = {c["check_id"]: c for c in json.loads(out)["checks"]}
    assert checks["smoke-chat"]["status"] == "unknown", err
    assert checks["smoke-chat"]["summary"] == "not run: read-only (a POST smoke test)"
    assert checks["health"]["status"] == "pass"  # GETs still run
    assert not [r for r in sandbox.requests_received() if r[0] == "POST"]

    raw = _config_data(config)
    raw["read_only"] = True
    config.write_text(tomli_w.dumps(raw), encoding="utf-8")
    _code, out, _err = await run_cli("--config", str(config), *args)
    assert {c["check_id"]: c["status"] for c in json.loads(out)["checks"]}["smoke-chat"] == "unknown"
    assert not [r for r in sandbox.requests_received() if r[0] == "POST"]

    raw["read_only"] = False
    config.write_text(tomli_w.dumps(raw), encoding="utf-8")
    _code, out, _err = await run_cli("--config", str(config), *args)
    assert {c["check_id"]: c["status"] for c in json.loads(out)["checks"]}["smoke-chat"] == "pass"
    assert ("POST", "/api/chat") in sandbox.requests_received()  # declared smoke test, not read-only


async def test_the_live_loop_never_sends_what_slipped_past_loading(sandbox: Any, tmp_path: Path) -> None:
    """The engine's live checks (a LiveSession) with bindings and a host command put in by code,
    so nothing validated them when they were loaded: the checks refuse them when they run."""
    config_path = sandbox.write_config(tmp_path / "sandbox.toml")
    setup = load_setup(Options(config=config_path, sessions_dir=tmp_path / "sessions"))
    assert setup.environment is not None
    setup.environment.hosts[0].commands = {"memory": "free -m && reboot"}
    specs = {
        "wipe": CheckSpec("wipe", "ssh_command", params={"command": DESTRUCTIVE}, places=(PLACE,)),
        "users": CheckSpec(
            "users", "http", params={"method": "DELETE", "path": "/api/users/42"}, places=(PLACE,)
        ),
        "chat": CheckSpec(
            "chat", "http", params={"method": "POST", "path": "/api/chat", "json": {}}, places=(PLACE,)
        ),
        "memory": CheckSpec("memory", "ssh_memory", params={}, places=(PLACE,)),
    }
    setup.bindings = Bindings(None, specs)
    recorder, state = open_session(setup)
    session = LiveSession(setup, recorder, state)
    try:
        await session.checks.sweep_once(session.checks.specs("standard-release"))
    finally:
        await session.aclose("quit")
    results = {e.check_id: e for e in read_session(recorder.path).events if isinstance(e, CheckResultEvent)}
    assert results["wipe@prod-1"].summary.startswith(f"refused: `{DESTRUCTIVE}`: rm is not on")
    assert results["users"].summary.startswith("refused: method DELETE is not allowed")
    assert results["chat"].summary.startswith("refused: method POST needs smoke_test = true")
    assert results["memory@prod-1"].summary.startswith("refused: `free -m && reboot`: reboot is not")
    assert results["memory@prod-2"].status == "pass"
    assert {e.status for k, e in results.items() if k != "memory@prod-2"} == {"error"}
    assert _arrived(sandbox, "rm ", "restart", "reboot") == []
    assert [line for _h, line in sandbox.commands_received()] == ["free -m"]
    assert not [r for r in sandbox.requests_received() if r[0] != "GET"]
