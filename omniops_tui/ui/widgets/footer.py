"""The key bar at the bottom: one widget drawing one line of text (`KeyFooter`).

Textual's `Footer` is a container with a widget per key: every "bindings updated" signal
(a screen sends several while it opens, and one on every focus move) recomposes it, mounting,
styling and laying out each key again. On the first frame its styles and widgets were ~15-20 ms
of home's start (issue 12), opening a runbook restyled every key twice, and under a log flood
the search input's focus moves rebuilt it twice per key press. Here the keys are text: a
signal that changes what is shown repaints one line, and one that changes nothing does nothing.
What the engineer sees is the same: each active key with its description (dim when disabled),
the command palette's key on the right, a click on a key presses it.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget


class ShownKey(NamedTuple):
    """One key as the bar shows it; equal tuples mean nothing to repaint."""

    key: str
    display: str
    description: str
    action: str
    enabled: bool


class KeyFooter(Widget, can_focus=False):
    """The active keys of its screen, one line; repainted only when they change."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-footer--key", "key-footer--description"}
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        width: 1fr;
        color: $footer-foreground;
        background: $footer-background;
        & > .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
    }
    """

    def __init__(self, *, show_command_palette: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.show_command_palette = show_command_palette
        self.shown: tuple[ShownKey, ...] = ()
        self.palette: ShownKey | None = None
        self._spans: list[tuple[int, int, ShownKey]] = []  # columns of each drawn key (clicks)

    def on_mount(self) -> None:
        # The keys are read at the screen's first "bindings updated" signal, not now: a screen's
        # `check_action` may look for widgets composed after this one.
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen[object]) -> None:
        # While the terminal has no focus Textual reports no focused widget: the keys would
        # flicker to the screen's alone and back (Textual's Footer skips these too).
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._update(screen)

    def _update(self, screen: Screen[object]) -> None:
        shown, palette = self._keys(screen)
        if (shown, palette) != (self.shown, self.palette):
            self.shown, self.palette = shown, palette
            self.refresh()

    def _keys(self, screen: Screen[object]) -> tuple[tuple[ShownKey, ...], ShownKey | None]:
        """The first shown binding of each action, in the screen's order; and the palette's."""
        app = self.app
        palette_key = app.COMMAND_PALETTE_BINDING
        keys: dict[str, ShownKey] = {}
        palette: ShownKey | None = None
        for key, (_node, binding, enabled, _tooltip) in screen.active_bindings.items():
            display = app.get_key_display(binding)
            shown = ShownKey(binding.key, display, binding.description, binding.action, enabled)
            if key == palette_key and self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
                palette = shown
            elif binding.show:
                keys.setdefault(binding.action, shown)
        return tuple(keys.values()), palette

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-footer--key")
        text_style = self.get_component_rich_style("key-footer--description")
        width = self.size.width
        right = Text()
        if self.palette is not None:  # set apart by a thin bar, as on Textual's footer
            palette = self.palette
            right = Text.assemble(
                ("▏", "dim"), (f"{palette.display} ", key_style), (f"{palette.description} ", text_style)
            )
        line = Text(no_wrap=True, overflow="crop", end="")
        spans: list[tuple[int, int, ShownKey]] = []
        for shown in self.shown:
            label = self._label(shown, key_style, text_style)
            if line.cell_len + label.cell_len > width - right.cell_len:
                break  # what does not fit is left out whole, not cut in the middle
            spans.append((line.cell_len, line.cell_len + label.cell_len, shown))
            line.append_text(label)
        if self.palette is not None and right.cell_len <= width - line.cell_len:
            start = width - right.cell_len
            line.append(" " * (start - line.cell_len))
            spans.append((start, width, self.palette))
            line.append_text(right)
        self._spans = spans
        return line

    @staticmethod
    def _label(shown: ShownKey, key_style: Style, text_style: Style) -> Text:
        label = Text.assemble((f" {shown.display} ", key_style), (f"{shown.description} ", text_style))
        if not shown.enabled:
            label.stylize("dim")
        return label

    def on_click(self, event: events.Click) -> None:
        """A click on a key presses it (a disabled one rings the bell), as on Textual's footer."""
        for start, end, shown in self._spans:
            if start <= event.x < end:
                event.stop()
                if shown.enabled:
                    self.app.simulate_key(shown.key)
                else:
                    self.app.bell()
                return
