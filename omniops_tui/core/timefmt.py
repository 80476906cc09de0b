"""The session's times: UTC wall-clock stamps in ISO 8601, parsed and formatted in one place."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now_iso() -> str:
    """Now, as the recorder stamps events: `2026-11-30T15:41:25.123Z`."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text: str) -> datetime | None:
    """An ISO 8601 stamp (with `Z` or an offset; naive means UTC), or None when it is not one."""
    if not isinstance(text, str) or not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def clock_time(text: str) -> str:
    """`15:41:25` from a stamp, or the text itself when it is not one."""
    parsed = parse_iso(text)
    return parsed.strftime("%H:%M:%S") if parsed is not None else text
