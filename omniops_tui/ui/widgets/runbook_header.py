"""The two header lines of a runbook screen: title with checklist progress, then metadata.

Only what the runbook gives is shown: a team's front matter may fill one field of five, and a
row of empty labels (`⏱  · risk  · rollback`) says nothing.
"""

from __future__ import annotations

from rich.text import Text

from omniops_tui.core.text import visible_line
from omniops_tui.runbooks.model import Runbook
from omniops_tui.runbooks.text_pages import PREFIX as TEXT_PAGE
from omniops_tui.ui.widgets.risk import progress_text, risk_text


def header_text(runbook: Runbook, progress: tuple[int, int]) -> Text:
    """`1. Standard Release   checklists 3/45` over `⏱ 2-4 hours · risk Medium · …`."""
    meta = runbook.metadata
    text = Text()
    number = f"{runbook.number}. " if runbook.number else ""
    text.append(f"{number}{visible_line(runbook.title)}", style="bold")
    done, total = progress
    if total:
        text.append("   checklists ")
        text.append_text(progress_text(done, total))
    text.append("\n")
    if meta is None:
        page = runbook.id.startswith(TEXT_PAGE)
        text.append("text outside the runbooks" if page else "no metadata in this runbook", style="dim")
        return text
    parts = [
        risk_text(f"{label}{value}", runbook.risk_level)
        if label == "risk "
        else Text(label + visible_line(value))
        for label, value in (
            ("⏱ ", meta.duration),
            ("risk ", meta.risk),
            ("rollback ", meta.rollback_difficulty),
            ("when ", meta.best_time),
            ("team ", meta.minimum_team or meta.owner),
        )
        if value
    ]
    for index, part in enumerate(parts):
        if index:
            text.append(" · ", style="dim")
        text.append_text(part)
    return text
