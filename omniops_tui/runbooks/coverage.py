"""Does the model hold every line of the source? The check behind lint's "not shown" reports.

Each source line is compared, reduced to its letters and digits, with the lines of everything
the model holds (titles, items, prose, commands, table rows, front matter). Markup (list
markers, boxes, heading marks, fences, table rules) is not text and is not compared; a link's
destination is left out on both sides, since the model may carry a reference link's URL inline.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from omniops_tui.runbooks.model import (
    ChecklistGroup,
    CommandBlock,
    ExpectedOutput,
    MarkdownBlock,
    Phase,
    RunbookSet,
    Section,
    Step,
    TableBlock,
    TroubleshootingEntry,
    iter_blocks,
)

LEAD = re.compile(r"^\s*(?:>\s*)*(?:(?:[-*+]|\d+[.)])\s+)?(?:\[[ xX]\]\s*)?")
FENCE_LINE = re.compile(r"^\s*(?:>\s*)*(?:[-*+]\s+|\d+[.)]\s+)?(`{3,}|~{3,})")
LINK_TARGET = re.compile(r"\]\([^)]*\)|\]\[[^\]]*\]")


PREFIX = re.compile(r"^[\s#>*_]+")
# What `str.isalnum` rejects (a word character that is not "_" is exactly an alphanumeric one):
# one regex pass instead of a Python loop over every character (most of lint's time on 50 MB).
NOT_ALNUM = re.compile(r"[\W_]+")


def normalize(line: str) -> str:
    for _ in range(2):  # "- **1. Title**": the list marker, the emphasis, the number
        line = LEAD.sub("", PREFIX.sub("", line), count=1)
    line = LINK_TARGET.sub("]", line)
    return NOT_ALNUM.sub("", line.lower())


def model_fragments(runbook_set: RunbookSet) -> set[str]:
    """Every line of text the model holds, normalized."""
    held: set[str] = set()
    for text in _texts(runbook_set):
        for line in text.split("\n"):
            key = normalize(line)
            if key:
                held.add(key)
    return held


def unheld_lines(text: str, runbook_set: RunbookSet) -> list[tuple[int, str]]:
    """(1-based line, text) of each source line with text the model does not hold."""
    held = model_fragments(runbook_set)
    missing: list[tuple[int, str]] = []
    for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        if FENCE_LINE.match(line):
            continue
        key = normalize(line)
        if key and key not in held:
            missing.append((number, line))
    return missing


def _texts(runbook_set: RunbookSet) -> Iterator[str]:
    for document in runbook_set.documents:
        yield document.title
        yield document.appendix_title
        yield from _front_matter(document.front_matter)
    sections: list[Section] = [*runbook_set.preamble, *runbook_set.appendix]
    for runbook in runbook_set.runbooks:
        yield runbook.title
        yield f"{runbook.number}. {runbook.title}"
        yield from _front_matter(runbook.front_matter)
        sections.extend(runbook.sections)
    for section in sections:
        yield section.title
        yield from _blocks(section.blocks)


def _blocks(blocks: list[Any]) -> Iterator[str]:
    for block in iter_blocks(blocks):
        if isinstance(block, MarkdownBlock):
            yield block.text
        elif isinstance(block, CommandBlock):
            yield block.code
            yield block.language
        elif isinstance(block, ExpectedOutput):
            yield block.label
            yield block.block.code
        elif isinstance(block, TableBlock):
            yield "|" + "|".join(block.headers)
            yield from ("|" + "|".join(row) for row in block.rows)
        elif isinstance(block, ChecklistGroup):
            yield block.title
            yield f"{block.title} ({block.timing})"
            yield from (item.text for item in block.items)
        elif isinstance(block, Step):
            yield block.title
            yield f"{block.number}. {block.title}"
        elif isinstance(block, Phase):
            yield block.title
        elif isinstance(block, TroubleshootingEntry):
            yield block.title
            yield f"Issue: {block.title}"
            yield f"Cause: {block.cause}"
            yield from ("Symptoms", "Symptom", "Resolution", "Fix", "Solution")  # the parts' labels


def _front_matter(data: Any) -> Iterator[str]:
    """Front matter as the lines it was written in: `key: value`, list items, block text."""
    stack: list[Any] = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for key, inner in value.items():
                if isinstance(inner, dict | list):
                    yield str(key)
                    if isinstance(inner, list):
                        yield f"{key}: " + " ".join(str(v) for v in inner)
                    stack.append(inner)
                else:
                    yield f"{key}: {inner}"
                    yield f"{key} = {inner}"
                    yield str(key)
                    yield str(inner)
        elif isinstance(value, list):
            if all(not isinstance(v, dict | list) for v in value):
                yield " ".join(str(v) for v in value)
            stack.extend(value)
        elif value is not None:
            yield str(value)
