"""The log panes' contents, folded from `log_*` events: the same for a live session and a replay.

Per source a bounded `LogBuffer` (the newest lines, with the reconnect gaps written in as marker
lines), the connection state, and a merged buffer with the `host source │` prefix. Live, the
log hub turns what it streams into `log_lines` events and the fold puts them here, so the panes
draw from this projection whether the lines arrive from SSH or from a recording. `snapshot()`
makes the independent copy replay checkpoints need (the lines are shared, not copied).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from omniops_tui.core.events import (
    LogDisconnected,
    LogLines,
    LogReconnected,
    LogRecordCapped,
    LogStreamsStarted,
)
from omniops_tui.core.logbuffer import DEFAULT_CAPACITY, LogBuffer, gap_marker

HISTORY_LINES = DEFAULT_CAPACITY


@dataclass(slots=True)
class SourceLog:
    """One source: its lines and its connection state."""

    source_id: str
    host: str
    buffer: LogBuffer
    status: str = "connecting"  # connecting | streaming | disconnected | stopped
    reason: str = ""
    errors_only: bool = False
    retry_at: float = 0.0  # session offset of the next reconnect attempt

    @property
    def label(self) -> str:
        """`error.log` of `prod-1:error.log`."""
        return self.source_id.split(":", 1)[1] if ":" in self.source_id else self.source_id

    @property
    def prefix(self) -> str:
        return f"{self.host} {self.label} │ "

    def copy(self) -> SourceLog:
        return SourceLog(
            self.source_id,
            self.host,
            self.buffer.snapshot(),
            self.status,
            self.reason,
            self.errors_only,
            self.retry_at,
        )


@dataclass(slots=True)
class LogView:
    """Every source's log, the merged view, and whether the record's log cap was reached."""

    capacity: int = HISTORY_LINES
    sources: dict[str, SourceLog] = field(default_factory=dict)
    merged: LogBuffer = field(default_factory=lambda: LogBuffer(HISTORY_LINES))
    capped: bool = False
    cap_bytes: int = 0

    def source(self, source_id: str, host: str = "") -> SourceLog:
        found = self.sources.get(source_id)
        if found is None:
            found = self.sources[source_id] = SourceLog(source_id, host, LogBuffer(self.capacity))
        elif host and not found.host:
            found.host = host
        return found

    def resize(self, capacity: int) -> None:
        """The environment's `log_buffer_lines` (from `log_streams_started`), set before the
        first line arrives."""
        if capacity != self.capacity and not self.sources:
            self.capacity = max(1, capacity)
            self.merged = LogBuffer(self.capacity)

    def streams_started(self, event: LogStreamsStarted) -> None:
        if event.buffer_lines > 0:  # the live panes' size, recorded: replay keeps as many lines
            self.resize(event.buffer_lines)
        for source in event.sources:
            self.source(str(source.get("id", "")), str(source.get("host", "")))

    def add_lines(self, event: LogLines) -> None:
        source = self.source(event.source_id, event.host)
        source.buffer.append(event.lines)
        source.status, source.reason = "streaming", ""
        source.errors_only = source.errors_only or event.errors_only
        lines = event.lines
        if len(lines) > self.capacity:
            lines = lines[-self.capacity :]
        # Prefixed when the merged view reads them (it shows a screenful), not per line here.
        self.merged.append(lines, prefix=source.prefix)

    def disconnected(self, event: LogDisconnected) -> None:
        source = self.source(event.source_id, event.host)
        source.status, source.reason = "disconnected", event.reason
        source.retry_at = event.t + event.retry_in

    def reconnected(self, event: LogReconnected) -> None:
        source = self.source(event.source_id, event.host)
        source.status, source.reason = "streaming", ""
        source.buffer.append_marker(gap_marker(event.gap_s, event.attempts))
        self.merged.append_marker(gap_marker(event.gap_s, event.attempts, event.source_id))

    def stop_all(self) -> None:
        """The streams ended (the session did): every pane says so, live and in a replay."""
        for source in self.sources.values():
            source.status = "stopped"

    def record_capped(self, event: LogRecordCapped) -> None:
        self.capped, self.cap_bytes = True, event.cap_bytes

    def snapshot(self) -> LogView:
        return LogView(
            self.capacity,
            {key: value.copy() for key, value in self.sources.items()},
            self.merged.snapshot(),
            self.capped,
            self.cap_bytes,
        )
