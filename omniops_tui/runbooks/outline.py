"""A runbook's outline: its sections and the headings under them, for a sidebar.

Kept apart from the model so the model stays a set of plain dataclasses; walked iteratively so
a document nested a thousand levels deep never meets the recursion limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from omniops_tui.runbooks.model import Block, Phase, Runbook, TroubleshootingEntry


@dataclass(slots=True)
class OutlineEntry:
    """One line of a runbook's outline: a section (depth 0) or a heading under it."""

    id: str
    title: str
    depth: int
    kind: Literal["section", "phase", "issue"]
    line: int


def outline(runbook: Runbook, max_level: int = 4) -> list[OutlineEntry]:
    """Sections (depth 0) and the phases and troubleshooting issues under them, in document
    order, down to the Markdown heading level `max_level`."""
    entries: list[OutlineEntry] = []
    for section in runbook.sections:
        entries.append(OutlineEntry(section.id, section.title, 0, "section", section.line))
        stack: list[tuple[list[Block], int]] = [(section.blocks, 1)]
        found: list[OutlineEntry] = []
        while stack:
            blocks, depth = stack.pop()
            for block in reversed(blocks):
                if isinstance(block, Phase) and block.level <= max_level:
                    found.append(OutlineEntry(block.id, block.title, depth, "phase", block.line))
                    stack.append((block.blocks, depth + 1))
                elif isinstance(block, TroubleshootingEntry):
                    found.append(OutlineEntry(block.id, block.title, depth, "issue", block.line))
        entries.extend(sorted(found, key=lambda e: e.line))
    return entries
