"""The post-mortem draft beside a session (the sessions screen's `e`), never over an edited one.

An engineer exports the draft, edits it, and exports again later: the second export must not
destroy the first one's edits. `write_postmortem_beside` writes `S.postmortem.md` next to
`S.jsonl`, or `S.postmortem-2.md`, `-3` … when that name is taken; 0600 like the session, and
redacted like every export.
"""

from __future__ import annotations

from pathlib import Path

from omniops_tui.core.files import write_fresh
from omniops_tui.runbooks.model import RunbookSet
from omniops_tui.sessions.export import export_session
from omniops_tui.sessions.redact import Redactor, default_redactor

DRAFT_SUFFIX = ".postmortem.md"


def postmortem_path(session_path: Path) -> Path:
    """Where the first draft of `session_path` goes: `S.postmortem.md` beside `S.jsonl`."""
    return session_path.with_name(session_path.stem + DRAFT_SUFFIX)


def write_postmortem_beside(
    session_path: Path, *, runbooks: RunbookSet | None = None, redactor: Redactor | None = None
) -> Path:
    """Render the markdown post-mortem of `session_path` and write it to a new file beside it;
    returns the path written (UserError / OSError when the session or the folder is bad)."""
    text = export_session(session_path, "md", runbooks=runbooks, redactor=redactor or default_redactor())
    return write_fresh(postmortem_path(session_path), text)
