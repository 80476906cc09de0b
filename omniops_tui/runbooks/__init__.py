"""Runbooks: Markdown documents parsed into a model, plus the TOML that holds their logic.

The names below load on first use: importing any module of this package (a slug helper, the
overview's styles) must not import the loader and the model's classes, which a start whose
home is drawn from its index (ui/home_index.py) does not need before the first frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from omniops_tui.runbooks.loader import BUNDLED_DIR, load_runbooks
    from omniops_tui.runbooks.model import RunbookSet

__all__ = ["BUNDLED_DIR", "RunbookSet", "load_runbooks"]


def __getattr__(name: str) -> Any:
    if name in ("BUNDLED_DIR", "load_runbooks"):
        from omniops_tui.runbooks import loader

        return getattr(loader, name)
    if name == "RunbookSet":
        from omniops_tui.runbooks.model import RunbookSet

        return RunbookSet
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
