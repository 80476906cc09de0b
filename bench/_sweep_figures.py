"""The sweep bench's arithmetic: the whole machine's busy CPU, and the floor it sets.

Over loopback every check is CPU, ours or the servers' (the sandbox, PostgreSQL, Redis, the
kernel): nothing waits. Then no concurrent sweep can take less wall time than the machine's
busy CPU spread over every core, and the best ratio to the sequential sweep is
busy(concurrent) / (cores × wall(sequential)). Kept apart from the bench so it is tested.
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Sequence
from pathlib import Path

PROC_STAT = Path("/proc/stat")

# /proc/stat's "cpu" line: user nice system idle iowait irq softirq steal guest guest_nice.
# Busy is all but idle and iowait (a core waiting for a disk is free to run something else),
# and but guest and guest_nice, which the kernel already counts in user and nice.
_IDLE, _IOWAIT, _GUEST = 3, 4, 8


def busy_ticks(proc_stat: str) -> int:
    """Busy clock ticks of every core since boot, from the text of /proc/stat."""
    for line in proc_stat.splitlines():
        fields = line.split()
        if fields and fields[0] == "cpu":
            values = [int(value) for value in fields[1:]]
            return sum(value for index, value in enumerate(values[:_GUEST]) if index not in (_IDLE, _IOWAIT))
    raise ValueError("no 'cpu' line in /proc/stat")


def machine_busy_s() -> float | None:
    """The whole machine's busy CPU seconds since boot; None where there is no /proc/stat."""
    try:
        return busy_ticks(PROC_STAT.read_text()) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        return None


def spent(before: float | None, after: float | None) -> float | None:
    """after - before, or None when either could not be read."""
    return None if before is None or after is None else after - before


def summary(values: Sequence[float | None]) -> dict[str, float] | None:
    """Median and range, rounded to the millisecond; None when a value is missing."""
    known = [value for value in values if value is not None]
    if not known or len(known) != len(values):
        return None
    return {
        "median": round(statistics.median(known), 3),
        "min": round(min(known), 3),
        "max": round(max(known), 3),
    }


def ratio(numerator: Sequence[float], denominator: Sequence[float]) -> float:
    """median(numerator) / median(denominator), to two places."""
    return round(statistics.median(numerator) / statistics.median(denominator), 2)


def floor_ratio(
    concurrent_busy: Sequence[float | None], sequential_wall: Sequence[float], cores: int | None
) -> float | None:
    """The lowest concurrent / sequential ratio the machine allows: median(concurrent sweep's
    machine busy CPU) / (cores × median(sequential sweep's wall)); None without the figures."""
    busy = [value for value in concurrent_busy if value is not None]
    if not cores or not busy or len(busy) != len(concurrent_busy) or not sequential_wall:
        return None
    return round(statistics.median(busy) / (cores * statistics.median(sequential_wall)), 2)
