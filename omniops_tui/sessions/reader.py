"""Reading session files, tolerantly where tolerance is safe and strictly where it is not.

- a truncated last line (no newline: the process was killed mid-write) is ignored, with a notice;
- a corrupt line anywhere else (a disk that filled up, an editor) is skipped with a notice naming
  its line, and the rest is read: one bad line never costs the whole record;
- unknown event types (a newer version wrote them) are skipped and counted;
- sequence numbers that go backwards, and a second `session_ended` with no `session_resumed`
  between, are flagged with the line (two writers at once: issue 10 §9); exports show notices;
- another format or version is refused with a clear message.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omniops_tui.core.errors import UserError
from omniops_tui.core.events import (
    FORMAT_NAME,
    FORMAT_VERSION,
    Event,
    EventFieldError,
    SessionEnded,
    SessionResumed,
    SessionStarted,
    UnknownEvent,
    from_record,
)
from omniops_tui.sessions.header import SessionHeader

# The C scanner behind `json.loads`, without its per-call checks; not in the typeshed stubs.
_SCAN: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


@dataclass(slots=True)
class SessionFile:
    path: Path
    header: SessionHeader
    events: list[Event] = field(default_factory=list)
    unknown_types: dict[str, int] = field(default_factory=dict)
    truncated_tail: bool = False
    notices: list[str] = field(default_factory=list)
    skipped_lines: list[int] = field(default_factory=list)  # 1-based: blank or corrupt
    suspect: bool = False  # out-of-order sequences or a doubled session_ended: two writers?

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
    try:
        # Decoded once, whole (fast); a cut multi-byte character or a corrupt byte means the
        # careful line-by-line path on bytes, which names the line.
        lines: list[str] | list[bytes] = raw.decode("utf-8").split("\n")
        ends_clean = not lines[-1]
    except UnicodeDecodeError:
        lines = raw.split(b"\n")
        ends_clean = raw.endswith(b"\n")
    if ends_clean:
        lines.pop()
    if not lines or not lines[0].strip():
        raise UserError(f"{path}:1: empty file, not an omniops-tui session")
    first = lines[0]
    header = _header(path, first.encode("utf-8") if isinstance(first, str) else first)
    session = SessionFile(path, header)
    _read_events(path, lines, ends_clean, session)
    _check_order(path, session)
    unknown = sum(session.unknown_types.values())
    if unknown:
        kinds = ", ".join(sorted(session.unknown_types))
        session.notices.append(
            f"{path}: skipped {unknown} event(s) of types this version does not know ({kinds})"
        )
    return session


def _read_events(path: Path, lines: list[str] | list[bytes], ends_clean: bool, session: SessionFile) -> None:
    """Parse every event line into `session`.

    Fast path first (a 100,000-event session must open in well under a second): each decoded
    line goes straight to the C JSON scanner, with the garbage collector paused while the
    objects are made. Any line the fast path does not accept cleanly (blank, trailing bytes,
    not an object, cut off, or the file was not valid UTF-8) is handed as bytes to
    `json.loads`, exactly as before, so errors and notices are unchanged.
    """
    if not ends_clean and len(lines) > 1:
        # The recorder writes each line with its newline in one write: a last line without
        # one was cut off, even when what is left happens to parse.
        lines.pop()
        session.truncated_tail = True
        session.notices.append(
            f"{path}:{len(lines) + 1}: last line is incomplete (the recording was cut off); ignored it"
        )
    scan = _SCAN
    build = from_record
    append = session.events.append
    unknown = session.unknown_types
    paused = gc.isenabled()
    gc.disable()
    try:
        for index in range(1, len(lines)):
            line = lines[index]
            if type(line) is str:
                try:
                    record, end = scan(line, 0)
                    clean = end == len(line) and type(record) is dict and type(record.get("type")) is str
                    event = build(record, consume=True) if clean else None
                    if event is not None and (type(event.seq) is not int or type(event.t) not in _NUMBER):
                        event = None
                except Exception:
                    event = None  # the careful path below parses it again and names the problem
                if event is not None:
                    if type(event) is UnknownEvent:
                        unknown[event.type_name] = unknown.get(event.type_name, 0) + 1
                    append(event)
                    continue
            raw = line.encode("utf-8") if isinstance(line, str) else line
            event = _slow_line(path, raw, index, session)
            if event is not None:
                if isinstance(event, UnknownEvent):
                    unknown[event.type_name] = unknown.get(event.type_name, 0) + 1
                append(event)
    finally:
        if paused:
            gc.enable()


_NUMBER = (int, float)


def _slow_line(path: Path, line: bytes, index: int, session: SessionFile) -> Event | None:
    """One line the careful way: None for a blank or corrupt line (noticed, then skipped).

    Two kinds of damage, two answers: a line that is not a JSON object (cut by a crash or a full
    disk, garbled) is skipped with a notice and the rest is read; a well-formed event whose field
    has the wrong type (hand-edited, hostile) is refused with one line naming file, line and field
    (`UserError`, exit 2), since nothing can be trusted to mean what it says.
    """
    if not line.strip():
        session.skipped_lines.append(index + 1)
        return None
    try:
        record = json.loads(line)
        if not isinstance(record, dict):
            raise ValueError("not a JSON object")
    except (ValueError, TypeError) as exc:
        session.skipped_lines.append(index + 1)
        session.notices.append(
            f"{path}:{index + 1}: corrupt session line ({_reason(exc)}); skipped it and read the rest"
        )
        return None
    try:
        _check_stamps(record)
        return from_record(record)
    except EventFieldError as exc:
        raise UserError(f"{path}:{index + 1}: {exc}; fix or remove that line") from None
    except (ValueError, TypeError) as exc:
        session.skipped_lines.append(index + 1)
        session.notices.append(
            f"{path}:{index + 1}: corrupt session line ({_reason(exc)}); skipped it and read the rest"
        )
        return None


def _check_stamps(record: dict[str, object]) -> None:
    """Type, sequence and offset are what ordering, replay and resume stand on."""
    if not isinstance(record.get("type"), str):
        raise ValueError("no event type")
    seq, t = record.get("seq"), record.get("t", 0)
    if type(seq) is not int:
        raise EventFieldError(f"field 'seq' must be a whole number, not {seq!r}")
    if type(t) not in _NUMBER:
        raise EventFieldError(f"field 't' must be a number, not {t!r}")


def _check_order(path: Path, session: SessionFile) -> None:
    """Flag sequences that do not increase and a second `session_ended` with no resume between."""
    last = 0
    ended: int | None = None
    backwards: list[tuple[int, int, int]] = []
    doubled: list[tuple[int, int]] = []
    for index, event in enumerate(session.events):
        seq = event.seq
        if seq <= last:
            backwards.append((index, seq, last))
        else:
            last = seq
        kind = type(event)
        if kind is SessionEnded:
            if ended is not None:
                doubled.append((index, ended))
            ended = index
        elif kind is SessionResumed or kind is SessionStarted:
            ended = None
    if backwards:
        index, seq, previous = backwards[0]
        more = f"; {len(backwards)} such lines in all" if len(backwards) > 1 else ""
        session.notices.append(
            f"{path}:{_line_of(session, index)}: sequence {seq} after {previous}: out of order "
            f"(two writers at once?){more}"
        )
    for index, first in doubled[:3]:
        session.notices.append(
            f"{path}:{_line_of(session, index)}: a second session_ended (the first is line "
            f"{_line_of(session, first)}) with no session_resumed between: two writers at once?"
        )
    session.suspect = bool(backwards or doubled)


def _line_of(session: SessionFile, event_index: int) -> int:
    """The 1-based line of the event at `event_index` (the header is line 1)."""
    line = event_index + 2
    for skipped in session.skipped_lines:
        if skipped <= line:
            line += 1
    return line


def read_header(path: Path) -> SessionHeader:
    """Just the first line: cheap enough to list hundreds of sessions."""
    try:
        with open(path, "rb") as handle:
            first = handle.readline()
    except OSError as exc:
        raise UserError(f"{path}: cannot read session file ({exc.strerror})") from exc
    return _header(path, first)


def read_header_line(path: Path, line: bytes) -> SessionHeader:
    """The header from the file's first line (`index` reads the rest its own way)."""
    return _header(path, line)


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
