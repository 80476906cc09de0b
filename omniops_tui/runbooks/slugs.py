"""Stable, readable ids from titles, and a registry that notices when two things share one."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_length: int = 60) -> str:
    """ "Phase 1: Pre-Deployment (T-30min)" -> "phase-1-pre-deployment-t-30min".

    Long titles are cut at a word boundary so ids stay readable in TOML and sessions.
    """
    slug = _NON_ALNUM.sub("-", text.lower().replace("`", "")).strip("-")
    if len(slug) > max_length:
        cut = slug[:max_length]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug or "untitled"


@dataclass
class IdRegistry:
    """Hands out unique ids and remembers collisions so `lint` can report them."""

    seen: dict[str, int] = field(default_factory=dict)
    duplicates: list[tuple[str, int, int]] = field(default_factory=list)
    # The next suffix to try per wanted id: a file repeating one title 600 times (a 50 MB
    # concatenation) made counting up from 2 on every claim quadratic.
    _next: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def claim(self, wanted: str, line: int, alternates: tuple[str, ...] = (), *, quiet: bool = False) -> str:
        """`wanted` if free, else the first free alternate (a more exact spelling, such as
        `t-plus-4-hours` for "T+4 Hours" beside "T-4 Hours"), else `wanted-2`… noted as a
        duplicate for lint unless `quiet`."""
        if wanted not in self.seen:
            self.seen[wanted] = line
            return wanted
        for alternate in alternates:
            if alternate not in self.seen:
                self.seen[alternate] = line
                return alternate
        if not quiet:  # an id nobody writes by hand (a group, a code block) is no one's mistake
            self.duplicates.append((wanted, line, self.seen[wanted]))
        n = self._next.get(wanted, 2)
        while f"{wanted}-{n}" in self.seen:
            n += 1
        self._next[wanted] = n + 1
        unique = f"{wanted}-{n}"
        self.seen[unique] = line
        return unique


def exact_slug(text: str, max_length: int = 60) -> str:
    """A slug that keeps what `slugify` folds together: "+" and "-" differ ("T+4" / "T-4")."""
    return slugify(text.replace("+", " plus "), max_length)
