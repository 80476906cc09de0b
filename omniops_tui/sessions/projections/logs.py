"""The recorded logs folded from `log_*` events: what the logs screen shows in replay.

Per source, the newest `HISTORY_LINES` recorded lines (bounded, so a long session replays in
flat memory), with the reconnect gaps written in as the same marker lines the live pane shows,
the connection state, and a merged view with the `host source │` prefix. `snapshot()` makes
the independent copy replay checkpoints need.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from omniops_tui.core.events import LogDisconnected, LogLines, LogReconnected, LogRecordCapped
from omniops_tui.core.logbuffer import gap_marker
from omniops_tui.sessions.state import SessionState, register_handler

HISTORY_LINES = 10_000


@dataclass
class SourceHistory:
    """One source's recorded lines and state."""

    source_id: str
    host: str = ""
    lines: deque[str] = field(default_factory=lambda: deque(maxlen=HISTORY_LINES))
    received: int = 0
    connected: bool = True
    reason: str = ""
    errors_only: bool = False

    @property
    def label(self) -> str:
        """`error.log` of `prod-1:error.log`."""
        return self.source_id.split(":", 1)[1] if ":" in self.source_id else self.source_id

    @property
    def prefix(self) -> str:
        return f"{self.host} {self.label} │ "

    def copy(self) -> SourceHistory:
        return SourceHistory(
            self.source_id,
            self.host,
            deque(self.lines, maxlen=HISTORY_LINES),
            self.received,
            self.connected,
            self.reason,
            self.errors_only,
        )


@dataclass
class LogHistory:
    sources: dict[str, SourceHistory] = field(default_factory=dict)
    merged: deque[str] = field(default_factory=lambda: deque(maxlen=HISTORY_LINES))
    capped: bool = False
    cap_bytes: int = 0

    def source(self, source_id: str, host: str = "") -> SourceHistory:
        found = self.sources.get(source_id)
        if found is None:
            found = self.sources[source_id] = SourceHistory(source_id, host)
        elif host and not found.host:
            found.host = host
        return found

    def add_lines(self, event: LogLines) -> None:
        source = self.source(event.source_id, event.host)
        lines = event.lines[-HISTORY_LINES:]
        source.lines.extend(lines)
        source.received += len(event.lines)
        source.connected = True
        source.errors_only = source.errors_only or event.errors_only
        prefix = source.prefix
        self.merged.extend([prefix + line for line in lines])

    def disconnected(self, event: LogDisconnected) -> None:
        source = self.source(event.source_id, event.host)
        source.connected, source.reason = False, event.reason

    def reconnected(self, event: LogReconnected) -> None:
        source = self.source(event.source_id, event.host)
        source.connected, source.reason = True, ""
        source.lines.append(gap_marker(event.gap_s, event.attempts))
        self.merged.append(gap_marker(event.gap_s, event.attempts, event.source_id))

    def snapshot(self) -> LogHistory:
        return LogHistory(
            {key: value.copy() for key, value in self.sources.items()},
            deque(self.merged, maxlen=HISTORY_LINES),
            self.capped,
            self.cap_bytes,
        )


def log_history(state: SessionState) -> LogHistory:
    """The state's log history (created empty on first use)."""
    found = state.extra.get("logs")
    if found is None:
        found = state.extra["logs"] = LogHistory()
    return found


def _lines(state: SessionState, event: LogLines) -> None:
    log_history(state).add_lines(event)


def _disconnected(state: SessionState, event: LogDisconnected) -> None:
    log_history(state).disconnected(event)


def _reconnected(state: SessionState, event: LogReconnected) -> None:
    log_history(state).reconnected(event)


def _capped(state: SessionState, event: LogRecordCapped) -> None:
    history = log_history(state)
    history.capped, history.cap_bytes = True, event.cap_bytes


register_handler(LogLines, _lines)
register_handler(LogDisconnected, _disconnected)
register_handler(LogReconnected, _reconnected)
register_handler(LogRecordCapped, _capped)
