"""One readable line per event: the timeline screen, replay markers and exports share it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from omniops_tui.core.events import Event
from omniops_tui.core.timefmt import format_offset

# A run's output (command_output) is in its pane; the timeline shows the run's start and end.
QUIET_TYPES = frozenset(
    {"screen_opened", "log_lines", "metric_sample", "metric_history", "wizard_started", "command_output"}
)


def is_milestone(event: Event) -> bool:
    """Worth a line in the timeline: not navigation, not raw data, not passing checks."""
    if event.type in QUIET_TYPES:
        return False
    if event.type == "check_result":
        return getattr(event, "status", "") in ("fail", "error")
    return True


def describe(event: Event) -> str:
    describer = _DESCRIBERS.get(event.type)
    if describer is None:
        return event.type.replace("_", " ")
    return describer(event)


def _yes_no(value: Any) -> str:
    return "Yes" if value else "No"


def _checked(e: Any) -> str:
    override = f" (override: {e.reason})" if e.reason else ""
    return f"✓ Ticked: {e.text}{override}"


def _unchecked(e: Any) -> str:
    override = f" (override: {e.reason})" if e.reason else ""
    return f"☐ Unticked: {e.text}{override}"


def _answered(e: Any) -> str:
    suggested = ""
    if getattr(e, "suggested", None) is not None:
        agreed = "confirmed" if e.suggested == e.answer else "overrode"
        suggested = f" ({agreed} the probes' {_yes_no(e.suggested)}: {e.evidence})"
    return f"? {e.question} → {_yes_no(e.answer)}{suggested}"


def _block_label(block_id: str) -> str:
    """`step-2-docker-rollback` for `emergency-rollback/step-2-docker-rollback/code-1`."""
    parts = block_id.split("/")
    return parts[-2] if len(parts) >= 3 and parts[-1].startswith("code-") else parts[-1]


def _run_started(e: Any) -> str:
    what = _block_label(e.block_id or e.item_id) or e.runbook_id or "a command"
    typed = [p.get("placeholder", "") for p in e.placeholders if p.get("source") == "typed"]
    values = f"; typed {', '.join(typed)}" if typed else ""
    return f"▶ Ran {what} on {e.target or 'local'} ({e.safety}, {e.confirmation}{values}) [{e.run_id}]"


def _runbook_started(e: Any) -> str:
    text = f"▶ Started runbook {e.title or e.runbook_id}" + (f" (via {e.via})" if e.via else "")
    if e.preticked:
        text += f"; {len(e.preticked)} item(s) start ticked (written - [x])"
    return text


def _record_gap(e: Any) -> str:
    """The record's own hole, never silent: when writing failed, and what was delayed or lost."""
    text = f"⚠ The record has a gap from {format_offset(e.since_t)} to {format_offset(e.t)} ({e.reason})"
    if e.delayed:
        text += f": {e.delayed} event(s) written late"
    if e.lost:
        text += f"; {e.lost} event(s) lost (#{e.lost_from_seq}–#{e.lost_to_seq})"
    return text


def _run_finished(e: Any) -> str:
    where = e.host or "local"
    if e.error:
        return f"■ [{e.run_id}] on {where}: could not run: {e.error}"
    stopped = f", interrupted by {e.interrupted_by}" if e.interrupted_by else ""
    return f"■ [{e.run_id}] on {where}: exit {e.exit_code} after {e.duration_s:.1f}s{stopped}"


_DESCRIBERS: dict[str, Callable[[Any], str]] = {
    "session_started": lambda e: "● Session started" + (f" (env {e.environment})" if e.environment else ""),
    "session_resumed": lambda e: "● Session resumed",
    "session_ended": lambda e: f"■ Session ended ({e.reason})",
    "runbook_started": _runbook_started,
    "step_confirmed": lambda e: f"✓ Step confirmed: {e.title or _block_label(e.step_id)}",
    "record_gap": _record_gap,
    "item_checked": _checked,
    "item_unchecked": _unchecked,
    "note_added": lambda e: f"✎ {e.text}",
    "command_copied": lambda e: f"⧉ Copied a command of {e.block_id.rsplit('/', 1)[0] or e.runbook_id}",
    "command_started": lambda e: _run_started(e),
    "command_finished": lambda e: _run_finished(e),
    "command_refused": lambda e: (
        f"⊘ Refused to run {_block_label(e.block_id) or e.runbook_id} on {e.target or 'local'}: {e.reason}"
    ),
    "wizard_answered": _answered,
    "wizard_back": lambda e: "? Wizard: back one question",
    "wizard_restarted": lambda e: "? Wizard restarted",
    "wizard_recommended": lambda e: f"→ Wizard recommends {e.text or e.runbook_id}",
    "wizard_suggested": lambda e: f"? Probes suggest {_yes_no(e.suggested)} for {e.node_id}: {e.evidence}",
    "check_result": lambda e: f"✗ {e.check_id}: {e.summary or e.status}",
    "item_flagged": lambda e: f"⚑ Was passing, now failing: {e.item_id.rsplit('/', 1)[-1]}: {e.summary}",
    "criterion_fired": lambda e: (
        f"🚨 Rollback criterion: {e.metric} {e.threshold} → {e.action} ({e.evidence})"
    ),
    "criterion_cleared": lambda e: f"✓ Rollback criterion cleared: {e.criterion_id} ({e.evidence})",
    "log_disconnected": lambda e: f"⚡ Log stream {e.source_id} disconnected: {e.reason}",
    "log_reconnected": lambda e: f"⚡ Log stream {e.source_id} reconnected after {e.gap_s:.0f}s",
    "log_record_capped": lambda e: "Log record cap reached: only ERROR lines are recorded from here",
    "diagnostics_gathered": lambda e: f"⛑ Diagnostics gathered in {e.path} ({len(e.files)} files)",
    "scenario_switched": lambda e: f"⇄ Sandbox scenario: {e.scenario}",
}
