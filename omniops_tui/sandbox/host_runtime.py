"""One sandbox host: its files and the command table its shell dispatches to.

`HostRuntime` binds a host's name and index to the shared production state and its log
source, and exposes `run(command_line, sink)`. Read-only commands render `HostFacts`
(see host_commands.py); the few mutating runbook commands (`docker-compose restart`,
`pm2 reload`, `nginx -s reload` …) print what the real tool prints and change nothing, so the
demo can "run" a step without the sandbox drifting from its scenario.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import deque
from collections.abc import AsyncGenerator, Callable

from omniops_tui.sandbox import host_commands as hc
from omniops_tui.sandbox import hostile
from omniops_tui.sandbox.host_facts import SWAP_TOTAL_MB, HostFacts
from omniops_tui.sandbox.host_operations import Operations
from omniops_tui.sandbox.logs import COMBINED_LOG, ERROR_LOG, LOG_DIR, LOG_FILES, LogSource
from omniops_tui.sandbox.scenarios import ProductionState, commit_of
from omniops_tui.sandbox.shell import Shell
from omniops_tui.sandbox.shell_builtins import Chunks, Handler, Proc, Sink, split_flags

#: How many of the latest command lines a host keeps (`Sandbox.commands_received`).
RECEIVED_KEPT = 10_000
#: How many lines a whole-file read (`cat`, `grep PATTERN FILE`) sees.
FILE_LINES = 2000
PM2_LOG_DIR = "/home/omniops/.pm2/logs"
_PM2_FILES = {
    f"{PM2_LOG_DIR}/omniops-app-out.log": COMBINED_LOG,
    f"{PM2_LOG_DIR}/omniops-app-error.log": ERROR_LOG,
}
_SERVICES = ("app", "worker", "nginx", "redis")
_COMPONENT = re.compile(r"^\S+ \S+\s+\[(\w+)\]")
_PREVIOUS_VERSIONS = ("v1.2.0", "v1.1.0", "v1.0.0")


class HostRuntime:
    """A production host as its shell sees it: facts, files, commands."""

    def __init__(
        self, name: str, index: int, state: ProductionState, logs: LogSource, answer_delay: float = 0.0
    ) -> None:
        self.name = name
        self.answer_delay = answer_delay  # seconds before each answer: a network's round trip
        self.index = index
        self.state = state
        self.logs = logs
        self.ops = Operations(self)
        self.shell = Shell(self._commands(), self)
        self.received: deque[str] = deque(maxlen=RECEIVED_KEPT)

    def facts(self) -> HostFacts:
        return HostFacts.of(self.state, self.name, self.index)

    async def run(self, command_line: str, sink: Sink, variables: dict[str, str] | None = None) -> int:
        """Run a command line for a client; a client that hung up mid-answer ends it quietly."""
        self.received.append(command_line)  # what arrived, exactly: the read-only tests read it
        if self.answer_delay:
            await asyncio.sleep(self.answer_delay)
        try:
            return await self.shell.run(command_line, sink, variables)
        except (BrokenPipeError, ConnectionError):
            return 141  # what a shell reports for SIGPIPE

    # ------------------------------------------------------------------ files
    def read(self, path: str) -> list[str] | None:
        path = _PM2_FILES.get(path, path)
        if path in LOG_FILES:
            return self.logs.history(path, FILE_LINES)
        f = self.facts()
        static = {
            "/proc/loadavg": hc.loadavg(f),
            "/proc/uptime": f"{f.uptime_s:.2f} {f.uptime_s * 3.71:.2f}\n",
            "/proc/meminfo": (
                f"MemTotal:       {f.mem_total_mb * 1024:>8} kB\n"
                f"MemFree:        {f.mem_free_mb * 1024:>8} kB\n"
                f"MemAvailable:   {f.mem_available_mb * 1024:>8} kB\n"
                f"Buffers:        {120 * 1024:>8} kB\n"
                f"Cached:         {(f.mem_buff_cache_mb - 120) * 1024:>8} kB\n"
                f"SwapTotal:      {SWAP_TOTAL_MB * 1024:>8} kB\n"
                f"SwapFree:       {SWAP_TOTAL_MB * 1024:>8} kB\n"
            ),
            "/etc/hostname": f"{self.name}\n",
        }
        text = static.get(path)
        return None if text is None else text.splitlines()

    def follow(self, path: str) -> Chunks | None:
        path = _PM2_FILES.get(path, path)
        return self.logs.follow(path) if path in LOG_FILES else None

    # ------------------------------------------------------------------ command table
    def _commands(self) -> dict[str, Handler]:
        return {
            "uptime": self._uptime,
            "nproc": self._text(lambda f: f"{f.nproc}\n"),
            "free": self._free,
            "df": self._df,
            "top": self._top,
            "hostname": self._hostname,
            "whoami": self._const("omniops\n"),
            "date": self._date,
            "omniops-probe": self._text(hc.probe),
            "docker-compose": self._compose,
            "docker": self._docker,
            "pm2": self._pm2,
            "ls": self._ls,
            "sleep": self._sleep,
            "git": self.ops.git,
            "npm": self.ops.npm,
            "systemctl": self.ops.systemctl,
            "nginx": self._nginx,
        }

    def _text(self, render: Callable[[HostFacts], str]) -> Handler:
        async def handler(args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
            yield render(self.facts())

        return handler

    @staticmethod
    def _const(text: str) -> Handler:
        async def handler(args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
            yield text

        return handler

    async def _uptime(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
        f = self.facts()
        if "-p" in args:
            days, rest = divmod(int(f.uptime_s), 86400)
            yield f"up {days} days, {rest // 3600} hours, {rest % 3600 // 60} minutes\n"
        else:
            yield hc.uptime(f)

    async def _free(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
        f = self.facts()
        if "-m" in args or "--mebi" in args:
            yield hc.free_m(f)
        elif "-h" in args:
            gi = lambda mb: f"{mb / 1024:.1f}Gi"  # noqa: E731
            yield (
                "               total        used        free      shared  buff/cache   available\n"
                f"Mem:      {gi(f.mem_total_mb):>10} {gi(f.mem_used_mb):>11} {gi(f.mem_free_mb):>11} "
                f"{'145Mi':>11} {gi(f.mem_buff_cache_mb):>11} {gi(f.mem_available_mb):>11}\n"
                f"Swap:     {'2.0Gi':>10} {'0B':>11} {'2.0Gi':>11}\n"
            )
        else:
            yield re.sub(r"\d+", lambda m: str(int(m.group()) * 1024), hc.free_m(f))

    async def _df(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
        flags, paths = split_flags(args)
        f = self.facts()
        text = hc.df_h(f) if "h" in flags else hc.df_posix(f)
        if paths:  # every path lives on the root filesystem here
            header, *rows = text.splitlines()
            root = [r for r in rows if r.rstrip().endswith(" /")]
            text = "\n".join([header, *root]) + "\n"
        yield text

    async def _top(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
        joined = " ".join(args)
        if "b" not in joined:
            proc.fail("top: failed tty get")
            return
        yield hc.top(self.facts())

    async def _hostname(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
        yield "127.0.0.1\n" if "-I" in args or "-i" in args else f"{self.name}\n"

    async def _date(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
        fmt = next((a[1:] for a in args if a.startswith("+")), "%a %b %d %H:%M:%S UTC %Y")
        yield time.strftime(fmt, time.gmtime()) + "\n"

    async def _ls(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
        _, paths = split_flags(args)
        listing = {
            LOG_DIR: "combined.log\nerror.log\nfirehose.log\n",
            "/opt/omniops": "docker-compose.yml\necosystem.config.js\nnode_modules\npackage.json\n",
            PM2_LOG_DIR: "omniops-app-error.log\nomniops-app-out.log\n",
        }
        path = (paths or ["/home/omniops"])[0].rstrip("/") or "/"
        if path in listing:
            yield listing[path]
        elif path in LOG_FILES:
            yield path + "\n"
        elif path != "/home/omniops":
            proc.fail(f"ls: cannot access '{path}': No such file or directory", 2)

    async def _sleep(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
        try:
            await asyncio.sleep(min(60.0, float(args[0].rstrip("s")) if args else 0.0))
        except ValueError:
            proc.fail(f"sleep: invalid time interval '{args[0]}'")
        return
        yield ""  # pragma: no cover

    async def _nginx(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
        if "-t" in args:
            proc.err(
                "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n"
                "nginx: configuration file /etc/nginx/nginx.conf test is successful\n"
            )
        return
        yield ""  # pragma: no cover

    # ------------------------------------------------------------------ docker
    async def _docker(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
        sub, rest = (args[0], args[1:]) if args else ("", [])
        if sub == "compose":
            async for chunk in self._compose(rest, inp, proc):
                yield chunk
        elif sub == "stats":
            names = [a for a in rest if not a.startswith("-")]
            while True:
                try:
                    yield hc.docker_stats(self.facts(), names)
                except LookupError as exc:
                    proc.fail(f"Error response from daemon: No such container: {exc.args[0]}")
                    return
                if "--no-stream" in rest:
                    return
                await asyncio.sleep(1.0)
        elif sub == "ps":
            up = self.facts().app_running
            yield (
                "CONTAINER ID   IMAGE                  STATUS                 NAMES\n"
                + (
                    f"3f2a9c1b7d4e   omniops:{self.state.version:<12} Up 12 days (healthy)   omniops-app\n"
                    if up
                    else ""
                )
                + "8c1d0e5f2a3b   nginx:1.25             Up 12 days             omniops-nginx\n"
                + "5b7e9a2c4d6f   redis:7-alpine         Up 12 days             omniops-redis\n"
            )
        elif sub == "tag" and len(rest) >= 2:
            source = rest[0].rsplit(":", 1)[-1]
            if rest[1].endswith(":latest") and source in self.ops.versions():
                self.state.stage_version(source)
        elif sub == "images":
            # The running version is `latest`; the other tags are the ones to roll back to.
            tags = ["latest", *(v for v in self.ops.versions() if v != self.state.version)]
            if any("{{.Tag}}" in a for a in rest):
                yield "\n".join(tags) + "\n"
            else:
                yield "REPOSITORY   TAG       IMAGE ID       CREATED        SIZE\n" + "".join(
                    f"omniops      {t:<9} {commit_of(t)}a1b2c   {i + 1} weeks ago    412MB\n"
                    for i, t in enumerate(tags)
                )
        else:
            proc.fail(f"docker: '{sub}' is not a docker command.\nSee 'docker --help'")

    async def _compose(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
        while args and args[0] in ("-f", "--file", "-p", "--project-name"):
            args = args[2:]
        sub, rest = (args[0], args[1:]) if args else ("", [])
        if sub == "ps":
            table = hc.docker_compose_ps(self.facts())
            yield table + hostile.compose_ps_row() if self.state.profile.hostile else table
        elif sub == "logs":
            async for chunk in self._compose_logs(rest, proc):
                yield chunk
        elif sub in ("restart", "stop", "start", "pull", "up", "down"):
            verb = {
                "restart": "Restarting",
                "stop": "Stopping",
                "start": "Starting",
                "pull": "Pulling",
                "up": "Starting",
                "down": "Stopping",
            }[sub]
            services = [s for s in rest if not s.startswith("-")] or ["app"]
            if "app" in services and sub in ("restart", "start", "up"):
                self.ops.restart("docker-compose")
            elif "app" in services and sub in ("stop", "down"):
                self.ops.stop()
            proc.err("".join(f"{verb} omniops-{s} ... done\n" for s in services))
        else:
            proc.fail(f"No such command: {sub}")

    async def _compose_logs(self, args: list[str], proc: Proc) -> Chunks:
        follow = "-f" in args or "--follow" in args
        count = FILE_LINES
        services: list[str] = []
        i = 0
        while i < len(args):
            arg = args[i]
            if arg.startswith("--tail="):
                count = _count(arg.split("=", 1)[1])
            elif arg == "--tail" and i + 1 < len(args):
                count = _count(args[i + 1])
                i += 1
            elif not arg.startswith("-"):
                services.append(arg)
            i += 1
        unknown = [s for s in services if s not in _SERVICES]
        if unknown:
            proc.fail(f"ERROR: No such service: {unknown[0]}")
            return
        if len(services) == 1:
            prefix = f"{services[0]}_1  | "
            source = COMBINED_LOG

            def tag(text: str) -> str:
                return prefix + text[:-1].replace("\n", "\n" + prefix) + "\n" if text else text
        else:
            source = COMBINED_LOG

            def tag(text: str) -> str:
                return "".join(f"{_service_of(ln)}| {ln}\n" for ln in text.splitlines())

        lines = self.logs.history(source, count) if count else []
        if lines:
            yield tag("\n".join(lines) + "\n")
        if follow:
            stream = self.logs.follow(source)
            try:
                async for chunk in stream:
                    yield tag(chunk)
            finally:
                await stream.aclose()

    # ------------------------------------------------------------------ pm2
    async def _pm2(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
        sub, rest = (args[0], args[1:]) if args else ("", [])
        if sub in ("status", "ls", "list", "l"):
            yield hc.pm2_status(self.facts())
        elif sub in ("describe", "show", "info"):
            if rest and rest[0] not in ("omniops-app", "0", "all"):
                proc.fail(f"[PM2][WARN] {rest[0]} doesn't exist")
                return
            yield hc.pm2_describe(self.facts())
        elif sub == "logs":
            async for chunk in self._pm2_logs(rest):
                yield chunk
        elif sub in ("restart", "reload", "stop", "start"):
            if sub == "stop":
                self.ops.stop()
            else:
                self.ops.restart("pm2")
            action = {
                "restart": "restartProcessId",
                "reload": "reloadProcessId",
                "stop": "stopProcessId",
                "start": "startProcessId",
            }[sub]
            yield (
                f"[PM2] Applying action {action} on app [omniops-app](ids: [ 0 ])\n[PM2] [omniops-app](0) ✓\n"
            )
            yield hc.pm2_status(self.facts())
        else:
            proc.fail(f"[PM2][ERROR] Command not found: {sub}")

    async def _pm2_logs(self, args: list[str]) -> AsyncGenerator[str, None]:
        count = 15  # pm2's default
        for i, arg in enumerate(args):
            if arg == "--lines" and i + 1 < len(args):
                count = _count(args[i + 1])
            elif arg.startswith("--lines="):
                count = _count(arg.split("=", 1)[1])
        source = ERROR_LOG if "--err" in args else COMBINED_LOG
        prefix = "0|omniops | "
        file_name = _pm2_file(source)
        yield (
            f"[TAILING] Tailing last {count} lines for [all] processes "
            "(change the value with --lines option)\n"
            f"{file_name} last {count} lines:\n"
        )
        lines = self.logs.history(source, count)
        if lines:
            yield "".join(f"{prefix}{ln}\n" for ln in lines)
        if "--nostream" in args:
            return
        yield "\n"
        stream = self.logs.follow(source)
        try:
            async for chunk in stream:
                yield prefix + chunk[:-1].replace("\n", "\n" + prefix) + "\n"
        finally:
            await stream.aclose()


def _pm2_file(source: str) -> str:
    return next(name for name, target in _PM2_FILES.items() if target == source)


def _count(text: str) -> int:
    return int(text) if text.isdigit() else FILE_LINES


def _service_of(line: str) -> str:
    match = _COMPONENT.match(line)
    component = match.group(1) if match else "api"
    service = {"worker": "worker_1", "proxy": "nginx_1"}.get(component, "app_1")
    return f"{service:<10}"
