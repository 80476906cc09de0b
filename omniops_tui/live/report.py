"""`omniops-tui check RUNBOOK`: a runbook's bound checks run once, as a table or JSON.

The document's verification.sh and production-smoke-test.sh as one command. Exit status:
0 when nothing failed (pass, warn and unknown are not failures), 1 when any check failed or
errored, 2 for usage and config errors (raised as `UserError` before anything runs).

What the checks bring back is outside text (HTTP bodies, command output): the output is
redacted like the record (`build_redactor`: a token in a health body must not land in a CI
log) and its control characters are made visible (table) or escaped (JSON).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omniops_tui.config.model import Config
from omniops_tui.config.secrets import SECRET_OF_TARGET, resolve_secret
from omniops_tui.core.errors import UserError
from omniops_tui.core.text import json_for_terminal, visible_line
from omniops_tui.probes.base import STATUSES, CheckResult, CheckSpec, Status, fmt_number, worst
from omniops_tui.probes.bindings import load_bindings
from omniops_tui.probes.config_commands import check_config_commands
from omniops_tui.probes.context import CheckContext
from omniops_tui.probes.registry import KINDS
from omniops_tui.probes.runner import sweep, to_event
from omniops_tui.runbooks.model import Runbook, RunbookSet, Step, iter_blocks
from omniops_tui.sessions.redact import Redactor, build_redactor

FAILING = ("fail", "error")


@dataclass(slots=True)
class CheckRun:
    """One `check` invocation: what ran, against what, and what came back."""

    runbook: Runbook
    section_id: str | None
    environment: str
    outcomes: list[tuple[CheckSpec, CheckResult]]
    elapsed_s: float
    redactor: Redactor = field(default_factory=lambda: Redactor({}))

    @property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
        for _spec, result in self.outcomes:
            counts[result.status] += 1
        return counts

    @property
    def exit_code(self) -> int:
        return 1 if any(result.status in FAILING for _spec, result in self.outcomes) else 0


def resolve_section(runbook: Runbook, section: str | None) -> str | None:
    if not section:
        return None
    found = runbook.section(section.strip("/"))
    if found is None:
        known = ", ".join(s.id.split("/", 1)[1] for s in runbook.sections)
        raise UserError(f"runbook '{runbook.id}' has no section '{section}' (sections: {known})")
    return found.id


def find_runbook(runbook_set: RunbookSet, key: str) -> Runbook:
    runbook = runbook_set.get(key)
    if runbook is None:
        known = ", ".join(r.id for r in runbook_set.runbooks)
        raise UserError(f"unknown runbook '{key}' (runbooks: {known})")
    return runbook


def require_secrets(config: Config, context: CheckContext, specs: list[CheckSpec]) -> None:
    """A secret variable that a check of this run needs but is not set: exit 2, one line."""
    if context.environment is None:
        return
    needed = {
        SECRET_OF_TARGET[KINDS[s.kind].target]
        for s in specs
        if s.kind in KINDS and KINDS[s.kind].target in SECRET_OF_TARGET
    }
    for key in sorted(needed):
        resolve_secret(config, context.environment, key)  # raises the one-line UserError


def run_checks(
    config: Config,
    runbook_set: RunbookSet,
    runbooks_path: Path | None,
    runbook_key: str,
    *,
    env_name: str | None = None,
    section: str | None = None,
    read_only: bool = False,
) -> CheckRun:
    """Validate everything first (UserError), then run the bound checks once, concurrently.

    `read_only` (or the config's `read_only`) keeps the smoke-test POSTs from being sent.
    """
    runbook = find_runbook(runbook_set, runbook_key)
    section_id = resolve_section(runbook, section)
    if not config.env:
        if config.path is None:
            from omniops_tui.config.locations import default_config_path

            raise UserError(
                f"{default_config_path()}: no config file, nothing to check against; "
                "create one with `omniops-tui init` (or pass --config)"
            )
        raise UserError(
            f"{config.path}: no [env.NAME] table, nothing to check against; "
            "add one (see `omniops-tui init --path FILE` for an example)"
        )
    check_config_commands(config)
    # One sweep: the latency probe stays in this process (probes/context.py says why).
    context = CheckContext.from_config(
        config, env_name, read_only=read_only or config.read_only, probe_process=False
    )
    bindings = load_bindings(runbooks_path, runbook_set)
    specs = bindings.specs_for_runbook(runbook.id, section_id)
    require_secrets(config, context, specs)

    async def go() -> list[tuple[CheckSpec, CheckResult]]:
        try:
            return await sweep(specs, context)
        finally:
            await context.aclose()

    started = time.perf_counter()
    outcomes = asyncio.run(go())
    elapsed = time.perf_counter() - started
    redactor = build_redactor(config, context.environment)
    return CheckRun(runbook, section_id, context.env_name, outcomes, elapsed, redactor)


# ------------------------------------------------------------------------------ output
def _titles(runbook: Runbook) -> dict[str, str]:
    titles = {item.id: item.text for item in runbook.checklist_items()}
    for section in runbook.sections:
        titles[section.id] = section.title
        for step in iter_blocks(section.blocks, Step):
            titles[step.id] = f"{step.number}. {step.title}" if step.number else step.title
    return titles


def to_json(run: CheckRun) -> dict[str, Any]:
    titles = _titles(run.runbook)
    checks: list[dict[str, Any]] = []
    items: dict[str, list[tuple[str, Status]]] = {}
    for spec, result in run.outcomes:
        event = to_event(spec, result)
        record = event.payload()
        record.update(title=spec.title, places=list(spec.places))
        checks.append(record)
        for item_id in spec.item_ids:
            items.setdefault(item_id, []).append((spec.id, result.status))
    return {
        "runbook": run.runbook.id,
        "section": run.section_id,
        "environment": run.environment,
        "exit_code": run.exit_code,
        "elapsed_s": round(run.elapsed_s, 3),
        "counts": run.counts,
        "items": [
            {
                "id": item_id,
                "text": titles.get(item_id, item_id),
                "status": worst([status for _c, status in found]),
                "checks": [check for check, _s in found],
            }
            for item_id, found in items.items()
        ],
        "checks": checks,
    }


def _clip(text: str, width: int) -> str:
    """One table cell: outside text (a summary quoting an HTTP body) on one line, with its
    control characters made visible, so an ESC from a server never reaches the terminal."""
    text = visible_line(" ".join(text.split()))
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def to_table(run: CheckRun, width: int = 100) -> str:
    """One row per (item, check); checks shown at a step without an item get `[step]`.

    Under 110 columns the VALUE column is dropped (the summary states the value anyway), so
    the summary keeps room at 80x24.
    """
    titles = _titles(run.runbook)
    wide = width >= 110
    item_w, check_w, status_w, value_w = (30, 20, 7, 10) if wide else (24, 18, 7, 0)
    summary_w = max(20, width - item_w - check_w - status_w - value_w - (4 if wide else 3))

    def row(item: str, check: str, status: str, value: str, summary: str) -> str:
        cells = [
            f"{_clip(item, item_w):<{item_w}}",
            f"{_clip(check, check_w):<{check_w}}",
            f"{status:<{status_w}}",
        ]
        if wide:
            cells.append(f"{_clip(value, value_w):<{value_w}}")
        return " ".join([*cells, _clip(summary, summary_w)]).rstrip()

    lines = [row("ITEM", "CHECK", "STATUS", "VALUE", "SUMMARY")]
    for spec, result in run.outcomes:
        labels = [titles.get(i, i) for i in spec.item_ids] or [
            "[" + titles.get(spec.places[0], spec.places[0]) + "]" if spec.places else "-"
        ]
        summary, value = run.redactor.text(result.summary), run.redactor.text(_value(result))
        for label in labels:
            lines.append(row(label, spec.id, result.status.upper(), value, summary))
    counts = ", ".join(f"{n} {status}" for status, n in run.counts.items() if n)
    scope = run.section_id or run.runbook.id
    lines.append("")
    lines.append(
        f"{len(run.outcomes)} checks of {scope} against '{run.environment}' in "
        f"{run.elapsed_s:.1f} s: {counts or 'none bound'}"
    )
    return "\n".join(lines)


def _value(result: CheckResult) -> str:
    value = result.value
    if value is None:
        return "-"
    if isinstance(value, list):
        return ",".join(str(v) for v in value) or "-"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{fmt_number(value)} {result.unit}".strip()
    return str(value)


def render(run: CheckRun, *, as_json: bool, width: int) -> str:
    if as_json:
        data = run.redactor.value(to_json(run))
        return json_for_terminal(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    return to_table(run, width)
