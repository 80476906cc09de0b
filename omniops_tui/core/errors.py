"""Errors the user caused and can fix, as opposed to bugs.

A `UserError` carries one line that names the file/line or target and what to do; the CLI
prints it without a traceback and exits with `exit_code` (2 for usage and config errors).
"""

from __future__ import annotations


class UserError(Exception):
    """A problem with the user's input (file, config, flag) with a one-line explanation."""

    exit_code: int = 2

    def __init__(self, message: str, *, exit_code: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message
