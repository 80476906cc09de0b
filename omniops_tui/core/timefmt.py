"""The session's times: UTC wall-clock stamps in ISO 8601, parsed and formatted in one place."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


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


def format_offset(seconds: float) -> str:
    """+H:MM:SS for timelines and the bar."""
    seconds = max(int(seconds), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"+{hours}:{minutes:02d}:{secs:02d}"


def wall_clock(text: str, *, with_date: bool = False) -> str:
    """`15:41:25` (or `2026-11-30 15:41:25 UTC`) from a stamp; `??:??:??` when it is not one."""
    parsed = parse_iso(text)
    if parsed is None:
        return "??:??:??"
    return parsed.strftime("%Y-%m-%d %H:%M:%S UTC" if with_date else "%H:%M:%S")


def minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f}"


def human_duration(seconds: float) -> str:
    """`1h 02m` or `4m 05s`: a session's length for a reader."""
    delta = timedelta(seconds=int(seconds))
    hours, rest = divmod(delta.seconds + delta.days * 86400, 3600)
    mins, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {mins:02d}m"
    return f"{mins}m {secs:02d}s"
