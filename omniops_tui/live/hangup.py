"""Hang-ups end the process within 2 seconds, in every mode (issue 10 §10).

After `tmux kill-server` the app recorded `session_ended "signal SIGHUP"` and then, in 2 runs
of 3, stayed alive for good: the terminal was gone, the UI library's writer thread died on the
dead terminal, and the main thread waited forever to hand it the screen's last bytes (SIGTERM
then did nothing either: asyncio's signal handlers only run when the loop does). The cause is
fixed where the terminal is written (`ui/terminal.py`); this module is the guarantee on top:

- `HangupGuard` handles SIGHUP and SIGTERM with a plain `signal.signal` handler, which Python
  runs in the main thread even while it is blocked on a lock, and forwards the signal to the
  app's loop (thread-safely) so the session ends cleanly;
- the same handler arms `exit_deadline`: a daemon thread that, if the process is still there
  `deadline` seconds later, closes the record (`last_words`) and leaves with `os._exit`;
- once the app has ended cleanly after a hang-up, the interpreter's own finalization (freeing
  every module and object: seconds on a loaded machine, and no thread can run meanwhile, not
  even the deadline's) is skipped: the last atexit step leaves with `os._exit`.

No Textual here: the App (or the engine's session) gives the two callbacks.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

DEADLINE_S = 1.8
HANGUP_SIGNALS = (signal.SIGHUP, signal.SIGTERM)
_AT_DEADLINE: list[Callable[[], object]] = []


def at_exit_deadline(cleanup: Callable[[], object]) -> Callable[[], None]:
    """Also run `cleanup` if the deadline ends the process (after the record is closed): for
    what must not be left behind, like the demo's folder with its private key. It must be
    quick and safe beside the main thread doing the same. Returns a function that forgets it."""
    _AT_DEADLINE.append(cleanup)

    def forget() -> None:
        with contextlib.suppress(ValueError):
            _AT_DEADLINE.remove(cleanup)

    return forget


def exit_deadline(
    seconds: float, code: int, last_words: Callable[[], object] | None = None
) -> threading.Thread:
    """End the process with `code` after `seconds` unless it has exited by then.

    `last_words` runs first (closing the session record: it must be thread-safe and quick);
    whatever it raises is ignored, the exit is not. The thread is a daemon, so a process that
    exits on its own in time is not held back by it.
    """

    def wait_then_exit() -> None:
        threading.Event().wait(seconds)
        for words in ([last_words] if last_words is not None else []) + list(_AT_DEADLINE):
            with contextlib.suppress(BaseException):
                words()
        os._exit(code)

    thread = threading.Thread(target=wait_then_exit, name="omniops-exit-deadline", daemon=True)
    thread.start()
    return thread


def leave_without_finalizing(code: int) -> None:
    """End a process whose TUI has ended cleanly, skipping the interpreter's finalization.

    By now the record is closed and the terminal handed back; freeing every module and object
    would still take 1-2 s on a loaded machine (`ctrl+q` to exit, issue 12). The atexit handlers
    (the demo's cleanup, logging's flush) run first, as they would. When a non-daemon thread is
    still working, nothing is skipped: the normal exit waits for it.
    """
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        return
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BaseException):
            stream.flush()
    os._exit(code)


class HangupGuard:
    """SIGHUP/SIGTERM: end the session cleanly through `on_signal`, and exit by the deadline.

    `on_signal(name)` is called from the signal handler (main thread, between two bytecodes):
    it must only schedule work, e.g. `loop.call_soon_threadsafe(...)`. `last_words(name)` is
    what the deadline thread does before `os._exit` (record `session_ended` and close).
    """

    def __init__(
        self,
        on_signal: Callable[[str], object],
        *,
        last_words: Callable[[str], object] | None = None,
        deadline: float = DEADLINE_S,
    ) -> None:
        self.on_signal = on_signal
        self.last_words = last_words
        self.deadline = deadline
        self.received = ""
        self._previous: dict[int, Any] = {}

    def install(self) -> bool:
        """Install the handlers (main thread only); False when they cannot be (tests, threads)."""
        try:
            for sig in HANGUP_SIGNALS:
                self._previous[sig] = signal.signal(sig, self._handle)
        except (ValueError, OSError):  # not the main thread
            self.uninstall()
            return False
        atexit.register(self._skip_finalization)  # runs after what is registered later
        return True

    def _skip_finalization(self) -> None:
        """After a hang-up, everything that matters is closed by now: leave at once."""
        if self.received:
            with contextlib.suppress(BaseException):
                sys.stdout.flush()
            os._exit(128 + signal.Signals[self.received].value)

    def uninstall(self) -> None:
        """Put the previous handlers back (once the app has finished)."""
        for sig, previous in self._previous.items():
            with contextlib.suppress(ValueError, OSError, TypeError):
                signal.signal(sig, previous)
        self._previous.clear()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if not self.received:
            self.received = name
            last_words = self.last_words
            exit_deadline(
                self.deadline, 128 + signum, (lambda: last_words(name)) if last_words is not None else None
            )
        with contextlib.suppress(RuntimeError):  # the loop is already closed: the deadline ends us
            self.on_signal(name)
