"""Reading session files, tolerantly where tolerance is safe and strictly where it is not.

- a truncated last line (the process was killed mid-write) is ignored, with a notice;
- unknown event types (a newer version wrote them) are skipped and counted;
- another format or version is refused with a clear message;
- any other bad line is an error naming the file and the line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from omniops_tui.errors import UserError
from omniops_tui.events import FORMAT_NAME, FORMAT_VERSION, Event, UnknownEvent, from_record
from omniops_tui.sessions.header import SessionHeader


@dataclass(slots=True)
class SessionFile:
    path: Path
    header: SessionHeader
    events: list[Event] = field(default_factory=list)
    unknown_types: dict[str, int] = field(default_factory=dict)
    truncated_tail: bool = False
    notices: list[str] = field(default_factory=list)

    @property
    def last_seq(self) -> int:
        return self.events[-1].seq if self.events else 0

    @property
    def last_offset(self) -> float:
        return self.events[-1].t if self.events else 0.0

    @property
    def known_events(self) -> list[Event]:
        return [e for e in self.events if not isinstance(e, UnknownEvent)]


def read_session(path: Path) -> SessionFile:
    if path.is_dir():
        raise UserError(f"{path}: is a folder, not a session file")
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise UserError(f"{path}: no such session file") from exc
    except OSError as exc:
        raise UserError(f"{path}: cannot read session file ({exc.strerror})") from exc
    lines = raw.split(b"\n")
    ends_clean = raw.endswith(b"\n")
    if ends_clean:
        lines.pop()
    if not lines or not lines[0].strip():
        raise UserError(f"{path}:1: empty file, not an omniops-tui session")
    header = _header(path, lines[0])
    session = SessionFile(path, header)
    last_index = len(lines) - 1
    loads = json.loads
    for index in range(1, len(lines)):
        line = lines[index]
        if not line.strip():
            continue
        try:
            record = loads(line)
            if not isinstance(record, dict):
                raise ValueError("not a JSON object")
            event = from_record(record)
        except (ValueError, TypeError) as exc:
            if index == last_index and not ends_clean:
                session.truncated_tail = True
                session.notices.append(
                    f"{path}:{index + 1}: last line is incomplete (the recording was cut off); "
                    "ignored it"
                )
                break
            raise UserError(
                f"{path}:{index + 1}: corrupt session line ({_reason(exc)}); "
                "the lines before it are intact"
            ) from exc
        if isinstance(event, UnknownEvent):
            session.unknown_types[event.type_name] = session.unknown_types.get(event.type_name, 0) + 1
        session.events.append(event)
    unknown = sum(session.unknown_types.values())
    if unknown:
        kinds = ", ".join(sorted(session.unknown_types))
        session.notices.append(
            f"{path}: skipped {unknown} event(s) of types this version does not know ({kinds})"
        )
    return session


def read_header(path: Path) -> SessionHeader:
    """Just the first line: cheap enough to list hundreds of sessions."""
    try:
        with open(path, "rb") as handle:
            first = handle.readline()
    except OSError as exc:
        raise UserError(f"{path}: cannot read session file ({exc.strerror})") from exc
    return _header(path, first)


def _header(path: Path, line: bytes) -> SessionHeader:
    try:
        record = json.loads(line)
    except ValueError as exc:
        raise UserError(f"{path}:1: not an omniops-tui session (first line is not JSON)") from exc
    if not isinstance(record, dict) or record.get("format") != FORMAT_NAME:
        raise UserError(f"{path}:1: not an omniops-tui session (no '{FORMAT_NAME}' header)")
    version = record.get("version")
    if version != FORMAT_VERSION:
        raise UserError(
            f"{path}:1: session format version {version} is not supported by this omniops-tui "
            f"(it reads version {FORMAT_VERSION}); use a matching omniops-tui version"
        )
    return SessionHeader.from_record(record)


def _reason(exc: Exception) -> str:
    text = str(exc)
    return text.split(":")[0] if isinstance(exc, json.JSONDecodeError) else text
