"""`omniops-tui sessions list`: what is in the sessions folder, newest first."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

from omniops_tui.core.errors import UserError
from omniops_tui.sessions.reader import read_header


@dataclass(slots=True)
class SessionSummary:
    file: str
    session_id: str
    started_at: str
    user: str
    host: str
    events: int
    duration_s: float
    runbooks: list[str] = field(default_factory=list)
    notes: int = 0
    problem: str = ""

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def list_sessions(sessions_dir: Path) -> list[SessionSummary]:
    if sessions_dir.exists() and not sessions_dir.is_dir():
        raise UserError(f"{sessions_dir}: sessions folder is a file; pass --sessions-dir a folder")
    if not sessions_dir.exists():
        return []
    summaries = [summarize(path) for path in sessions_dir.glob("*.jsonl")]
    return sorted(summaries, key=lambda s: (s.started_at, s.file), reverse=True)


def summarize(path: Path) -> SessionSummary:
    """One pass over the file with cheap substring tests; full parsing only where needed."""
    try:
        header = read_header(path)
    except UserError as exc:
        return SessionSummary(str(path), "", "", "", "", 0, 0.0, problem=str(exc))
    events = 0
    last_t = 0.0
    runbooks: list[str] = []
    notes = 0
    with open(path, "rb") as handle:
        handle.readline()
        for raw in handle:
            if not raw.endswith(b"\n"):
                break  # a truncated last line
            events += 1
            if b'"runbook_started"' in raw or b'"note_added"' in raw or events % 64 == 0:
                try:
                    record = json.loads(raw)
                except ValueError:
                    continue
                if record.get("type") == "runbook_started":
                    runbooks.append(str(record.get("runbook_id", "")))
                elif record.get("type") == "note_added":
                    notes += 1
            last_t = _offset(raw, last_t)
    return SessionSummary(
        file=str(path),
        session_id=header.session_id,
        started_at=header.started_at,
        user=header.user,
        host=header.host,
        events=events,
        duration_s=round(last_t, 1),
        runbooks=list(dict.fromkeys(runbooks)),
        notes=notes,
    )


def _offset(raw: bytes, fallback: float) -> float:
    start = raw.find(b'"t":')
    if start < 0:
        return fallback
    end = raw.find(b",", start)
    try:
        value = float(raw[start + 4 : end])
    except ValueError:
        return fallback
    return value if math.isfinite(value) else fallback  # "t": NaN or 1e999 in someone's file


def format_duration(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"
