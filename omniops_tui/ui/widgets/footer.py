"""The key bar at the bottom, rebuilt only when the keys it shows change (`KeyFooter`), or, on
a screen whose input takes and gives back keys, shown and hidden instead (`SteadyFooter`).

Textual's `Footer` rebuilds every key widget on each "bindings updated" signal, and a screen
sends several of those while it opens (resume, each focus change) and on every sample that may
change what is allowed. Each rebuild restyles every key (twice: their `compact` watcher), which
was the largest single part of opening a runbook or the metrics. Most signals change nothing
shown: this footer compares what it would show with what it shows, and passes only the
signals that change it.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, KeyGroup


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

    def compose(self) -> ComposeResult:
        """Textual's keys, born in the footer's `compact` state: a `FooterKey` starts compact
        and its data binding then turns that off, restyling each key twice as it mounts (~a
        tenth of opening a runbook). Set before mounting, both restylings find nothing to do.
        Only the bound keys: the command palette's key is not bound and stays compact."""
        for widget in super().compose():
            bound = widget._reactive_connect or {}
            if isinstance(widget, FooterKey) and "compact" in bound:
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
            yield widget

    def _keys(self, screen: Screen) -> tuple[object, ...]:
        """What the keys would show: each binding's key, label, action, state and tooltip."""
        keys = tuple(
            (binding.key, binding.description, binding.action, enabled, tooltip)
            for (_, binding, enabled, tooltip) in screen.active_bindings.values()
            if binding.show
        )
        return (*keys, self.compact, self.show_command_palette)


def first_shown(screen: Screen[object]) -> dict[str, tuple[Binding, bool]]:
    """Per action, the binding the footer shows for it (the first) and whether it is enabled."""
    shown: dict[str, tuple[Binding, bool]] = {}
    for _node, binding, enabled, _tooltip in screen.active_bindings.values():
        if binding.show:
            shown.setdefault(binding.action, (binding, enabled))
    return shown


class SteadyFooter(KeyFooter):
    """A `KeyFooter` that also hides keys no longer active instead of rebuilding itself.

    Textual's footer recomposes whenever the screen's bindings change, and they change on every
    focus move: opening the logs' search input hides the letter keys (the input takes them) and
    closing it shows them again, two rebuilds of the same keys. Under a log flood those rebuilds
    were most of what a key cost (issue 12). When every key now active is already in the footer,
    with the same key, label and state, the footer only hides the others; anything new rebuilds
    it as Textual does.
    """

    def bindings_changed(self, screen: Screen) -> None:
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
