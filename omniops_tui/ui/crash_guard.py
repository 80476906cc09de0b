"""An unhandled exception inside the app becomes a crash report, not a screen of local variables.

Textual's default prints a rich traceback *with local variables* to the terminal when a
handler raises: session paths, config values, a DSN in a connection object, all on the
engineer's screen (and in their scrollback). `CrashGuard.install(app)` replaces that: the
first exception is kept, the app closes quietly with return code 70, and
`raise_if_crashed()` hands the exception to the command line, which writes the private crash
report (omniops_tui/crash.py) and prints one line.
"""

from __future__ import annotations

from typing import Any

from textual.app import App

CRASH_RETURN_CODE = 70


class CrashGuard:
    def __init__(self) -> None:
        self.error: BaseException | None = None

    @classmethod
    def install(cls, app: App[Any]) -> CrashGuard:
        guard = cls()

        def handle_exception(error: Exception) -> None:
            if guard.error is None:
                guard.error = error
            # What Textual's own handler does, minus printing the traceback and its locals.
            app._return_code = CRASH_RETURN_CODE
            app._close_messages_no_wait()

        app._handle_exception = handle_exception  # type: ignore[method-assign]
        return guard

    def raise_if_crashed(self) -> None:
        if self.error is not None:
            raise self.error
