"""The first line of every session file: what wrote it, when, where, from which runbooks."""

from __future__ import annotations

import getpass
import socket
from dataclasses import asdict, dataclass, field
from typing import Any

from omniops_tui import __version__
from omniops_tui.core.events import FORMAT_NAME, FORMAT_VERSION, utc_now_iso


@dataclass(slots=True)
class SessionHeader:
    session_id: str
    started_at: str
    tool_version: str = __version__
    user: str = ""
    host: str = ""
    runbook_source: list[str] = field(default_factory=list)
    environment: str = ""
    format: str = FORMAT_NAME
    version: int = FORMAT_VERSION
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def new(cls, session_id: str, runbook_source: list[str], environment: str = "") -> SessionHeader:
        return cls(
            session_id=session_id,
            started_at=utc_now_iso(),
            user=_user(),
            host=socket.gethostname(),
            runbook_source=runbook_source,
            environment=environment,
        )

    def to_record(self) -> dict[str, Any]:
        data = asdict(self)
        extra = data.pop("extra")
        return {**extra, **data}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> SessionHeader:
        """The header of a session file; a field of the wrong type (a hand-edited or hostile
        file) is made the declared type, since the header only describes the session."""
        known = {f for f in cls.__dataclass_fields__ if f != "extra"}
        values = {k: _as_declared(k, v) for k, v in record.items() if k in known}
        values.setdefault("session_id", "")
        values.setdefault("started_at", "")
        return cls(**values, extra={k: v for k, v in record.items() if k not in known})


def _as_declared(key: str, value: Any) -> Any:
    if key == "runbook_source":
        items = value if isinstance(value, list) else [] if value is None else [value]
        return [item if isinstance(item, str) else str(item) for item in items]
    if key == "version":
        return value  # compared by the reader, which refuses what it does not read
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"
