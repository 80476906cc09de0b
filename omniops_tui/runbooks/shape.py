"""The shape of a document, read from its headings before the model is built.

Is it several numbered runbooks (the bundled document) or one runbook (most teams' files)?
Which heading is the title, which level holds the sections? Deciding this first, from the
headings alone, is what lets a file without `## 1.` headings load as a runbook instead of
vanishing into a preamble.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from omniops_tui.runbooks.blocks import RawBlock, table_cells
from omniops_tui.runbooks.inline import plain
from omniops_tui.runbooks.model import SectionKind
from omniops_tui.runbooks.slugs import slugify

OVERVIEW_COLUMNS = {
    "duration": "duration",
    "risk level": "risk",
    "risk": "risk",
    "rollback difficulty": "rollback_difficulty",
    "when to use": "when_to_use",
}


@dataclass
class DocumentShape:
    runbook_level: int = 0  # 1 or 2 when numbered headings are runbooks, else 0 (one runbook)
    runbook_headings: list[tuple[int, str]] = field(default_factory=list)  # (start, title)
    title_start: int = -1  # the heading that titles a one-runbook file (-1: none)
    title_text: str = ""
    title_line: int = 0
    section_level: int = 2
    first_h1: str = ""
    overview: tuple[list[str], list[list[str]], int] | None = None


def plan_shape(blocks: Iterable[RawBlock], numbered: re.Pattern[str]) -> DocumentShape:
    shape = DocumentShape()
    headings: list[tuple[int, int, str]] = []  # (level, start, text)
    for block in blocks:
        if block.kind == "heading":
            headings.append((block.level, block.start, block.inline.strip()))
        elif block.kind == "table" and shape.overview is None:
            headers, rows = table_cells(block.tokens)
            if headers and headers[0].strip().lower() in ("runbook", "name"):
                shape.overview = (headers, rows, block.line)
    shape.first_h1 = next((text for level, _, text in headings if level == 1), "")
    for level in (1, 2):
        found = [(i, h) for i, h in enumerate(headings) if h[0] == level and numbered.match(plain(h[2]))]
        if found and _look_like_runbooks(found, headings, level):
            shape.runbook_level = level
            shape.runbook_headings = [
                (h[1], numbered.match(plain(h[2])).group(2).strip())  # type: ignore[union-attr]
                for _, h in found
            ]
            first = headings[0]
            if first[0] < level and sum(1 for h in headings if h[0] == first[0]) == 1:
                shape.title_start, shape.title_text, shape.title_line = first[1], first[2], first[1] + 1
            return shape
    if headings:
        top = min(level for level, _, _ in headings)
        level, start, text = headings[0]
        if level == top and sum(1 for h in headings if h[0] == top) == 1:
            shape.title_start, shape.title_text, shape.title_line = start, text, start + 1
            rest = [h[0] for h in headings[1:]]
            shape.section_level = min(rest) if rest else top + 1
        else:
            shape.section_level = top
    return shape


def _look_like_runbooks(found: list[tuple[int, tuple[int, int, str]]], headings: list, level: int) -> bool:
    """Numbered headings are runbooks when they hold sections: one has a Metadata section, or
    at least half of them have headings right under them (steps numbered `## 1.` in one
    runbook mostly have none)."""
    rich = 0
    for index, _ in found:
        children: list[str] = []
        for child in range(index + 1, len(headings)):  # no slice: a copy per runbook was quadratic
            child_level, _, text = headings[child]
            if child_level <= level:
                break
            if child_level == level + 1:
                children.append(plain(text).strip().lower())
        if "metadata" in children:
            return True
        rich += len(children) >= 1
    return rich * 2 >= len(found)


def overview_rows(shape: DocumentShape) -> list[dict[str, str]]:
    """The overview table's rows as {name, duration, risk, …} (empty without one)."""
    if shape.overview is None:
        return []
    headers, rows, _ = shape.overview
    mapped = []
    for row in rows:
        entry = {"name": plain(row[0])}
        for header, cell in zip(headers[1:], row[1:], strict=False):
            key = OVERVIEW_COLUMNS.get(plain(header).strip().lower())
            if key:
                entry[key] = plain(cell)
        mapped.append(entry)
    return mapped


def section_kind(title: str) -> SectionKind:
    t = title.lower()
    rules: list[tuple[tuple[str, ...], SectionKind]] = [
        (("troubleshoot",), "troubleshooting"),
        (("decision criteria",), "decision_criteria"),
        (("when to use",), "when_to_use"),
        (("metadata",), "metadata"),
        (("prerequisite",), "prerequisites"),
        (("before you start",), "before_you_start"),
        (("rollback procedure",), "rollback"),
        (("post-deployment", "post deployment"), "post_deployment"),
        (("verification", "verify"), "verification"),
        (("procedure", "steps", "actions", "commands", "analysis"), "procedure"),
    ]
    for needles, kind in rules:
        if any(n in t for n in needles):
            return kind
    return "other"


def runbook_ids(
    shape: DocumentShape,
) -> tuple[dict[int, tuple[str, list[str]]], dict[int, dict[str, str]]]:
    """Each numbered runbook heading's (id, aliases) by its start line, and the overview row it
    matched. Ids come from the overview table's names where one matches ("First-Time Deploy"
    for "5. First-Time Production Deploy"), else from the title. Shared by the parser and the
    skeleton, so a runbook keeps its id when its full parse replaces its skeleton."""
    overview = [(row, set(slugify(row["name"]).split("-"))) for row in overview_rows(shape)]
    ids: dict[int, tuple[str, list[str]]] = {}
    rows: dict[int, dict[str, str]] = {}
    for start, title in shape.runbook_headings:
        words = set(slugify(title).split("-"))
        best, best_score = None, 0.0
        for row, row_words in overview:
            score = len(words & row_words) / max(len(row_words), 1)
            if score > best_score:
                best, best_score = row, score
        full = slugify(title)
        if best is not None and best_score >= 0.99:
            runbook_id = slugify(best["name"])
            rows[start] = best
        else:
            runbook_id = re.sub(r"-(deployment|deploy)$", "", full) or full
        aliases = sorted({full, slugify(title.replace("Deployment", "").strip())} - {runbook_id})
        ids[start] = (runbook_id, aliases)
    return ids, rows
