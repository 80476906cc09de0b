"""Running a command block: on the bastion, on one host over SSH, or fanned out to a group.

No Textual here: the UI's output pane and the headless `run` both drive a `CommandRunner`.
A block runs as one script, exactly as written (`bash -c` locally; one exec request on the
pooled SSH connection remotely), so heredocs, pipes and `&&` work. Output streams in chunks:

- shown: every host's output goes to a bounded `RunOutput` (newest lines kept, control
  characters made visible), so a 100 MB flood costs a few hundred KB;
- recorded: `command_output` events, batched at line ends (a secret is never split across two
  events, so the recorder's redactor sees it whole; run_output.py), up to `record_cap_bytes`
  per run; the chunk that reaches the cap carries `capped = True`, later output is shown but
  not recorded: it goes to `show` (a live session's `fold_quietly`: into the fold the output
  pane reads, not the file).

`interrupt()` sends SIGINT to the local process group (or the remote channel), then kills
after `grace_s`; long-running commands (`tail -f`, `watch`) stop the same way. Each host's end is
recorded as `command_finished` with its exit code, duration and who interrupted it.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import os
import secrets
import signal
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omniops_tui.core.events import CommandFinished, CommandOutput, CommandStarted, Event
from omniops_tui.core.text import visible
from omniops_tui.live.run_output import DISPLAY_LINES, OutputBatcher, RunOutput
from omniops_tui.live.run_policy import RunPlan

READ_SIZE = 65536
RECORD_CAP_BYTES = 256 * 1024
GRACE_S = 3.0
CAP_MARKER = "\n[omniops-tui: output capped at {cap} KiB for the record; the rest was shown, not recorded]\n"
Record = Callable[[Event], Any]


@dataclass
class HostRun:
    """One host's part of a run ("" is the local shell)."""

    host: str
    output: RunOutput = field(default_factory=RunOutput)
    started: float = 0.0
    duration_s: float = 0.0
    exit_code: int | None = None
    interrupted_by: str = ""
    error: str = ""
    done: bool = False
    recorded_bytes: int = 0
    pid: int = 0  # a local run's process group, while it runs


class CommandRun:
    """A started run: its hosts' outputs and ends, and the way to stop it."""

    def __init__(self, run_id: str, plan: RunPlan, hosts: list[str], runner: CommandRunner) -> None:
        self.run_id = run_id
        self.plan = plan
        self.hosts = {host: HostRun(host) for host in hosts}
        self._runner = runner
        self._interrupt = asyncio.Event()
        self.interrupted_by = ""
        self.task: asyncio.Task[None] | None = None
        self.capped = False
        self._recorded = 0
        self.started: CommandStarted | None = None  # the recorded event

    @property
    def finished(self) -> bool:
        return all(h.done for h in self.hosts.values())

    @property
    def exit_code(self) -> int:
        """0 when every host succeeded, else the first failing host's code (1 when it has none)."""
        for host in self.hosts.values():
            if host.exit_code != 0:
                return host.exit_code if host.exit_code is not None else 1
        return 0

    def interrupt(self, by: str = "user") -> None:
        """Stop it: SIGINT now, a kill after the grace period."""
        if not self.interrupted_by:
            self.interrupted_by = by
        self._interrupt.set()

    async def wait(self) -> CommandRun:
        if self.task is not None:
            await asyncio.shield(self.task)
        return self

    def output_tail(self, lines: int = 5) -> str:
        parts = [
            f"{host or 'local'}: {run.output.tail(lines)}" if len(self.hosts) > 1 else run.output.tail(lines)
            for host, run in self.hosts.items()
        ]
        return "\n".join(parts)

    # ------------------------------------------------------------------ recording
    def _record_budget(self, size: int) -> tuple[int, bool]:
        """How much of `size` bytes may still be recorded, and whether this reaches the cap."""
        if self.capped:
            return 0, False
        room = self._runner.record_cap_bytes - self._recorded
        if size < room:
            self._recorded += size
            return size, False
        self.capped = True
        self._recorded += max(0, room)
        return max(0, room), True


class CommandRunner:
    """Starts runs from plans and records them; one per live session (or headless command).

    `ssh` is the SSH pool, a `probes.context.CheckContext` (`ssh.host(name)` finds a configured
    host, `await ssh.ssh(host)` its pooled connection); it only matters for host targets.
    `local_ssh_config`, when given, makes `ssh`/`rsync` inside local blocks use that file
    (the sandbox's hosts are not in ~/.ssh/config).
    """

    def __init__(
        self,
        *,
        record: Record | None = None,
        show: Record | None = None,
        ssh: Any = None,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        local_ssh_config: Path | None = None,
        record_cap_bytes: int = RECORD_CAP_BYTES,
        display_lines: int = DISPLAY_LINES,
        grace_s: float = GRACE_S,
        via: str = "ui",
    ) -> None:
        self.record = record or (lambda event: event)
        self.show = show
        self.ssh = ssh
        self.cwd = cwd
        self.env = dict(env) if env is not None else None
        self.local_ssh_config = local_ssh_config
        self.record_cap_bytes = record_cap_bytes
        self.display_lines = display_lines
        self.grace_s = grace_s
        self.via = via
        self.runs: dict[str, CommandRun] = {}

    def start(self, plan: RunPlan, confirmation: str) -> CommandRun:
        """Record `command_started` and start the run (call `confirmation_for` first)."""
        run_id = f"run-{secrets.token_hex(4)}"
        hosts = list(plan.target.hosts) if plan.target.kind != "local" else [""]
        run = CommandRun(run_id, plan, hosts, self)
        for host in run.hosts.values():
            host.output = RunOutput(self.display_lines)
        run.started = CommandStarted(
            run_id=run_id,
            runbook_id=plan.runbook_id,
            block_id=plan.block_id,
            item_id=plan.item_id,
            command=plan.command,
            target=plan.target.label,
            hosts=list(plan.target.hosts),
            safety=plan.classification.safety,
            confirmation=confirmation,
            placeholders=plan.substitution.values(),
            via=self.via,
        )
        self.record(run.started)
        self.runs[run_id] = run
        run.task = asyncio.ensure_future(self._run_all(run))
        return run

    async def run(self, plan: RunPlan, confirmation: str) -> CommandRun:
        return await self.start(plan, confirmation).wait()

    def kill_now(self) -> None:
        """The last resort when the session ends without `aclose` (a crash, a lost terminal):
        no local process group outlives the TUI. Remote commands end with their connection."""
        for run in self.runs.values():
            for host in run.hosts.values():
                if host.pid and not host.done:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.killpg(host.pid, signal.SIGKILL)

    async def aclose(self) -> None:
        """Stop every run still going (the session is ending) and wait for their records."""
        active = [run for run in self.runs.values() if not run.finished]
        for run in active:
            run.interrupt("shutdown")
        for run in active:
            with contextlib.suppress(Exception):
                await run.wait()

    # ------------------------------------------------------------------ running
    async def _run_all(self, run: CommandRun) -> None:
        await asyncio.gather(*(self._run_host(run, host) for host in run.hosts.values()))

    async def _run_host(self, run: CommandRun, host: HostRun) -> None:
        host.started = time.monotonic()
        batcher = OutputBatcher(lambda chunk: self._record_chunk(run, host, chunk))

        def emit(text: str) -> None:
            if text:
                host.output.feed(text)
                batcher.feed(text)

        try:
            if host.host:
                await self._run_remote(run, host, emit)
            else:
                await self._run_local(run, host, emit)
        except Exception as exc:  # the connection or the process could not be had
            host.error = visible(f"{type(exc).__name__}: {exc}")[:300]
        batcher.close()
        host.duration_s = time.monotonic() - host.started
        host.interrupted_by = run.interrupted_by
        host.done = True
        self.record(
            CommandFinished(
                run_id=run.run_id,
                host=host.host,
                exit_code=host.exit_code,
                duration_s=round(host.duration_s, 3),
                interrupted_by=host.interrupted_by,
                error=host.error,
                output_bytes=host.output.total_bytes,
                recorded_bytes=host.recorded_bytes,
            )
        )

    def _record_chunk(self, run: CommandRun, host: HostRun, chunk: str) -> None:
        if not chunk:
            return
        if run.capped:
            self._show_only(run, host, chunk)
            return
        data = chunk.encode("utf-8", errors="replace")
        allowed, reached = run._record_budget(len(data))
        if not allowed and not reached:
            return
        text = data[:allowed].decode("utf-8", errors="ignore")
        if reached:
            text += CAP_MARKER.format(cap=self.record_cap_bytes // 1024)
        host.recorded_bytes += allowed
        self.record(CommandOutput(run_id=run.run_id, host=host.host, text=text, capped=reached))
        if reached and allowed < len(data):
            self._show_only(run, host, data[allowed:].decode("utf-8", errors="ignore"))

    def _show_only(self, run: CommandRun, host: HostRun, text: str) -> None:
        """Output past the record's cap: shown (the pane reads the fold), never written."""
        if self.show is not None and text:
            self.show(CommandOutput(run_id=run.run_id, host=host.host, text=text))

    def _script(self, command: str) -> str:
        if self.local_ssh_config is None:
            return command
        config = str(self.local_ssh_config).replace("'", "'\\''")
        preamble = f"ssh() {{ command ssh -F '{config}' \"$@\"; }}\nexport RSYNC_RSH='ssh -F {config}'\n"
        return preamble + command

    async def _run_local(self, run: CommandRun, host: HostRun, emit: Callable[[str], None]) -> None:
        process = await asyncio.create_subprocess_exec(
            "bash",
            "-c",
            self._script(run.plan.command),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            cwd=str(self.cwd) if self.cwd else None,
            env=self.env,
            start_new_session=True,  # its own process group: SIGINT reaches the whole pipeline
        )
        assert process.stdout is not None
        host.pid = process.pid

        def stop(sig: int) -> None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, sig)

        def interrupt() -> None:
            # ctrl+c for what runs now, and the end of the script: a tool that exits on SIGINT
            # (ssh does) would otherwise let the next line of the block start.
            stop(signal.SIGINT)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(process.pid, signal.SIGTERM)

        watcher = asyncio.ensure_future(self._watch_interrupt(run, interrupt, lambda: stop(signal.SIGKILL)))
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        try:
            while True:
                data = await process.stdout.read(READ_SIZE)
                if not data:
                    break
                emit(decoder.decode(data))
            emit(decoder.decode(b"", final=True))
            code = await process.wait()
            host.exit_code = 128 - code if code < 0 else code  # killed by a signal: as a shell says
        finally:
            watcher.cancel()
            if process.returncode is None:
                stop(signal.SIGKILL)
                with contextlib.suppress(Exception):
                    await process.wait()

    async def _run_remote(self, run: CommandRun, host: HostRun, emit: Callable[[str], None]) -> None:
        import asyncssh

        if self.ssh is None or self.ssh.host(host.host) is None:
            raise LookupError(f"host {host.host} is not configured")
        connection = await self.ssh.ssh(self.ssh.host(host.host))
        # stdin stays open (and empty): an EOF would leave the remote side no way to notice a signal
        process = await connection.create_process(run.plan.command, stderr=asyncssh.STDOUT, encoding=None)

        def soft() -> None:
            with contextlib.suppress(Exception):
                process.send_signal("INT")

        def hard() -> None:
            with contextlib.suppress(Exception):
                process.close()

        watcher = asyncio.ensure_future(self._watch_interrupt(run, soft, hard))
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        try:
            while True:
                try:
                    data = await process.stdout.read(READ_SIZE)
                except (asyncssh.BreakReceived, asyncssh.SignalReceived):
                    continue
                if not data:
                    break
                emit(decoder.decode(data))
            emit(decoder.decode(b"", final=True))
            await process.wait_closed()
            host.exit_code = process.exit_status
            if host.exit_code is None and process.exit_signal:
                host.exit_code = 130
        finally:
            watcher.cancel()
            process.close()

    async def _watch_interrupt(
        self, run: CommandRun, soft: Callable[[], None], hard: Callable[[], None]
    ) -> None:
        await run._interrupt.wait()
        soft()
        await asyncio.sleep(self.grace_s)
        hard()
