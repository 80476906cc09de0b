"""Before a command block runs: where, whether it may, and what the engineer must confirm.

Pure rules the UI and the headless `run` share, so a screen's confirmation dialog and the
command line refuse exactly the same things:

- an environment's `run = "off"` runs nothing; `--read-only`, `read_only = true` or
  `run = "read-only"` run read-only blocks only and say why the others are refused;
- text blocks and commands that would wait for a person are refused with a one-line reason;
- read-only blocks run after one key; blocks that change something need a confirmation naming
  the targets ("run on prod-1, prod-2?"); destructive ones need the environment's name typed in
  full; headless runs need `--yes` and, for destructive blocks, `--confirm NAME` as well;
- a block with an unresolved placeholder needs its value first (typed values are recorded).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from omniops_tui.core.errors import UserError
from omniops_tui.core.events import CommandRefused
from omniops_tui.runbooks.placeholders import Parts, Substitution, load_catalogue, substitute
from omniops_tui.runbooks.safety import Classification, classify

RunMode = Literal["read-only", "confirm", "off"]
RUN_MODES: tuple[str, ...] = ("read-only", "confirm", "off")
LOCAL = "local"


@dataclass(frozen=True, slots=True)
class Target:
    """Where a block runs: the local shell (the bastion), one host, or a group of hosts."""

    kind: Literal["local", "host", "group"] = "local"
    hosts: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return LOCAL if self.kind == "local" else ", ".join(self.hosts)

    @classmethod
    def local(cls) -> Target:
        return cls()


def targets(environment: Any) -> list[Target]:
    """What the target picker offers: local, each configured host, and all of them together."""
    names = tuple(h.name for h in getattr(environment, "hosts", []) or [])
    found = [Target.local(), *(Target("host", (name,)) for name in names)]
    if len(names) > 1:
        found.append(Target("group", names))
    return found


def parse_target(spec: str | None, environment: Any) -> Target:
    """`local`, a host name, `all`, or `prod-1,prod-2`; an unknown host is a UserError."""
    if not spec or spec == LOCAL:
        return Target.local()
    names = [h.name for h in getattr(environment, "hosts", []) or []]
    wanted = names if spec in ("all", "hosts") else [part.strip() for part in spec.split(",") if part.strip()]
    unknown = [name for name in wanted if name not in names]
    if unknown or not wanted:
        known = ", ".join(names) or "none configured"
        raise UserError(
            f"--target {spec}: unknown host {', '.join(unknown) or spec} (hosts: {known}, or local)"
        )
    return Target("host", tuple(wanted)) if len(wanted) == 1 else Target("group", tuple(wanted))


@dataclass(frozen=True, slots=True)
class Policy:
    """What an environment lets run, and why (for the refusal's one line)."""

    mode: RunMode = "confirm"
    reason: str = ""
    env_name: str = ""

    @classmethod
    def of(cls, config: Any, environment: Any, *, read_only: bool = False) -> Policy:
        name = getattr(environment, "name", "") or ""
        env_mode = getattr(environment, "run", "") or ""
        if env_mode == "off":
            return cls("off", f'[env.{name}] run = "off"', name)
        if read_only:
            return cls("read-only", "--read-only", name)
        if config is not None and getattr(config, "read_only", False):
            return cls("read-only", "read_only = true in the config", name)
        if env_mode == "read-only":
            return cls("read-only", f'[env.{name}] run = "read-only"', name)
        return cls("confirm", "", name)

    @property
    def confirm_name(self) -> str:
        """What must be typed to run a destructive block: the environment's name."""
        return self.env_name or LOCAL


Confirm = Literal["key", "confirm", "type", "none"]


@dataclass(frozen=True, slots=True)
class RunPlan:
    """Everything the confirmation shows and the runner needs, decided before anything runs."""

    substitution: Substitution
    classification: Classification
    target: Target
    policy: Policy
    refusal: str  # "" when it may run
    confirm: Confirm
    prompt: str
    runbook_id: str = ""
    block_id: str = ""
    item_id: str = ""

    @property
    def command(self) -> str:
        return self.substitution.text

    @property
    def needs(self) -> list[str]:
        """Placeholders without a value: ask for them, then plan again with `typed`."""
        return self.substitution.required

    @property
    def expected(self) -> str:
        """For confirm == "type": the text to type."""
        return self.policy.confirm_name


def plan_run(
    substitution: Substitution,
    classification: Classification,
    target: Target,
    policy: Policy,
    *,
    runbook_id: str = "",
    block_id: str = "",
    item_id: str = "",
) -> RunPlan:
    """Decide refusal, confirmation kind and prompt for running a (substituted) block."""
    refusal = _refusal(classification, target, policy)
    safety = classification.safety
    where = "locally" if target.kind == "local" else f"on {target.label}"
    if safety == "read-only":
        confirm: Confirm = "key"
        prompt = f"Run this read-only block {where}?"
    elif safety == "changes":
        confirm = "confirm"
        prompt = f"This block changes something ({classification.reason}). Run {where}?"
    else:
        confirm = "type"
        prompt = f"DESTRUCTIVE ({classification.reason}). Type {policy.confirm_name} to run it {where}."
    if refusal:
        confirm, prompt = "none", refusal
    return RunPlan(
        substitution, classification, target, policy, refusal, confirm, prompt, runbook_id, block_id, item_id
    )


def _refusal(classification: Classification, target: Target, policy: Policy) -> str:
    if policy.mode == "off":
        return f"running commands is off ({policy.reason}); copy it instead"
    if classification.refusal:
        return classification.refusal
    if policy.mode == "read-only" and classification.safety != "read-only":
        return (
            f"read-only mode ({policy.reason}) runs read-only blocks only; "
            f"this one is {classification.reason}"
        )
    if classification.remote_hosts and target.kind != "local":
        hosts = ", ".join(classification.remote_hosts)
        return f"the block connects to {hosts} itself (ssh); run it on the local target"
    return ""


def default_target(
    block_id: str, classification: Classification, environment: Any, defaults: dict[str, str] | None = None
) -> Target:
    """Where a block runs unless the engineer picks: runs.toml's [targets], else server-side
    blocks (pm2, docker-compose, df …) on every host, everything else in the local shell."""
    hosts = [h.name for h in getattr(environment, "hosts", []) or []]
    wanted = (defaults or {}).get(block_id, "")
    if wanted == "hosts" and hosts:
        return parse_target("all", environment)
    if wanted and wanted != "local":
        try:
            return parse_target(wanted, environment)
        except UserError:
            return Target.local()
    if not wanted and classification.host_side and hosts:
        return parse_target("all", environment)
    return Target.local()


def plan_command(
    code: str,
    config: Any,
    environment: Any,
    policy: Policy,
    *,
    language: str = "bash",
    target: Target | None = None,
    typed: dict[str, str] | None = None,
    runbooks: Path | None = None,
    target_defaults: dict[str, str] | None = None,
    runbook_id: str = "",
    block_id: str = "",
    item_id: str = "",
) -> RunPlan:
    """Everything at once for a block (or an item's command): substitute, classify, target, plan."""
    classification = classify(code, language)
    substitution = substitute(
        code, Parts.of(config, environment), catalogue=load_catalogue(runbooks), typed=typed
    )
    if target is None:
        target = default_target(block_id, classification, environment, target_defaults)
    return plan_run(
        substitution,
        classification,
        target,
        policy,
        runbook_id=runbook_id,
        block_id=block_id,
        item_id=item_id,
    )


def refused_event(plan: RunPlan, reason: str) -> CommandRefused:
    """The record of a run that was asked for and refused (say why on screen too)."""
    return CommandRefused(
        runbook_id=plan.runbook_id,
        block_id=plan.block_id or plan.item_id,
        command=plan.command,
        target=plan.target.label,
        safety=plan.classification.safety,
        reason=reason,
    )


class Refused(UserError):
    """A run that may not start: one line saying why (exit 2 headless, a notice in the UI)."""


def confirmation_for(plan: RunPlan, answer: str | bool) -> str:
    """Check the engineer's answer; the label recorded with the run, or `Refused`.

    `answer` is True for the one key / yes of read-only and changing blocks, or the typed text
    for destructive ones.
    """
    if plan.refusal:
        raise Refused(plan.refusal)
    if plan.needs:
        raise Refused(f"placeholder {', '.join(plan.needs)} needs a value first")
    if plan.confirm == "key":
        return "key" if answer else _refuse("not confirmed")
    if plan.confirm == "confirm":
        return "confirmed" if answer is True or answer == "yes" else _refuse("not confirmed")
    if isinstance(answer, str) and answer.strip() == plan.expected:
        return f"typed:{plan.expected}"
    return _refuse(f"destructive: type {plan.expected} in full to run it")


def headless_confirmation(plan: RunPlan, *, yes: bool, confirm_name: str | None) -> str:
    """`omniops-tui run`: read-only runs as asked; changes need --yes; destructive also --confirm NAME."""
    if plan.refusal:
        raise Refused(plan.refusal)
    if plan.needs:
        raise Refused(
            f"placeholder {', '.join(plan.needs)} has no value; "
            "set it in [placeholders] or pass --set TOKEN=VALUE"
        )
    if plan.confirm == "key":
        return "key"
    if not yes:
        raise Refused(
            f"{plan.classification.reason}: a non-interactive run needs --yes (targets: {plan.target.label})"
        )
    if plan.confirm == "confirm":
        return "--yes"
    if confirm_name != plan.expected:
        raise Refused(f"destructive ({plan.classification.reason}): needs --yes --confirm {plan.expected}")
    return f"--yes --confirm {plan.expected}"


def _refuse(reason: str) -> str:
    raise Refused(reason)
