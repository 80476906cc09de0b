"""Every log source of the environment, streaming in the background, into the record and the fold.

The service starts the first time the logs are shown and runs until the session ends, so the
record keeps the logs while the engineer reads a runbook. Per source a `LogStream` (SSH, with
reconnects) hands over chunks of lines; they queue here and every `FLUSH_S` each source's queue
becomes one `log_lines` event. The fold puts the lines in the log projection the panes draw
from, so a live pane and a replayed one are the same pane. The record has a budget
(`LogRecordCap`): past it the event written keeps only the ERROR lines, while the fold still
gets every line (the panes show what arrived; the record says it was capped). Disconnects and
reconnects are recorded after the source's queued lines, so the record keeps their order.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from omniops_tui.core.events import (
    LogDisconnected,
    LogLines,
    LogReconnected,
    LogRecordCapped,
    LogStreamsStarted,
)
from omniops_tui.live.base import Notice, SessionCore
from omniops_tui.live.log_stream import Backoff, Connect, Discard, LogSource, LogStream, sources_for
from omniops_tui.sessions.log_record import LogRecordCap, cap_bytes_of

FLUSH_S = 0.1
# A source's queue becomes an event at once when it gets this long. Each batch is redacted and
# encoded as a few texts of its whole size, and big fresh allocations cost more than the work
# on them (bench/redact.py --batch: 1,000 lines 0.71 us a line, 2,000 0.80, 5,000 0.78-0.85),
# while each event costs its fold and its listeners: in the app (log_ingest.py, every line
# recorded) 2,000 was as fast as 1,000.
BATCH_LINES = 2_000
make_backoff: Callable[[], Backoff] = Backoff
"""Reconnect backoff for new services (tests swap in short delays)."""


class LogsService:
    """Streams, queues and the record budget of every source; `run()` is one service."""

    def __init__(
        self,
        session: SessionCore,
        sources: list[LogSource],
        connect: Connect,
        *,
        discard: Discard | None = None,
        cap_bytes: int = 50_000_000,
        backoff: Callable[[], Backoff] = Backoff,
        clock: Callable[[], float] = time.monotonic,
        buffer_lines: int = 0,
    ) -> None:
        self.session = session
        self.buffer_lines = buffer_lines  # the panes' size, recorded so a replay keeps as many
        self.sources = list(sources)
        self.by_id = {source.id: source for source in self.sources}
        self.cap = LogRecordCap(cap_bytes)
        self._queued: dict[str, list[str]] = {}
        self.lines_received = 0  # every line the streams delivered (bench/log_ingest.py: none lost)
        self.streams = [
            LogStream(source, connect, self, discard=discard, backoff=backoff(), clock=clock)
            for source in self.sources
        ]
        self.running = False

    @classmethod
    def for_session(cls, session: SessionCore) -> LogsService | None:
        """The service for the session's environment; None when it names no log source."""
        environment = session.setup.environment
        sources = sources_for(environment)
        if not sources or environment is None:
            return None
        context = session.check_context()
        return cls(
            session,
            sources,
            context.ssh,
            discard=context.discard_ssh,
            cap_bytes=cap_bytes_of(session.setup.config.log_record_cap_mb),
            backoff=make_backoff,
            buffer_lines=max(1, environment.log_buffer_lines),
        )

    # ------------------------------------------------------------------ lifecycle
    async def run(self) -> None:
        """Run every stream and the flusher until cancelled."""
        self.running = True
        if not any(source.id in self.session.state.logs.sources for source in self.sources):
            self.session.record(
                LogStreamsStarted(
                    sources=[{"id": s.id, "host": s.host_name} for s in self.sources],
                    buffer_lines=self.buffer_lines,
                )
            )
        try:
            async with asyncio.TaskGroup() as group:
                for stream in self.streams:
                    group.create_task(stream.run(), name=f"log-stream:{stream.source.id}")
                group.create_task(self._flush_every(), name="log-flush")
        finally:
            self.running = False
            self.flush()
            # Shown at once; the record says it with `session_ended`, which folds the same way.
            self.session.state.logs.stop_all()

    async def _flush_every(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_S)
            self.flush()

    def flush(self, source_id: str | None = None) -> None:
        """Turn what is queued (for one source, or all) into `log_lines` events now."""
        ids = [source_id] if source_id is not None else list(self._queued)
        for key in ids:
            lines = self._queued.pop(key, None)
            if lines:
                self._emit(self.by_id[key], lines)

    def _emit(self, source: LogSource, lines: list[str]) -> None:
        shown = LogLines(source_id=source.id, host=source.host_name, lines=lines)
        admitted = self.cap.admit(lines)
        if admitted.kept is lines:
            self.session.record(shown)
            return
        # Past the budget the record keeps less than the panes show: the part that fits, the
        # `log_record_capped` mark (once), then only the ERROR lines.
        session = self.session
        if admitted.kept:
            session.write_only(LogLines(source_id=source.id, host=source.host_name, lines=admitted.kept))
        if admitted.capped_now:
            session.record(LogRecordCapped(cap_bytes=self.cap.cap_bytes))
        if admitted.errors:
            session.write_only(
                LogLines(source_id=source.id, host=source.host_name, lines=admitted.errors, errors_only=True)
            )
        session.show_only(shown)
        if admitted.capped_now:
            self._tell_capped()

    def _tell_capped(self) -> None:
        cap_mb = self.cap.cap_bytes / 1_000_000
        self.session.notify(
            Notice(
                f"The session's log record reached its cap ({cap_mb:g} MB): from now on only ERROR lines "
                "are recorded. The panes still show every line.",
                "warning",
                timeout=10,
            )
        )

    # ------------------------------------------------------------------ StreamListener
    def stream_lines(self, source: LogSource, lines: list[str]) -> None:
        self.lines_received += len(lines)
        queued = self._queued.get(source.id)
        if queued is None:
            queued = self._queued[source.id] = list(lines)
        else:
            queued.extend(lines)
        if len(queued) >= BATCH_LINES:  # no single write (JSON on the loop) may get long
            self.flush(source.id)

    def stream_connected(self, source: LogSource) -> None:
        """Nothing to record: the source shows as streaming when its first lines arrive."""

    def stream_disconnected(self, source: LogSource, reason: str, retry_in: float) -> None:
        """Recorded once per outage (the retries in between are the stream's business)."""
        log = self.session.state.logs.sources.get(source.id)
        if log is not None and log.status == "disconnected":
            return
        self.flush(source.id)
        self.session.record(
            LogDisconnected(source_id=source.id, host=source.host_name, reason=reason, retry_in=retry_in)
        )

    def stream_reconnected(self, source: LogSource, gap_s: float, attempts: int) -> None:
        self.flush(source.id)
        self.session.record(
            LogReconnected(
                source_id=source.id, host=source.host_name, gap_s=round(gap_s, 3), attempts=attempts
            )
        )

    # ------------------------------------------------------------------ queries
    @property
    def queued_lines(self) -> int:
        """Lines received and not yet turned into events (they wait at most FLUSH_S)."""
        return sum(map(len, self._queued.values()))

    def connected_count(self) -> int:
        logs = self.session.state.logs.sources
        return sum(
            1 for source in self.sources if logs.get(source.id) and logs[source.id].status == "streaming"
        )
