"""Outside text as a Rich `Text`: shown as written, never parsed as markup.

A plain `str` handed to a `DataTable` cell, a Rich `Table` cell or a `Static` is parsed as
console markup: a team's runbook title `Markup [bold red]drill[/x]` crashed the overview
(`MarkupError`), and `[@click=app.quit]` would be a live action (issue 10 §2). Cells and labels
that hold text from runbooks, session files, config or hosts go through `literal` instead.
"""

from __future__ import annotations

from rich.text import Text

from omniops_tui.core.text import visible, visible_line


def literal(text: str, style: str = "") -> Text:
    """One-line outside text as a `Text`: no markup, every control character visible."""
    return Text(visible_line(text), style=style)


def literal_block(text: str, style: str = "") -> Text:
    """Like `literal`, keeping newlines (a cell that wraps several lines)."""
    return Text(visible(text), style=style)
