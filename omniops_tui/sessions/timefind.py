"""Typed times placed on a replay's timeline: "03:12:05" (UTC), an ISO date-time, "+12:30"."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol


class Timeline(Protocol):
    """What placing a time reads of `sessions.timeline.Timeline` (no import: no cycle)."""

    events: Sequence[Any]
    times: Sequence[float]

    @property
    def duration(self) -> float: ...

    def clamp(self, t: float) -> float: ...

    def wall_at(self, t: float) -> datetime | None: ...

    def wall_of(self, index: int) -> datetime | None: ...


class TimeParseError(ValueError):
    """A typed time the timeline cannot place; the message is one line for the UI."""


def time_for(self: Timeline, text: str) -> float:
    """Place a typed time on the timeline.

    Accepts a wall-clock time of day in UTC ("03:12" or "03:12:05"; the first such moment
    within the session), an ISO date-time ("2025-03-14T03:12:05Z"; naive means UTC), or an
    offset from the start ("+12:30", "+1:02:03", "+90s").
    """
    text = text.strip()
    if not text:
        raise TimeParseError("type a time: 03:12:05, an ISO date-time, or +MM:SS from the start")
    if text.startswith("+"):
        return self.clamp(_parse_offset(text[1:]))
    if re.fullmatch(r"\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?", text):
        return _time_for_wall(self, _time_of_day(self, text))
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError:
        raise TimeParseError(
            f"cannot read {text!r} as a time: use 03:12:05 (UTC), 2025-03-14T03:12:05Z or +MM:SS"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return _time_for_wall(self, moment)


def _time_of_day(self: Timeline, text: str) -> datetime:
    parts = text.split(":")
    hours, minutes = int(parts[0]), int(parts[1])
    seconds = float(parts[2]) if len(parts) > 2 else 0.0
    if hours > 23 or minutes > 59 or seconds >= 60:
        raise TimeParseError(f"{text!r} is not a time of day")
    start = self.wall_at(0.0)
    end = self.wall_at(self.duration)
    if start is None or end is None:
        raise TimeParseError("this session has no wall-clock times; use +MM:SS instead")
    day = start.replace(hour=0, minute=0, second=0, microsecond=0)
    moment = day + timedelta(hours=hours, minutes=minutes, seconds=seconds)
    while moment < start and moment + timedelta(days=1) <= end:
        moment += timedelta(days=1)
    return moment


def _time_for_wall(self: Timeline, moment: datetime) -> float:
    """The offset at which the recorded wall clock reads `moment` (clamped to the session)."""
    if not self.events:
        return 0.0
    lo, hi = 0, len(self.events)
    while lo < hi:  # the last event whose wall time is <= moment
        mid = (lo + hi) // 2
        wall = self.wall_of(mid)
        if wall is not None and wall <= moment:
            lo = mid + 1
        else:
            hi = mid
    if lo == 0:
        first = self.wall_of(0)
        if first is None:
            return 0.0
        return self.clamp(self.times[0] - (first - moment).total_seconds())
    i = lo - 1
    wall = self.wall_of(i)
    t = self.times[i] + ((moment - wall).total_seconds() if wall else 0.0)
    if i + 1 < len(self.times):
        t = min(t, self.times[i + 1])
    return self.clamp(t)


def _parse_offset(text: str) -> float:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(s|m|h)", text)
    if match:
        return float(match.group(1)) * {"s": 1, "m": 60, "h": 3600}[match.group(2)]
    parts = text.split(":")
    if not 1 <= len(parts) <= 3 or not all(re.fullmatch(r"\d+(\.\d+)?", p) for p in parts):
        raise TimeParseError(f"cannot read offset +{text}: use +MM:SS, +H:MM:SS or +90s")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds
