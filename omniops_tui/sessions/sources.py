"""The runbooks a recorded session is read against, for its item texts and checklists."""

from __future__ import annotations

from pathlib import Path

from omniops_tui.runbooks.model import RunbookSet


def runbooks_for(header_sources: list[str], explicit: Path | None = None) -> RunbookSet | None:
    """The runbook model for item texts: --runbooks if given, else the session's own sources if
    they are all still readable, else the bundled runbooks; None if none can be loaded."""
    from omniops_tui.core.errors import UserError
    from omniops_tui.runbooks import load_runbooks

    if explicit is not None:
        return load_runbooks(explicit)
    paths = [Path(s) for s in header_sources]
    if paths and all(p.is_file() for p in paths):
        try:
            merged = RunbookSet(runbooks=[])
            for path in paths:
                loaded = load_runbooks(path)
                known = {r.id for r in merged.runbooks}
                merged.runbooks.extend(r for r in loaded.runbooks if r.id not in known)
                merged.sources.extend(loaded.sources)
            return merged
        except UserError:
            pass
    try:
        return load_runbooks(None)
    except UserError:
        return None
