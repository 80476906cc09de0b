"""The runbook overview as a text table for `omniops-tui runbooks` (Rich, no Textual)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:  # (the screens read RISK_STYLES before the model is imported: ui/home_index.py)
    from omniops_tui.runbooks.model import RunbookSet

# One palette for the risk levels, in the CLI table and on the screens.
RISK_STYLES = {"low": "green", "medium": "yellow", "high": "bold dark_orange", "critical": "bold red"}


def overview_table(runbook_set: RunbookSet, width: int = 100, color: bool | None = None) -> str:
    table = Table(box=None, pad_edge=False, header_style="bold")
    for name, no_wrap in (
        ("ID", True),
        ("TITLE", False),
        ("DURATION", True),
        ("RISK", True),
        ("ROLLBACK", False),
        ("WHEN TO USE", False),
    ):
        table.add_column(name, no_wrap=no_wrap)
    for runbook in runbook_set.runbooks:
        style = RISK_STYLES.get(runbook.risk_level, "")
        table.add_row(
            runbook.id,
            runbook.title,
            runbook.duration,
            f"[{style}]{runbook.risk}[/]" if style else runbook.risk,
            runbook.rollback_difficulty,
            runbook.when_to_use_summary,
        )
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, force_terminal=color, no_color=color is False, highlight=False
    )
    console.print(table)
    return buffer.getvalue().rstrip("\n")
