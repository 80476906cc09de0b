"""omniops-tui: deployment runbooks as live, recorded, replayable terminal screens."""

__version__ = "0.1.0"
