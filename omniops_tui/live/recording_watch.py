"""Is the session being recorded? The engine's watch over its own record (issue 10 §5).

While the record cannot be written (a full disk), the recorder holds events in memory and the
engine says so at once: a notice, listeners (the header's NOT RECORDING), a retry service that
tries the held events again on quiet sessions, and the `record_gap` the recorder writes when it
recovers folded into the timeline at once. A mixin of `LiveSession`, apart so that the session's
module keeps to its write path and intents.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from omniops_tui.core.events import Event
from omniops_tui.live.base import Notice
from omniops_tui.sessions.recorder import SessionRecorder
from omniops_tui.sessions.state import SessionState
from omniops_tui.sessions.view import Listeners

# While the record cannot be written (a full disk), how often the held events are tried again
# when nothing new is recorded (each new event tries too).
RECORD_RETRY_S = 5.0


class RecordingWatch:
    """What `LiveSession` knows about its record's health; it provides the attributes below."""

    recorder: SessionRecorder
    _state: SessionState
    _listeners: Listeners
    _recording_listeners: list[Callable[[str | None], None]]
    _recording_problem: str | None

    @property
    def session_path(self) -> Path:
        raise NotImplementedError

    def notify(self, notice: Notice) -> None:
        raise NotImplementedError

    @property
    def recording_problem(self) -> str | None:
        """Why the record is not being written now (a full disk …); None: it is."""
        return self.recorder.recording_problem

    def on_recording(self, listener: Callable[[str | None], None]) -> None:
        """Told when writing the record starts failing (the reason) or works again (None)."""
        self._recording_listeners.append(listener)

    def _recording_checked(self) -> None:
        """After a write: tell the listeners, once, when the record's health changed."""
        problem = self.recorder.recording_problem
        if problem == self._recording_problem:
            return
        self._recording_problem = problem
        if problem is not None:
            self.notify(
                Notice(
                    f"NOT RECORDING: {problem}. What happens is kept in memory and written "
                    f"when {self.session_path.parent} can be written again; free some space.",
                    severity="error",
                    timeout=15,
                )
            )
        else:
            self.notify(Notice("Recording again: what was held is written, the gap is in the record."))
        for listener in list(self._recording_listeners):
            listener(problem)

    async def keep_recording(self) -> None:
        """The record-retry service: while writing fails, try the held events again now and
        then, so a quiet session is recorded again as soon as space is back."""
        while not self.recorder.closed:
            await asyncio.sleep(RECORD_RETRY_S)
            if self.recorder.recording_problem is not None:
                self.recorder.retry()
                self._recording_checked()
                gaps = self._fold_gaps()  # the gap the retry wrote: into the timeline at once
                if gaps:
                    self._listeners.publish(tuple(gaps))

    def _fold_gaps(self) -> list[Event]:
        """A `record_gap` the recorder wrote (before the event that found the disk writable
        again) goes into the fold too: the timeline shows the hole at once, never silently."""
        gaps: list[Event] = list(self.recorder.take_gaps())
        for gap in gaps:
            self._state.apply(gap)
        return gaps
