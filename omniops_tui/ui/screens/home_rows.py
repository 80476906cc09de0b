"""What the home overview lists: which columns, and which rows in which groups.

A folder of a team's alert runbooks has no durations or rollback ratings: the columns no loaded
runbook fills are left out and the titles get the room. Runbooks from several folders are
grouped under their folder (several files in one folder, under their file when a file holds
more than one runbook); the text outside the runbooks (an introduction, an appendix) is a row
of its own after its file's runbooks, so nothing in a file is out of reach.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # (the model is read after the first frame when home has its index)
    from omniops_tui.runbooks.model import Document, Runbook, RunbookSet
    from omniops_tui.ui.home_index import Entry

GROUP = "group:"  # the key prefix of a group's heading row (nothing to open)
TITLE_WIDTH = 18
TITLE_WIDTH_MAX = 40


class Column(NamedTuple):
    label: str
    key: str
    width: int


class OverviewRow(NamedTuple):
    key: str
    label: str
    runbook: Runbook | None  # None: a group heading


def overview_columns(runbooks: list[Runbook]) -> list[Column]:
    """The overview's columns, without those no runbook fills; the title takes what they free."""
    optional = [
        Column("Duration", "duration", 10) if any(r.duration for r in runbooks) else None,
        Column("Risk", "risk", 8) if any(r.risk for r in runbooks) else None,
        Column("Rollback", "rollback", 8) if any(r.rollback_difficulty for r in runbooks) else None,
        Column("Done", "done", 5) if any(r.checklist_items() for r in runbooks) else None,
    ]
    freed = sum(width + 2 for width, c in zip((10, 8, 8), optional[:3], strict=True) if c is None)
    title = Column("Runbook", "runbook", min(TITLE_WIDTH_MAX, TITLE_WIDTH + freed))
    when = Column("When to use", "when", 14) if any(r.when_to_use_summary for r in runbooks) else None
    return [c for c in (title, *optional, when) if c is not None]


def overview_rows(runbook_set: RunbookSet) -> list[OverviewRow]:
    """Every runbook, and every page of text outside them, in file order, under group rows."""
    from omniops_tui.runbooks.model import Document
    from omniops_tui.runbooks.text_pages import text_pages

    by_id = {r.id: r for r in runbook_set.runbooks}
    pages = {page.document: page for page in text_pages(runbook_set)}
    documents = runbook_set.documents or [Document("", "", "", runbook_ids=list(by_id))]
    group_of = _grouping(documents)
    rows: list[OverviewRow] = []
    current: str | None = None
    listed: set[str] = set()
    for document in documents:
        group = group_of(document)
        if group and group != current:
            rows.append(OverviewRow(f"{GROUP}{group}", f"▾ {group}", None))
        current = group
        indent = "  " if group else ""
        for runbook_id in document.runbook_ids:
            runbook = by_id.get(runbook_id)
            if runbook is not None and runbook.id not in listed:
                listed.add(runbook.id)
                label = indent + (runbook.overview.get("name") or runbook.title)
                rows.append(OverviewRow(runbook.id, label, runbook))
        page = pages.get(document.id)
        if page is not None:
            rows.append(OverviewRow(page.id, f"{indent}¶ {_page_label(document)}", page))
    rows += [OverviewRow(r.id, r.title, r) for r in runbook_set.runbooks if r.id not in listed]
    return rows


def overview_entry(row: OverviewRow) -> Entry:
    """What home's table shows of a row, as plain values (what home's index keeps)."""
    runbook = row.runbook
    if runbook is None:
        return row.key, row.label, None
    values = (
        runbook.duration,
        runbook.risk.split(" (")[0],
        str(runbook.risk_level),
        runbook.rollback_difficulty.split(" (")[0],
        runbook.when_to_use_summary,
        len(runbook.checklist_items()),
    )
    return row.key, row.label, values


def _page_label(document: Document) -> str:
    """Short enough for the title column; the details below list the page's sections."""
    if document.preamble and document.appendix:
        return "Intro & appendix"
    return "Appendix" if document.appendix else "Introduction"


def _grouping(documents: list[Document]) -> Callable[[Document], str]:
    """By folder when the runbooks come from several folders; by file when a file holds
    several runbooks among other files; else no groups."""
    folders = {d.folder for d in documents}
    if len(folders) > 1:
        return lambda d: d.folder or "(top folder)"
    if len(documents) > 1 and any(len(d.runbook_ids) > 1 for d in documents):
        return lambda d: d.title or d.id
    return lambda d: ""
