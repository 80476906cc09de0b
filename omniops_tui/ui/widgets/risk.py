"""Risk and progress as coloured Rich text for cells and panels."""

from __future__ import annotations

from rich.text import Text

from omniops_tui.runbooks.overview import RISK_STYLES
from omniops_tui.ui.literal import literal


def risk_text(label: str, level: str) -> Text:
    """A runbook's risk as written (a team's text: literal), coloured by its level."""
    return literal(label, style=RISK_STYLES.get(level, ""))


def progress_text(done: int, total: int) -> Text:
    """ "3/7" coloured by completion: nothing done dim, partial yellow, all done green."""
    if total == 0:
        return Text("—", style="dim")
    style = "bold green" if done == total else ("yellow" if done else "dim")
    return Text(f"{done}/{total}", style=style)
