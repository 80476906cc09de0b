"""The base of every row of a runbook section (runbook_rows.py, command_row.py)."""

from __future__ import annotations

from textual.widgets import ListItem


class Row(ListItem):
    """Base row; `kind` lets screens and tests find rows without isinstance chains."""

    kind = "row"

    def shown_original(self, original: bool) -> Row:
        """Before it is mounted: show commands as the runbook writes them (`v`); only command
        rows have any."""
        return self
