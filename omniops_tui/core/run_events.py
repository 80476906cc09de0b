"""The events of running a runbook's commands: started, output, finished, refused (issue 13).

Part of the session vocabulary (`events.py` re-exports them, import them from there); kept in
a file of their own because a run is a small protocol of its own, with its caps and its
confirmation, and it grows with the runner, not with the rest of the vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from omniops_tui.core.event_codec import Event, event_type


@event_type("command_started")
@dataclass(kw_only=True)
class CommandStarted(Event):
    """A runbook command block started on a target, after its confirmation.

    `command` is the text that ran (placeholders substituted); `placeholders` lists the values
    substituted, each with `source` "configured" or "typed"; `confirmation` says how it was
    allowed: "key" (read-only), "confirmed" (named targets), "typed:NAME" (destructive), or
    "--yes --confirm NAME" (headless).
    """

    run_id: str = ""
    runbook_id: str = ""
    block_id: str = ""
    item_id: str = ""  # when the run is a checklist item's own command
    command: str = ""
    target: str = ""  # "local", a host name, or a group label
    hosts: list[str] = field(default_factory=list)  # empty for a local run
    safety: str = ""  # read-only, changes, destructive
    confirmation: str = ""
    placeholders: list[dict[str, str]] = field(default_factory=list)
    via: str = ""  # ui, headless


@event_type("command_output")
@dataclass(kw_only=True)
class CommandOutput(Event):
    """A chunk of a run's output on one host (stdout and stderr merged, as a terminal shows).

    Recorded up to a per-run cap; the chunk that reaches it has `capped = True` and nothing
    more of that host's output is recorded (the live pane goes on showing it).
    """

    run_id: str = ""
    host: str = ""  # "" for a local run
    text: str = ""
    capped: bool = False


@event_type("command_finished")
@dataclass(kw_only=True)
class CommandFinished(Event):
    """One host's part of a run ended: exit code (None when it never started), duration, why."""

    run_id: str = ""
    host: str = ""
    exit_code: int | None = None
    duration_s: float = 0.0
    interrupted_by: str = ""  # "", "user", "shutdown", "timeout"
    error: str = ""  # the run could not start or lost its connection
    output_bytes: int = 0
    recorded_bytes: int = 0


@event_type("command_refused")
@dataclass(kw_only=True)
class CommandRefused(Event):
    """A run that was asked for and refused (read-only mode, interactive, wrong confirmation …)."""

    runbook_id: str = ""
    block_id: str = ""
    command: str = ""
    target: str = ""
    safety: str = ""
    reason: str = ""
