"""The App's own keys: one table, so the footer, the help screen and the README agree.

Replay keys have priority (they win over a screen's own keys) and show only during a replay.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

REPLAY_ACTIONS = frozenset(
    {"replay_toggle", "replay_seek", "replay_marker", "replay_speed", "replay_goto", "leave_replay"}
)

APP_BINDINGS: list[BindingType] = [
    Binding("question_mark,f1", "help", "Help", id="help", tooltip="Every key, on every screen"),
    Binding("n,ctrl+n", "note", "Note", id="note", tooltip="Add a note to the session's timeline"),
    Binding("t", "timeline", "Timeline", id="timeline", tooltip="Notes and key events so far"),
    Binding(
        "w",
        "wizard",
        "Which runbook?",
        id="wizard",
        tooltip="The decision tree, pre-answered from the live evidence",
    ),
    Binding(
        "l",
        "logs",
        "Logs",
        id="logs",
        tooltip="Live logs of the configured hosts over SSH: filter, search, pause",
    ),
    Binding(
        "s",
        "sessions",
        "Sessions",
        id="sessions",
        tooltip="Recorded sessions: replay one, export its post-mortem",
    ),
    Binding(
        "m",
        "metrics",
        "Metrics",
        id="metrics",
        tooltip="The runbooks' figures, per host, and the rollback criteria",
    ),
    Binding(
        "S",
        "scenario",
        "Scenario",
        id="demo.scenario",
        tooltip="Demo only: switch the sandbox to healthy, error spike, slow, database down, "
        "outage or disk almost full",
    ),
    Binding(
        "D",
        "diagnostics",
        "Diagnostics",
        id="diagnostics",
        tooltip="Emergency Rollback step 8 in one key: recent and error logs over SSH, active "
        "queries as CSV, a health snapshot and the timeline, beside the session",
    ),
    Binding(
        "R",
        "open_rollback",
        "Rollback runbook",
        id="open_rollback",
        tooltip="A rollback criterion is met: open Emergency Rollback",
    ),
    Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
    Binding(
        "ctrl+r",
        "leave_replay",
        "Back to my session",
        id="replay.leave",
        priority=True,
        tooltip="End the replay and return to your live session",
    ),
    # Replay only (hidden otherwise); priority so they win over the screens' own keys.
    Binding("space", "replay_toggle", "Play/pause", id="replay.toggle", priority=True),
    Binding("full_stop", "replay_seek(10)", "+10s", id="replay.forward", priority=True),
    Binding("comma", "replay_seek(-10)", "-10s", id="replay.back", priority=True, show=False),
    Binding(
        "greater_than_sign",
        "replay_seek(60)",
        "+1 min",
        id="replay.forward_minute",
        priority=True,
        show=False,
    ),
    Binding(
        "less_than_sign", "replay_seek(-60)", "-1 min", id="replay.back_minute", priority=True, show=False
    ),
    Binding(
        "right_curly_bracket",
        "replay_marker(True)",
        "Next marker",
        id="replay.next_marker",
        priority=True,
        tooltip="Jump to the next note, failure, decision or criterion",
    ),
    Binding(
        "left_curly_bracket",
        "replay_marker(False)",
        "Previous marker",
        id="replay.previous_marker",
        priority=True,
        show=False,
    ),
    Binding(
        "plus,equals_sign",
        "replay_speed(True)",
        "Faster",
        id="replay.faster",
        priority=True,
        tooltip="Speeds 1x, 4x, 16x, 60x, max",
    ),
    Binding("minus", "replay_speed(False)", "Slower", id="replay.slower", priority=True, show=False),
    Binding(
        "g",
        "replay_goto",
        "Go to time",
        id="replay.goto",
        priority=True,
        tooltip="Type a time: 03:12:05 (UTC), +12:30 or +90s",
    ),
]
