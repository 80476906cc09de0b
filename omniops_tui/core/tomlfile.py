"""Reading the small TOML files beside the runbooks (thresholds, criteria, decision tree).

One place turns a missing, unreadable or malformed file into one line naming the file and what
went wrong, raised as `UserError` (exit 2 on the command line, never a traceback).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from omniops_tui.core.errors import UserError


def read_toml(path: Path, what: str, text: str | None = None) -> dict[str, Any]:
    """The decoded file (or `text`, a recorded copy of it); `what` names it in errors."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8") if text is None else text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: invalid TOML: {exc}") from exc
    except OSError as exc:
        raise UserError(f"{path}: cannot read {what} ({exc.strerror})") from exc
