"""A replayed state's log panes, read back from the session only when something looks at them.

Reading a checkpoint's log windows back costs ~4,000 batches decoded at 1M events (tens of ms),
and a seek often lands on a screen that shows no log (a runbook, the wizard). `PendingLogs` is
a `LogView` that holds the checkpoint and queues the fold's log calls; the first read of any of
its fields (a pane drawing, a comparison, a snapshot) reads the windows back and applies what
was queued, in order, so it is then exactly the view a full fold would have made.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from omniops_tui.core.logbuffer import LogBuffer
from omniops_tui.sessions.projections.logs import LogView, SourceLog

_SLOTS = {name: LogView.__dict__[name] for name in ("capacity", "sources", "merged", "capped", "cap_bytes")}


def _field(name: str) -> Any:
    slot = _SLOTS[name]

    def read(self: PendingLogs) -> Any:
        if self._checkpoint is not None:
            self.materialize()
        return slot.__get__(self)

    def write(self: PendingLogs, value: Any) -> None:
        slot.__set__(self, value)

    return property(read, write)


def _queued(name: str) -> Any:
    method = getattr(LogView, name)

    def call(self: PendingLogs, *args: Any) -> Any:
        if self._checkpoint is not None:
            self._queue.append((name, args))
            return None
        return method(self, *args)

    call.__name__ = name
    return call


class PendingLogs(LogView):
    """A `LogView` whose windows are read back on first use (see the module doc)."""

    __slots__ = ("_checkpoint", "_queue")

    def __init__(self, fields: tuple[int, bool, int], load: Callable[[], LogView]) -> None:
        """`fields`: capacity, capped, cap_bytes; `load` reads the checkpoint's view back."""
        self._checkpoint: Callable[[], LogView] | None = None
        capacity, capped, cap_bytes = fields
        super().__init__(capacity, {}, LogBuffer(1), capped, cap_bytes)
        self._checkpoint = load
        self._queue: list[tuple[str, tuple[Any, ...]]] = []

    def materialize(self) -> None:
        """Read the windows back and apply the queued calls (once)."""
        load = self._checkpoint
        if load is None:
            return
        view = load()
        self._checkpoint = None
        for slot in _SLOTS.values():
            slot.__set__(self, slot.__get__(view))
        for name, args in self._queue:
            getattr(LogView, name)(self, *args)
        self._queue.clear()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LogView):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in _SLOTS)

    __hash__ = None  # type: ignore[assignment]

    def source(self, source_id: str, host: str = "") -> SourceLog:
        self.materialize()  # a caller wants a live buffer
        return LogView.source(self, source_id, host)

    capacity = _field("capacity")
    sources = _field("sources")
    merged = _field("merged")
    capped = _field("capped")
    cap_bytes = _field("cap_bytes")
    resize = _queued("resize")
    streams_started = _queued("streams_started")
    add_lines = _queued("add_lines")
    disconnected = _queued("disconnected")
    reconnected = _queued("reconnected")
    stop_all = _queued("stop_all")
    record_capped = _queued("record_capped")
