"""After a run: which checklist items it ticks, which it only offers, and where blocks run.

`runs.toml` (beside the runbooks, else the bundled one) binds exact commands to items: "All
tests passing (`npm run test:all`)" ticks itself when a run of `npm run test:all` exits 0 on
every target, with the output's tail as evidence. A block that contains the command among
others only offers the tick (its exit code is its last command's), and so does a run started
from an item. The UI asks; the engine records `item_checked` with `source = "run"`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omniops_tui.core.errors import UserError
from omniops_tui.core.events import CommandStarted, ItemChecked
from omniops_tui.runbooks.placeholder_catalogue import read_toml

RUNS_FILE = "runs.toml"


@dataclass(frozen=True, slots=True)
class TickRule:
    item_id: str
    command: str
    exit_code: int = 0


@dataclass(frozen=True, slots=True)
class RunBindings:
    ticks: tuple[TickRule, ...] = ()
    targets: dict[str, str] = field(default_factory=dict)
    path: str = ""

    def rule_for_item(self, item_id: str) -> TickRule | None:
        return next((rule for rule in self.ticks if rule.item_id == item_id), None)


@dataclass(frozen=True, slots=True)
class TickDecision:
    """Ticks to record now, and items to offer with the run as evidence."""

    ticks: tuple[ItemChecked, ...] = ()
    offers: tuple[str, ...] = ()


def normalized(command: str) -> str:
    """A command without comments and blank lines, whitespace collapsed (for exact matching)."""
    lines = [line.split(" #", 1)[0].strip() for line in command.splitlines()]
    return " ".join(" ".join(line for line in lines if line and not line.startswith("#")).split())


def load_run_bindings(runbooks: Path | None = None, known_items: set[str] | None = None) -> RunBindings:
    """runs.toml beside `runbooks` (or the bundled one); item ids checked against `known_items`."""
    from omniops_tui.runbooks.loader import BUNDLED_DIR, logic_dir

    path = BUNDLED_DIR / RUNS_FILE
    if runbooks is not None and (logic_dir(runbooks) / RUNS_FILE).is_file():
        path = logic_dir(runbooks) / RUNS_FILE
    data = read_toml(path, "run bindings")
    ticks: list[TickRule] = []
    for index, entry in enumerate(data.get("tick", [])):
        if not isinstance(entry, dict) or not entry.get("item") or not entry.get("command"):
            raise UserError(f'{path}: tick #{index + 1} needs item = "…" and command = "…"')
        item = str(entry["item"])
        if known_items is not None and item not in known_items and path.parent != BUNDLED_DIR:
            raise UserError(f"{path}: tick #{index + 1}: no checklist item '{item}' (see `runbooks --json`)")
        ticks.append(TickRule(item, normalized(str(entry["command"])), int(entry.get("exit_code", 0))))
    targets = data.get("targets", {})
    if not isinstance(targets, dict) or not all(isinstance(v, str) for v in targets.values()):
        raise UserError(f'{path}: [targets] maps block ids to "local", "hosts" or a host name')
    return RunBindings(tuple(ticks), dict(targets), str(path))


def item_command(item: Any, bindings: RunBindings) -> str | None:
    """The command a checklist item names and is bound to (`x` on the item runs it)."""
    rule = bindings.rule_for_item(item.id)
    # An unbound `text` in an item (`package.json`) is not run on a guess.
    return rule.command if rule is not None else None


def decide_ticks(
    bindings: RunBindings,
    started: CommandStarted,
    exit_codes: list[int | None],
    tail: str,
    items: dict[str, Any],
) -> TickDecision:
    """What a finished run ticks (exact bound command, every target exited as bound) or offers."""
    ran = normalized(started.command)
    ticks: list[ItemChecked] = []
    offers: list[str] = []
    for rule in bindings.ticks:
        item = items.get(rule.item_id)
        if item is None:
            continue
        exact = ran == rule.command
        if exact and exit_codes and all(code == rule.exit_code for code in exit_codes):
            evidence = f"{started.run_id}: `{rule.command}` exited {rule.exit_code} on {started.target}"
            if tail.strip():
                evidence += " · " + " / ".join(tail.strip().splitlines()[-3:])
            ticks.append(
                ItemChecked(
                    runbook_id=item.runbook_id,
                    item_id=item.id,
                    text=item.text,
                    source="run",
                    reason=evidence[:400],
                )
            )
        elif not exact and rule.command in ran:
            offers.append(rule.item_id)
    if started.item_id and started.item_id not in {t.item_id for t in ticks} | set(offers):
        offers.append(started.item_id)
    return TickDecision(tuple(ticks), tuple(offers))
