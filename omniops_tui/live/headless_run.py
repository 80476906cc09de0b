"""`omniops-tui run RUNBOOK STEP`: one step's command blocks, run with the UI's rules, recorded.

The same plan (substitution, classification, target, refusal) and the same runner as the UI;
what differs is the confirmation: a terminal cannot be asked, so changing blocks need `--yes`
and destructive ones `--yes --confirm ENV_NAME`. Every block of the step is planned before the
first one starts, so a refusal never leaves a step half done. Output goes to stdout as it comes
(prefixed with the host for a group), the record to a new session file, and the exit code is the
command's (130 when interrupted with ctrl+c).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from omniops_tui.core.errors import UserError
from omniops_tui.core.events import Event, SessionEnded, SessionStarted
from omniops_tui.core.text import visible, visible_line
from omniops_tui.live.run_policy import (
    Policy,
    Refused,
    RunPlan,
    Target,
    headless_confirmation,
    parse_target,
    plan_command,
    refused_event,
)
from omniops_tui.live.run_ticks import decide_ticks, item_command, load_run_bindings
from omniops_tui.live.runner import CommandRunner
from omniops_tui.runbooks.model import CommandBlock, Runbook, RunbookSet, Step, iter_blocks
from omniops_tui.runbooks.safety import classify_block


@dataclass(frozen=True, slots=True)
class StepChoice:
    """What `STEP` named: a step's blocks, one block, or a checklist item's bound command."""

    title: str
    blocks: tuple[CommandBlock, ...] = ()
    item: Any = None
    command: str = ""


def find_step(runbook: Runbook, key: str, bindings: Any) -> StepChoice:
    """A step by id, id suffix or number; a block id; or a checklist item with a bound command."""
    key = key.strip().strip("/")
    steps = runbook.steps()
    for step in steps:
        if step.id == key or step.id.endswith("/" + key) or step.number == key or _slug_tail(step) == key:
            return StepChoice(step.title, tuple(b for b in iter_blocks(step.blocks, CommandBlock)))
    for block in runbook.command_blocks():
        if block.id == key or block.id.endswith("/" + key):
            return StepChoice(block.id, (block,))
    for item in runbook.checklist_items():
        if item.id == key or item.id.endswith("/" + key):
            command = item_command(item, bindings)
            if command is None:
                raise UserError(f"checklist item '{item.id}' has no bound command to run (see runs.toml)")
            return StepChoice(item.text, item=item, command=command)
    known = ", ".join(s.id.split("/", 1)[1] for s in steps[:12])
    raise UserError(f"runbook '{runbook.id}' has no step, block or item '{key}' (steps: {known} …)")


def _slug_tail(step: Step) -> str:
    return step.id.rsplit("/", 1)[-1]


def local_ssh_config(environment: Any) -> Path | None:
    """The ssh_config every configured host names (the sandbox's), for `ssh` in local blocks."""
    configs = {h.ssh_config for h in getattr(environment, "hosts", []) or []}
    if len(configs) == 1 and next(iter(configs)):
        return Path(next(iter(configs))).expanduser()
    return None


def plan_choice(
    choice: StepChoice,
    runbook: Runbook,
    config: Any,
    environment: Any,
    *,
    target_spec: str | None,
    read_only: bool,
    typed: dict[str, str],
    runbooks_path: Path | None,
    bindings: Any,
) -> list[RunPlan]:
    """Plan every block of the choice (text blocks are skipped, they are not commands)."""
    policy = Policy.of(config, environment, read_only=read_only)
    chosen = parse_target(target_spec, environment) if target_spec else None
    common = {
        "typed": typed,
        "runbooks": runbooks_path,
        "target_defaults": bindings.targets,
        "runbook_id": runbook.id,
    }
    if choice.item is not None:
        return [
            plan_command(
                choice.command,
                config,
                environment,
                policy,
                target=chosen or Target.local(),
                item_id=choice.item.id,
                **common,
            )
        ]
    plans = [
        plan_command(
            block.code,
            config,
            environment,
            policy,
            language=block.language,
            target=chosen,
            block_id=block.id,
            **common,
        )
        for block in choice.blocks
        if not classify_block(block).not_a_command
    ]
    if not plans:
        raise UserError(f"'{choice.title}' has no command block to run")
    return plans


class _Printer:
    """Writes runs' output as it comes; a group's lines get a `host │ ` prefix. The output is
    outside text: control characters are made visible (issue 10 §1), so a host's `ESC ] 52`
    never reaches the terminal."""

    def __init__(self, out: TextIO, group: bool) -> None:
        self.out = out
        self.group = group
        self.partial: dict[str, str] = {}

    def listener(self, host: str) -> Callable[[str], None]:
        def write(text: str) -> None:
            if not self.group:
                self.out.write(visible(text))
                self.out.flush()
                return
            lines = (self.partial.get(host, "") + text).split("\n")
            self.partial[host] = lines.pop()
            for line in lines:
                self.out.write(f"{host} │ {visible(line)}\n")
            self.out.flush()

        return write

    def finish(self) -> None:
        for host, rest in self.partial.items():
            if rest:
                self.out.write(f"{host} │ {visible(rest)}\n" if self.group else visible(rest) + "\n")
        self.partial.clear()


async def run_plans(
    plans: list[RunPlan],
    confirmations: list[str],
    *,
    record: Callable[[Event], Any],
    ssh: Any,
    environment: Any,
    out: TextIO,
    err: TextIO,
    items: dict[str, Any],
    bindings: Any,
    cwd: Path | None = None,
) -> int:
    """Run the plans in order, stopping at the first failure; returns the exit code to use."""
    runner = CommandRunner(
        record=record, ssh=ssh, cwd=cwd, local_ssh_config=local_ssh_config(environment), via="headless"
    )
    loop = asyncio.get_running_loop()
    exit_code = 0
    for plan, confirmation in zip(plans, confirmations, strict=True):
        what = plan.block_id or plan.item_id
        err.write(f"── {what} on {plan.target.label} ({plan.classification.safety}, {confirmation})\n")
        run = runner.start(plan, confirmation)
        printer = _Printer(out, len(run.hosts) > 1)
        for host in run.hosts.values():
            host.output.listeners.append(printer.listener(host.host))
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGINT, run.interrupt, "user")
        try:
            await run.wait()
        finally:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signal.SIGINT)
        printer.finish()
        for host in run.hosts.values():
            if host.error:
                err.write(f"{host.host or 'local'}: {visible_line(host.error)}\n")
        codes = [h.exit_code for h in run.hosts.values()]
        assert run.started is not None
        decision = decide_ticks(bindings, run.started, codes, run.output_tail(), items)
        for tick in decision.ticks:
            record(tick)
            err.write(f"ticked: {tick.text}\n")
        for offered in decision.offers:
            text = items[offered].text if offered in items else offered
            err.write(f"to tick by hand (the run is the evidence): {text}\n")
        exit_code = 130 if run.interrupted_by else run.exit_code
        err.write(f"── exit {exit_code} in {max(h.duration_s for h in run.hosts.values()):.1f}s\n")
        if exit_code != 0:
            break
    return exit_code


def run_step(
    runbook_set: RunbookSet,
    runbooks_path: Path | None,
    config: Any,
    *,
    runbook_key: str,
    step_key: str,
    env_name: str | None,
    target_spec: str | None,
    yes: bool,
    confirm_name: str | None,
    typed: dict[str, str],
    read_only: bool,
    sessions_dir: Path,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """The whole `run` command; UserError (exit 2) for anything refused before a run starts."""
    from omniops_tui import __version__
    from omniops_tui.live.report import find_runbook
    from omniops_tui.probes.context import context_for
    from omniops_tui.sessions.recorder import SessionRecorder
    from omniops_tui.sessions.redact import build_redactor

    runbook = find_runbook(runbook_set, runbook_key)
    environment = config.environment(env_name)
    items = {item.id: item for item in runbook.checklist_items()}
    bindings = load_run_bindings(runbooks_path, set(items) | set(runbook_set.items_by_id()))
    choice = find_step(runbook, step_key, bindings)
    plans = plan_choice(
        choice,
        runbook,
        config,
        environment,
        target_spec=target_spec,
        read_only=read_only,
        typed=typed,
        runbooks_path=runbooks_path,
        bindings=bindings,
    )
    recorder = SessionRecorder.create(
        sessions_dir,
        runbook_set.sources,
        environment=getattr(environment, "name", "") or "",
        redactor=build_redactor(config, environment),
    )
    recorder.record(
        SessionStarted(
            tool_version=__version__,
            runbook_source=runbook_set.sources,
            environment=recorder.header.environment,
        )
    )
    try:
        confirmations = []
        for plan in plans:
            try:
                confirmations.append(headless_confirmation(plan, yes=yes, confirm_name=confirm_name))
            except Refused as exc:
                recorder.record(refused_event(plan, exc.message))
                raise Refused(f"{plan.block_id or plan.item_id}: {exc.message}") from None

        async def main() -> int:
            context = context_for(config, env_name) if environment is not None else None
            try:
                return await run_plans(
                    plans,
                    confirmations,
                    record=recorder.record,
                    ssh=context,
                    environment=environment,
                    out=out,
                    err=err,
                    items=items,
                    bindings=bindings,
                )
            finally:
                if context is not None:
                    await context.aclose()

        code = asyncio.run(main())
        err.write(f"session: {recorder.path}\n")
        return code
    finally:
        recorder.record(SessionEnded(reason="headless run"))
        recorder.close()
