"""The runbooks' operational commands on a sandbox host: believable output, real state changes.

`pm2 restart`, `docker-compose up -d`, `systemctl restart omniops` restart the application (a
staged version, from `git checkout v1.2.0` or `docker tag omniops:v1.2.0 omniops:latest`, is
deployed by that restart); `pm2 stop` and `docker-compose down` stop it. The shared
`ProductionState` decides what that does to the scenario (see its "operations"), so the health
endpoint, the checks and the logs tell the same story: the outage clears when Emergency
Rollback's restart runs. `git log`, `git status`, `npm ci`, `npm run build` and the tests
print what the real tools print for this application, and change nothing.
"""

from __future__ import annotations

import hashlib
import time
from typing import Protocol

from omniops_tui.sandbox.host_facts import HostFacts
from omniops_tui.sandbox.scenarios import ProductionState, commit_of
from omniops_tui.sandbox.shell_builtins import Chunks, Proc


class OperatedHost(Protocol):
    """What the operations need of a host: the production it belongs to, and its facts now."""

    state: ProductionState

    def facts(self) -> HostFacts: ...


KNOWN_VERSIONS = ("v1.2.1", "v1.2.0", "v1.1.0", "v1.0.0")
_RELEASE_NOTES = {
    "v1.2.1": "hotfix: guard against missing conversation content",
    "v1.2.0": "Release v1.2.0: streaming chat responses",
    "v1.1.0": "Release v1.1.0: WooCommerce product sync",
    "v1.0.0": "Release v1.0.0: first production deploy",
}


def _version_key(version: str) -> tuple[int, ...]:
    digits = version.lstrip("v").split(".")
    return tuple(int(d) if d.isdigit() else 0 for d in digits)


class Operations:
    """Command handlers that act on the production state of one host's sandbox."""

    def __init__(self, runtime: OperatedHost) -> None:
        self.runtime = runtime

    @property
    def state(self) -> ProductionState:
        return self.runtime.state

    def versions(self) -> list[str]:
        """Every tag, newest first (`git tag --sort=-v:refname`)."""
        return sorted({*KNOWN_VERSIONS, self.state.version}, key=_version_key, reverse=True)

    def checked_out(self) -> str:
        return self.state.staged_version or self.state.version

    # ------------------------------------------------------------------ the app
    def restart(self, how: str) -> str:
        self.state.restart_app()
        return f"{how} omniops-app ({self.state.version})"

    def stop(self) -> None:
        self.state.stop_app()

    # ------------------------------------------------------------------ git
    async def git(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
        sub, rest = (args[0], args[1:]) if args else ("", [])
        head = self.checked_out()
        if sub == "tag":
            yield "\n".join(self.versions()) + "\n"
        elif sub == "describe":
            yield head + "\n"
        elif sub == "rev-parse":
            full = hashlib.sha1(f"omniops {head}".encode()).hexdigest()  # commit_of's full form
            yield (commit_of(head) if "--short" in rest else full) + "\n"
        elif sub == "log":
            older = [v for v in self.versions() if _version_key(v) <= _version_key(head)]
            count = next((int(a.lstrip("-")) for a in rest if a.lstrip("-").isdigit()), len(older))
            yield "".join(f"{commit_of(v)} {_RELEASE_NOTES.get(v, 'Release ' + v)}\n" for v in older[:count])
        elif sub == "status":
            yield f"HEAD detached at {head}\nnothing to commit, working tree clean\n"
        elif sub == "checkout":
            target = next((a for a in rest if not a.startswith("-")), "")
            if target in self.versions():
                self.state.stage_version(target)
                proc.err(
                    f"Note: switching to '{target}'.\n\nYou are in 'detached HEAD' state.\n"
                    f"HEAD is now at {commit_of(target)} {_RELEASE_NOTES.get(target, target)}\n"
                )
            elif "-b" in rest:
                proc.err(f"Switched to a new branch '{target}'\n")
            elif target in ("main", "master"):
                self.state.stage_version(max(self.versions(), key=_version_key))
                proc.err(
                    f"Switched to branch '{target}'\nYour branch is up to date with 'origin/{target}'.\n"
                )
            else:
                proc.fail(f"error: pathspec '{target}' did not match any file(s) known to git", 1)
        elif sub in ("fetch", "pull"):
            if sub == "pull":
                yield "Already up to date.\n"
        else:
            proc.fail(f"git: '{sub}' is not available on this host", 1)

    # ------------------------------------------------------------------ npm
    async def npm(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
        sub, rest = (args[0], args[1:]) if args else ("", [])
        if sub in ("ci", "install", "i"):
            production = "--production" in rest or "--omit=dev" in rest
            added = 912 if production else 1284
            yield f"\nadded {added} packages, and audited {added + 1} packages in 38s\n"
            yield "\n148 packages are looking for funding\n  run `npm fund` for details\n"
            yield "\nfound 0 vulnerabilities\n"
        elif sub == "run" and rest:
            script = rest[0]
            yield f"\n> omniops@{self.checked_out().lstrip('v')} {script}\n"
            if script == "build":
                yield (
                    "> next build\n\n   ▲ Next.js 14.2.3\n\n   Creating an optimized production build ...\n"
                    " ✓ Compiled successfully\n ✓ Linting and checking validity of types\n"
                    " ✓ Collecting page data\n ✓ Generating static pages (42/42)\n"
                    " ✓ Finalizing page optimization\n"
                )
            elif script.startswith("test"):
                yield "> jest\n\nTest Suites: 86 passed, 86 total\nTests:       1024 passed, 1024 total\n"
            elif script == "lint":
                yield "> next lint\n\n✔ No ESLint warnings or errors\n"
            else:
                proc.fail(f'npm ERR! Missing script: "{script}"', 1)
        else:
            proc.fail(f"npm ERR! unknown command: {sub}", 1)

    # ------------------------------------------------------------------ systemd
    async def systemctl(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
        words = [a for a in args if not a.startswith("-")]
        sub = words[0] if words else ""
        unit = (words[1] if len(words) > 1 else "omniops").removesuffix(".service")
        app_unit = unit in ("omniops", "omniops-app")
        if sub == "status":
            running = self.runtime.facts().app_running or not app_unit
            since = time.strftime("%a %Y-%m-%d %H:%M:%S UTC", time.gmtime(time.time() - self.state.uptime()))
            state = f"active (running) since {since}" if running else "failed (Result: exit-code)"
            yield (
                f"{'●' if running else '×'} {unit}.service - {unit}\n"
                f"     Loaded: loaded (/etc/systemd/system/{unit}.service; enabled; preset: enabled)\n"
                f"     Active: {state}\n"
            )
            proc.status = 0 if running else 3
        elif sub in ("restart", "start") and app_unit:
            self.restart("systemd restarted")
        elif sub == "stop" and app_unit:
            self.stop()
        elif sub in ("reload", "restart", "start", "stop", "is-active", "enable"):
            if sub == "is-active":
                yield "active\n"
        else:
            proc.fail(f"Unknown command verb {sub}.", 1)
