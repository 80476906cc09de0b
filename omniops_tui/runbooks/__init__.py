"""Runbooks: Markdown documents parsed into a model, plus the TOML that holds their logic."""

from omniops_tui.runbooks.loader import BUNDLED_DIR, load_runbooks
from omniops_tui.runbooks.model import RunbookSet

__all__ = ["BUNDLED_DIR", "RunbookSet", "load_runbooks"]
