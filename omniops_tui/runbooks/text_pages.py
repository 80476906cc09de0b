"""The text of a file that is not in any runbook, as pages the app can open like a runbook.

A document's text before its first runbook (purpose, quick links, a team's introduction) and
after its last one (an appendix: emergency contacts, a cheat sheet, a sign-off block) is kept by
the parser as sections of the `Document`. A page gathers them under one title so home, the
sidebar and the palette reach them with the same screen as a runbook; the page is not a
runbook: the engine never starts it and no check runs for it.
"""

from __future__ import annotations

from omniops_tui.runbooks.model import Document, Runbook, RunbookSet

PREFIX = "text:"


def text_pages(runbook_set: RunbookSet) -> list[Runbook]:
    """One page per document that has text outside its runbooks, in file order."""
    return [page for page in (_page(d) for d in runbook_set.documents) if page is not None]


def text_page(runbook_set: RunbookSet, page_id: str) -> Runbook | None:
    """The page with this id (`text:<document id>`), or None."""
    if not page_id.startswith(PREFIX):
        return None
    return next((page for page in text_pages(runbook_set) if page.id == page_id), None)


def _page(document: Document) -> Runbook | None:
    sections = document.sections()
    if not sections:
        return None
    name = document.title or document.id or "the document"
    if document.appendix and not document.preamble:
        title = document.appendix_title or f"{name}: appendix"
    elif document.appendix:
        title = f"{name}: introduction and {document.appendix_title or 'appendix'}"
    else:
        title = f"{name}: introduction"
    return Runbook(
        id=f"{PREFIX}{document.id or 'document'}",
        number="",
        title=title,
        line=sections[0].line,
        source=document.source,
        sections=sections,
        document=document.id,
    )
