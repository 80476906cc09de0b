"""Textual's `Footer`, hiding and showing its keys rather than rebuilding itself.

Textual's footer recomposes (a new widget per key, each styled by the CSS engine) whenever the
screen's bindings change, and they change on every focus move: opening the logs' search input
hides the letter keys (the input takes them) and closing it shows them again, two rebuilds of
the same keys. Under a log flood those rebuilds were most of what the key cost (issue 12: key
latency). When every key now active is already in the footer, with the same key, label and
state, the footer only hides the others; anything new rebuilds it as Textual does.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, KeyGroup


def first_shown(screen: Screen[object]) -> dict[str, tuple[Binding, bool]]:
    """Per action, the binding the footer shows for it (the first) and whether it is enabled."""
    shown: dict[str, tuple[Binding, bool]] = {}
    for _node, binding, enabled, _tooltip in screen.active_bindings.values():
        if binding.show:
            shown.setdefault(binding.action, (binding, enabled))
    return shown


class SteadyFooter(Footer):
    """A `Footer` that hides keys no longer active instead of rebuilding itself."""

    def bindings_changed(self, screen: Screen[object]) -> None:
        if self._bindings_ready and screen is self.screen and self._show_only(first_shown(screen)):
            return
        super().bindings_changed(screen)

    def _show_only(self, shown: dict[str, tuple[Binding, bool]]) -> bool:
        """Show just these keys by hiding the others; False when that cannot be done (an action
        not built yet, another label or state, grouped keys): then the footer is rebuilt."""
        if any(isinstance(child, KeyGroup) for child in self.children):
            return False
        keys = [
            child
            for child in self.children
            if isinstance(child, FooterKey) and not child.has_class("-command-palette")
        ]
        built = {key.action: key for key in keys}
        wanted: list[tuple[FooterKey, Binding]] = []
        for action, (binding, enabled) in shown.items():
            key = built.get(action)
            if key is None or key.description != binding.description or key.has_class("-disabled") == enabled:
                return False
            wanted.append((key, binding))
        for key, binding in wanted:
            if key.key != binding.key:  # `?` is the input's now: help shows as f1
                key.key, key.key_display = binding.key, self.app.get_key_display(binding)
                key.refresh(layout=True)
        showing = {key for key, _binding in wanted}
        for key in keys:
            key.display = key in showing
        return True
