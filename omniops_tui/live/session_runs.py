"""The engineer's runs in a live session: plan, confirm, start, stop, and what a run ticks.

`LiveSession.runs` is this. The UI asks it for a plan (substituted, classified, with the block's
default target and the environment's run policy), shows the plan's class and prompt, and hands
back the engineer's answer; `start` checks that answer again (`confirmation_for`: the rules are
the engine's, not the dialog's), records a refusal when it is wrong, and starts the run on the
session's one `CommandRunner`. Output is recorded up to the runner's cap and folded beyond it
(`fold_quietly`), so the output pane reads everything from `state.commands`, live and in replay.

When a run ends, the checklist items `runs.toml` binds to exactly that command tick themselves
(recorded with the output's tail as evidence); the other items a run concerns are kept as
offers the UI puts to the engineer (`take_offers`), only for a run that succeeded.

No Textual here; local runs start in the session's folder (where `D` writes its diagnostics
too), or in the config's `run_dir`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from omniops_tui.core.events import ItemChecked
from omniops_tui.live.base import Notice, SessionCore
from omniops_tui.runbooks.model import ChecklistItem, CommandBlock

if TYPE_CHECKING:
    # Imported at the first plan or run, not with the session: the policy pulls in the safety
    # rules and the placeholder catalogue, which the first screen does not need (issue 12).
    from omniops_tui.live.run_policy import Policy, RunPlan, Target
    from omniops_tui.live.run_ticks import RunBindings
    from omniops_tui.live.runner import CommandRun, CommandRunner


@dataclass(frozen=True, slots=True)
class TickOffer:
    """An item a finished run concerns, to tick by hand with the run as evidence."""

    item: ChecklistItem
    run_id: str
    evidence: str


class SessionRuns:
    """Runs of command blocks (and bound checklist items) for one live session."""

    def __init__(self, session: SessionCore) -> None:
        self._session = session
        self._runner: CommandRunner | None = None
        self._bindings: RunBindings | None = None
        self._offers: dict[str, tuple[TickOffer, ...]] = {}
        self._settled: set[str] = set()

    # ------------------------------------------------------------------ what applies
    @property
    def policy(self) -> Policy:
        """What the environment lets run (`--read-only`, `read_only = true`, its `run = …`)."""
        from omniops_tui.live.run_policy import Policy

        setup = self._session.setup
        return Policy.of(setup.config, setup.environment, read_only=setup.options.read_only)

    @property
    def bindings(self) -> RunBindings:
        """runs.toml beside the runbooks (or the bundled one): ticks and default targets."""
        if self._bindings is None:
            from omniops_tui.live.run_ticks import load_run_bindings

            self._bindings = load_run_bindings(self._runbooks_path(), set(self._items()))
        return self._bindings

    def targets(self) -> list[Target]:
        """What the target picker offers: the bastion, each host, all hosts together."""
        from omniops_tui.live.run_policy import targets

        return targets(self._session.setup.environment)

    @property
    def cwd(self) -> Path:
        """Where local runs start: the config's `run_dir`, else the session file's folder."""
        configured = getattr(self._session.setup.config, "run_dir", "")
        folder = Path(configured).expanduser() if configured else self._session.session_path.parent
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    @property
    def runner(self) -> CommandRunner:
        """The session's one runner, made at the first run (SSH runs share the checks' pool)."""
        if self._runner is None:
            from omniops_tui.live.headless_run import local_ssh_config
            from omniops_tui.live.runner import CommandRunner

            session = self._session
            environment = session.setup.environment
            self._runner = CommandRunner(
                record=session.record,
                show=session.fold_quietly,
                ssh=session.check_context() if environment is not None and environment.hosts else None,
                cwd=self.cwd,
                local_ssh_config=local_ssh_config(environment),
                via="ui",
            )
        return self._runner

    # ------------------------------------------------------------------ planning
    def plan_block(
        self,
        block: CommandBlock,
        runbook_id: str,
        *,
        target: Target | None = None,
        typed: Mapping[str, str] | None = None,
    ) -> RunPlan:
        """A command block's plan; `target` None: the block's default (runs.toml, or by class)."""
        return self._plan(block.code, block.language, target, typed, runbook_id=runbook_id, block_id=block.id)

    def item_command(self, item: ChecklistItem) -> str | None:
        """The command runs.toml binds to a checklist item (`x` on the item runs it), or None."""
        from omniops_tui.live.run_ticks import item_command

        return item_command(item, self.bindings)

    def plan_item(
        self,
        item: ChecklistItem,
        *,
        target: Target | None = None,
        typed: Mapping[str, str] | None = None,
    ) -> RunPlan | None:
        """The plan of an item's bound command (local unless picked); None when it has none."""
        from omniops_tui.live.run_policy import Target

        command = self.item_command(item)
        if command is None:
            return None
        return self._plan(
            command, "bash", target or Target.local(), typed, runbook_id=item.runbook_id, item_id=item.id
        )

    def _plan(
        self,
        code: str,
        language: str,
        target: Target | None,
        typed: Mapping[str, str] | None,
        **ids: str,
    ) -> RunPlan:
        from omniops_tui.live.run_policy import plan_command

        setup = self._session.setup
        return plan_command(
            code,
            setup.config,
            setup.environment,
            self.policy,
            language=language,
            target=target,
            typed=dict(typed or {}),
            runbooks=self._runbooks_path(),
            target_defaults=self.bindings.targets,
            **ids,
        )

    # ------------------------------------------------------------------ running
    def refuse(self, plan: RunPlan, reason: str) -> None:
        """Record a run that was asked for and refused (the UI says why on screen)."""
        from omniops_tui.live.run_policy import refused_event

        if self._session.writable:
            self._session.record(refused_event(plan, reason))

    def start(self, plan: RunPlan, answer: str | bool) -> CommandRun:
        """Check the engineer's answer and start the run; `Refused` (recorded) when it may not.

        `answer`: True for the one key of a read-only block or the yes of a changing one; the
        typed text for a destructive one.
        """
        from omniops_tui.live.run_policy import Refused, confirmation_for

        if not self._session.writable:
            raise Refused("the session has ended; nothing runs any more")
        try:
            label = confirmation_for(plan, answer)
        except Refused as exc:
            self.refuse(plan, exc.message)
            raise
        run = self.runner.start(plan, label)
        if run.task is not None:
            run.task.add_done_callback(lambda _task: self._settle(run))
        return run

    def run(self, run_id: str) -> CommandRun | None:
        """A run of this session that the runner still knows (None: replay or unknown)."""
        return self._runner.runs.get(run_id) if self._runner is not None else None

    def interrupt(self, run_id: str, by: str = "user") -> bool:
        """ctrl+c: SIGINT now, a kill after the grace period; False when nothing is running."""
        run = self.run(run_id)
        if run is None or run.finished:
            return False
        run.interrupt(by)
        return True

    @property
    def running(self) -> list[CommandRun]:
        return [run for run in (self._runner.runs.values() if self._runner else ()) if not run.finished]

    async def aclose(self) -> None:
        """The session ends: every run still going is stopped and its end recorded."""
        if self._runner is not None:
            await self._runner.aclose()

    def kill_now(self) -> None:
        """The session ends without `aclose` (the last resort): kill what still runs here."""
        if self._runner is not None:
            self._runner.kill_now()

    # ------------------------------------------------------------------ after a run
    def take_offers(self, run_id: str) -> tuple[TickOffer, ...]:
        """The items to offer for a finished run (each offered once; nothing while it runs)."""
        run = self.run(run_id)
        if run is not None and run.finished:
            self._settle(run)
        return self._offers.pop(run_id, ())

    def tick_from_run(self, offer: TickOffer) -> None:
        """The engineer accepted an offer: the item is ticked with the run as its evidence."""
        item = offer.item
        self._session.record(
            ItemChecked(
                runbook_id=item.runbook_id,
                item_id=item.id,
                text=item.text,
                source="run",
                reason=offer.evidence,
            )
        )

    def _settle(self, run: CommandRun) -> None:
        """Once per run: record the ticks its exact bound command earns; keep the offers."""
        if run.run_id in self._settled or run.started is None:
            return
        self._settled.add(run.run_id)
        from omniops_tui.live.run_ticks import decide_ticks

        items = self._items()
        codes = [host.exit_code for host in run.hosts.values()]
        decision = decide_ticks(self.bindings, run.started, codes, run.output_tail(), items)
        session = self._session
        for tick in decision.ticks:
            if session.writable:
                session.record(tick)
                session.notify(Notice(f"Ticked from the run: {tick.text}", timeout=4))
        if run.exit_code != 0 or run.interrupted_by:
            return  # a failed or stopped run is no evidence that an item is done
        ticked = {tick.item_id for tick in decision.ticks}
        state = session.state
        offers = tuple(
            TickOffer(items[item_id], run.run_id, _evidence(run))
            for item_id in decision.offers
            if item_id in items and item_id not in ticked and not state.is_done(item_id)
        )
        if offers:
            self._offers[run.run_id] = offers

    # ------------------------------------------------------------------ helpers
    def _items(self) -> dict[str, ChecklistItem]:
        return self._session.setup.runbooks.items_by_id()

    def _runbooks_path(self) -> Path | None:
        """`--runbooks` as given (a team's runs.toml and placeholders.toml sit beside it)."""
        return self._session.setup.options.runbooks


def _evidence(run: CommandRun) -> str:
    """`run-1a2b: exit 0 on prod-1, prod-2 · <the last lines>` (at most 400 characters)."""
    assert run.started is not None
    text = f"{run.run_id}: `{' '.join(run.started.command.split())[:120]}` exited 0 on {run.started.target}"
    tail = " / ".join(run.output_tail(3).strip().splitlines()[-3:])
    return (text + (f" · {tail}" if tail else ""))[:400]
