"""The five verdicts a check or a figure can have, and how they order.

One definition for every layer: probes produce these, the fold keeps the worst, the screens
colour them, the exports count failures. `unknown` means "could not be measured": it is never
green and never a failure.
"""

from __future__ import annotations

from typing import Literal

Status = Literal["pass", "warn", "fail", "error", "unknown"]
STATUSES: tuple[Status, ...] = ("pass", "warn", "fail", "error", "unknown")
# Worst first: when several answers fold into one (several hosts, several items) the worst wins.
SEVERITY: dict[str, int] = {"error": 4, "fail": 3, "warn": 2, "unknown": 1, "pass": 0}
# The verdicts that mean "something is wrong", as opposed to "fine" or "could not tell".
FAILING: frozenset[str] = frozenset({"fail", "error"})
PASSING = "pass"


def is_failing(status: str) -> bool:
    return status in FAILING


def worst(statuses: list[str]) -> str:
    """The most severe of several verdicts ("unknown" for none)."""
    return max(statuses, key=lambda status: SEVERITY.get(status, 1), default="unknown")
