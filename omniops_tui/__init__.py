"""omniops-tui: deployment runbooks as live, recorded, replayable terminal screens."""

import sys

__version__ = "0.1.0"

# httpx's package import also imports its command-line client (httpx._main: rich's progress
# bars, pygments' lexers, click), ~25 ms of every start that checks anything over HTTP, for a
# `httpx` command this tool never runs. A None entry makes that one import fail, which httpx
# handles by defining a stub `main` (issue 12). Nothing else of httpx changes.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
