"""The key bar at the bottom, rebuilt only when the keys it shows change.

Textual's `Footer` rebuilds every key widget on each "bindings updated" signal, and a screen
sends several of those while it opens (resume, each focus change) and on every sample that may
change what is allowed. Each rebuild restyles every key (twice: their `compact` watcher), which
was the largest single part of opening a runbook or the metrics. Most signals change nothing
shown: this footer compares what it would show with what it shows, and passes only the
signals that change it.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    """A `Footer` that ignores "bindings updated" signals which change none of its keys."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._shown: tuple[object, ...] | None = None

    def bindings_changed(self, screen: Screen) -> None:
        shown = self._keys(screen)
        if shown == self._shown:
            return
        # Noted only when this signal rebuilds the keys (Footer skips it without the focus).
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._shown = shown
        super().bindings_changed(screen)

    def _keys(self, screen: Screen) -> tuple[object, ...]:
        """What the keys would show: each binding's key, label, action, state and tooltip."""
        keys = tuple(
            (binding.key, binding.description, binding.action, enabled, tooltip)
            for (_, binding, enabled, tooltip) in screen.active_bindings.values()
            if binding.show
        )
        return (*keys, self.compact, self.show_command_palette)
