"""Every log source of the environment, streaming in the background: buffers, states, record.

The hub is the engine behind the logs screen and outlives it: streams start when the screen is
first opened and keep running (and recording) while the engineer is elsewhere. Per source it
owns a `LogStream`, a bounded `LogBuffer` the pane draws from, and the connection state the
pane's status line shows; with several sources, one more buffer holds the merged view. Lines
go to the session through a `LogRecorder` flushed every `record_interval` seconds, and
disconnects and reconnects are recorded as they happen (after the source's queued lines, so
the record keeps their order).

No Textual: the UI polls the buffers and states on its own timer (20–30 times a second), so a
50,000 lines/s stream costs one append per 64 KiB chunk here and one `write_lines` per frame
there, never a message per line.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from omniops_tui.core.events import Event, LogDisconnected, LogReconnected
from omniops_tui.core.logbuffer import DEFAULT_CAPACITY, LogBuffer, gap_marker
from omniops_tui.live.log_stream import Backoff, Connect, Discard, LogSource, LogStream
from omniops_tui.sessions.log_record import LogRecorder

DEFAULT_RECORD_INTERVAL = 0.5


@dataclass(slots=True)
class SourceState:
    """What the status line says about a source's connection."""

    status: str = "connecting"  # connecting | streaming | disconnected | stopped
    reason: str = ""
    retry_at: float = 0.0
    attempts: int = 0
    reconnects: int = 0

    def retry_in(self, now: float) -> float:
        return max(0.0, self.retry_at - now)


class LogHub:
    """Streams, buffers and states of every source; `run()` is the one background task."""

    def __init__(
        self,
        sources: list[LogSource],
        connect: Connect,
        *,
        capacity: int = DEFAULT_CAPACITY,
        record: Callable[[Event], object] | None = None,
        cap_bytes: int = 50_000_000,
        discard: Discard | None = None,
        backoff: Callable[[], Backoff] = Backoff,
        record_interval: float = DEFAULT_RECORD_INTERVAL,
        on_capped: Callable[[int], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sources = list(sources)
        self.by_id = {source.id: source for source in self.sources}
        self.clock = clock
        self.buffers = {source.id: LogBuffer(capacity, clock=clock) for source in self.sources}
        self.merged = LogBuffer(capacity, clock=clock) if len(self.sources) > 1 else None
        self.states = {source.id: SourceState() for source in self.sources}
        self.record = record
        self.recorder = LogRecorder(record, cap_bytes, on_capped) if record is not None else None
        self.record_interval = record_interval
        self.streams = [
            LogStream(source, connect, self, discard=discard, backoff=backoff(), clock=clock)
            for source in self.sources
        ]
        self.running = False

    # ------------------------------------------------------------------ lifecycle
    async def run(self) -> None:
        """Run every stream and the record flusher until cancelled."""
        self.running = True
        try:
            async with asyncio.TaskGroup() as group:
                for stream in self.streams:
                    group.create_task(stream.run(), name=f"log-stream:{stream.source.id}")
                if self.recorder is not None:
                    group.create_task(self._flush_record(), name="log-record")
        finally:
            self.running = False
            for state in self.states.values():
                state.status = "stopped"
            self.flush_record()

    async def _flush_record(self) -> None:
        while True:
            await asyncio.sleep(self.record_interval)
            self.flush_record()

    def flush_record(self) -> None:
        """Write the queued lines to the session now (also done on stop)."""
        if self.recorder is not None:
            self.recorder.flush()

    @property
    def capped(self) -> bool:
        return self.recorder is not None and self.recorder.capped

    # ------------------------------------------------------------------ StreamListener
    def stream_lines(self, source: LogSource, lines: list[str]) -> None:
        now = self.clock()
        self.buffers[source.id].append(lines, now)
        if self.merged is not None:
            prefix = source.prefix
            self.merged.append([prefix + line for line in lines], now)
        if self.recorder is not None:
            self.recorder.add(source.id, source.host_name, lines)

    def stream_connected(self, source: LogSource) -> None:
        state = self.states[source.id]
        state.status, state.reason, state.attempts = "streaming", "", 0

    def stream_disconnected(self, source: LogSource, reason: str, retry_in: float) -> None:
        state = self.states[source.id]
        first = state.status != "disconnected"
        state.status, state.reason = "disconnected", reason
        state.retry_at = self.clock() + retry_in
        state.attempts += 1
        if first and self.recorder is not None and self.record is not None:
            self.recorder.flush(source.id)
            self.record(LogDisconnected(source_id=source.id, host=source.host_name, reason=reason))

    def stream_reconnected(self, source: LogSource, gap_s: float, attempts: int) -> None:
        state = self.states[source.id]
        state.status, state.reason, state.attempts = "streaming", "", 0
        state.reconnects += 1
        self.buffers[source.id].append_marker(gap_marker(gap_s, attempts))
        if self.merged is not None:
            self.merged.append_marker(gap_marker(gap_s, attempts, source.id))
        if self.recorder is not None and self.record is not None:
            self.recorder.flush(source.id)
            self.record(
                LogReconnected(
                    source_id=source.id, host=source.host_name, gap_s=round(gap_s, 3), attempts=attempts
                )
            )

    # ------------------------------------------------------------------ queries
    def connected_count(self) -> int:
        return sum(1 for state in self.states.values() if state.status == "streaming")
