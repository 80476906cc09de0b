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
        known = {f for f in cls.__dataclass_fields__ if f != "extra"}
        return cls(
            **{k: v for k, v in record.items() if k in known},
            extra={k: v for k, v in record.items() if k not in known},
        )


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"
