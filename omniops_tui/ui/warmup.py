"""The first-time costs of the screens a person opens next, paid while the first one idles.

The first runbook opened in a process cost several times a later one (issue 9 D, issue 12):
its screen's modules were imported, and pushing a screen whose CSS files the stylesheet has
not seen makes Textual re-parse the *whole* stylesheet from scratch (every widget's default
CSS, not only the new file) and restyle every node of every screen; each widget class mounted
for the first time adds its default CSS, parsed on its first styling. All of that fell on the
key that opened the screen.

Here, half a second after start: the modules are imported on a thread, then the loop adds
those screens' CSS files and their widget classes' default CSS to the stylesheet, one source
per loop turn (each parse a few ms: a key pressed meanwhile waits for one slice, never for
the whole). `Stylesheet.parse` parses only sources it has not parsed before, so nothing is
parsed twice; the screens on show are then restyled once, as Textual does when it loads a
screen's CSS, so a rule of the new files that matches them applies as it would have. When
the screen is then pushed, Textual finds its CSS loaded and re-parses nothing.

Then the screens the App keeps (navigation.py: the metrics screen) are built off the stack,
composed and mounted, so their first opening is a resume like any later one (it was the
slowest key of a session: its tables and widgets built and styled for the first time).

Last, what the warm-up built is frozen out of the garbage collector's sight, as what start-up
built was (idle_gc.py).
"""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual._path import _css_path_type_as_list
from textual.dom import DOMNode
from textual.screen import Screen

from omniops_tui.runbooks.block_model import CommandBlock, iter_blocks
from omniops_tui.ui.idle_gc import IdleCollector

if TYPE_CHECKING:
    from textual.app import App
    from textual.css.stylesheet import Stylesheet

    from omniops_tui.runbooks.model import RunbookSet

# The screens a person opens next, in the order they are usually opened.
SCREENS = ("runbook", "metrics", "logs", "wizard")
KEPT = ("metrics",)  # built ahead, off the stack, once the styles are in
SLICE_S = 0.01  # between two slices: the loop takes keys and frames in between
LANGUAGE_SCAN_RUNBOOKS = 50  # runbooks whose commands' languages are warmed (a thread's work)
LANGUAGES = 8  # at most this many highlighters loaded ahead


def import_screens(runbooks: RunbookSet | None = None) -> None:
    """The screens' modules (on a thread: importing holds no lock the loop waits on for long),
    then the syntax highlighter of each language the runbooks' commands use: the first
    section showing a `bash` block loaded and compiled its lexer on the loop (~50 ms)."""
    for name in SCREENS:
        importlib.import_module(f"omniops_tui.ui.screens.{name}")
    if runbooks is None:
        return
    from omniops_tui.ui.widgets.command_row import block_class, highlighted

    languages: set[str] = set()
    for runbook in runbooks.runbooks[:LANGUAGE_SCAN_RUNBOOKS]:
        for section in runbook.sections:
            languages.update(block.language for block in iter_blocks(section.blocks, CommandBlock))
    for language in sorted(languages)[:LANGUAGES]:
        highlighted("true", language)
        block_class("true", language)


class _Bases:
    """What `DOMNode._get_default_css` reads from a node, for a class not yet instantiated."""

    def __init__(self, cls: type[DOMNode]) -> None:
        self._node_bases = DOMNode._css_bases(cls)


def _ui_modules() -> list[object]:
    """The app's UI modules imported so far (the screens' and the widgets they mount)."""
    return [module for name, module in list(sys.modules.items()) if name.startswith("omniops_tui.ui.")]


def _steps(app: App[Any]) -> Iterator[None]:
    """One stylesheet source added and parsed per step; the restyle of what is on show last."""
    stylesheet: Stylesheet = app.stylesheet
    added = False
    for module in _ui_modules():
        for value in list(vars(module).values()):
            if not (inspect.isclass(value) and issubclass(value, DOMNode)):
                continue
            css_path = getattr(value, "CSS_PATH", None)
            if css_path and issubclass(value, Screen):
                folder = Path(inspect.getfile(value)).parent
                for path in _css_path_type_as_list(css_path):
                    resolved = (folder / path).resolve()
                    if not stylesheet.has_source(str(resolved)):
                        stylesheet.read(resolved)
                        stylesheet.parse()
                        added = True
                        yield
            for read_from, css, tie_breaker, scope in DOMNode._get_default_css(_Bases(value)):  # type: ignore[arg-type]
                if read_from not in stylesheet.source:
                    stylesheet.add_source(
                        css, read_from=read_from, is_default_css=True, tie_breaker=tie_breaker, scope=scope
                    )
                    stylesheet.parse()
                    added = True
                    yield
    if added:
        for screen in list(app.screen_stack):
            if screen.is_attached:
                stylesheet.update(screen)
                yield
    prepare = getattr(app, "prepare", None)  # the OmniOps App's (navigation.py)
    if callable(prepare):
        for name in KEPT:
            prepare(name)
            yield
    collector: IdleCollector | None = getattr(app, "idle_collector", None)  # actions.py
    if collector is not None:
        collector.freeze()  # what the warm-up built lives as long as the app too


def warm_styles(app: App[Any]) -> None:
    """Add the next screens' styles in slices on the loop (see the module's docstring)."""
    steps = _steps(app)

    def step() -> None:
        try:
            next(steps)
        except StopIteration:
            return
        except Exception:  # styles are never worth the session: a source that fails to parse
            return  # is skipped from then on (Textual's own `parse` skips invalid CSS the same way)
        app.set_timer(SLICE_S, step)

    step()
