"""A terminal driver that survives its terminal: writes to a hung-up tty are dropped, not fatal.

Textual's Linux driver hands every screen update to a writer thread through a queue of 30
items. When the terminal goes away (the SSH session to the bastion drops, `tmux kill-server`)
the thread's write fails (EIO), the thread dies, and the next 30 writes fill the queue: the
main thread then blocks forever in `queue.put`, while shutting down (issue 10 §10). Here the
driver's output file stops writing at the first error instead, so the writer thread lives,
the queue drains, and the app shuts down as usual.
"""

from __future__ import annotations

from typing import IO, Any

from textual.driver import Driver


class TerminalOutput:
    """The driver's output file; once a write fails the terminal is gone and writes are dropped."""

    def __init__(self, file: IO[str]) -> None:
        self._file = file
        self.gone = False

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                return self._file.write(text)
            except (OSError, ValueError):
                self.gone = True
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self._file.flush()
            except (OSError, ValueError):
                self.gone = True

    def fileno(self) -> int:
        return self._file.fileno()

    def isatty(self) -> bool:
        return True


def hangup_safe(driver_class: type[Driver]) -> type[Driver]:
    """`driver_class` with its output wrapped in `TerminalOutput` (the Linux driver only)."""
    from textual.drivers.linux_driver import LinuxDriver

    if not issubclass(driver_class, LinuxDriver):
        return driver_class

    class HangupSafeDriver(driver_class):  # type: ignore[valid-type,misc]
        _file: Any  # the Linux driver's output file (an IO[str]), then our wrapper of it

        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self._file = TerminalOutput(self._file)

    return HangupSafeDriver
