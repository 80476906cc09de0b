"""Every key, on every screen, generated from the bindings themselves (one source of truth)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

KEY_NAMES = {
    "question_mark": "?",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "space": "space",
    "escape": "esc",
    "backspace": "⌫",
    "enter": "enter",
    "plus": "+",
    "minus": "-",
    "slash": "/",
    "full_stop": ".",
    "comma": ",",
}
NAVIGATION = [
    ("↑ ↓ / j k", "Move in lists and tables"),
    ("pgup pgdn home end", "Scroll by page, to top, to bottom"),
    ("tab / shift+tab", "Next / previous pane"),
    ("ctrl+p", "Command palette: jump to any runbook or section, run any action"),
]


def key_label(keys: str) -> str:
    return " / ".join(KEY_NAMES.get(k, k) for k in keys.split(","))


def screen_groups() -> list[tuple[str, list[Binding], list[tuple[str, str]]]]:
    """(title, bindings, extra keys) for every screen, in the order an engineer meets them."""
    from omniops_tui.ui.keys import APP_BINDINGS
    from omniops_tui.ui.screens.home import HomeScreen
    from omniops_tui.ui.screens.run_dialogs import RunDialog, TickOfferDialog
    from omniops_tui.ui.screens.runbook import RunbookScreen, SectionList, SectionView
    from omniops_tui.ui.screens.wizard import WizardScreen

    groups: list[tuple[str, list[Binding], list[tuple[str, str]]]] = [
        (
            "Everywhere",
            [b for b in _bindings_of(APP_BINDINGS) if not (b.id or "").startswith("replay.")],
            NAVIGATION,
        ),
        ("Home (overview)", _bindings(HomeScreen), list(getattr(HomeScreen, "EXTRA_KEYS", []))),
        (
            "Runbook",
            _bindings(RunbookScreen) + _bindings(SectionList) + _bindings(SectionView),
            [("enter", "On an item: tick it · on a command: copy it · in the sidebar: read")],
        ),
        (
            "Running a command (x on a runbook screen)",
            _bindings(RunDialog) + _bindings(TickOfferDialog),
            [("NAME enter", "A destructive block runs only with the environment's name typed in full")],
        ),
        ("Which runbook? (wizard)", _bindings(WizardScreen), []),
    ]
    from omniops_tui.ui.screens.demo import ScenarioPicker, TourScreen
    from omniops_tui.ui.screens.logs import help_group as logs_group
    from omniops_tui.ui.screens.metrics import MetricsScreen
    from omniops_tui.ui.screens.sessions import SessionsScreen

    groups.append(logs_group())
    groups.append(("Metrics", _bindings(MetricsScreen), []))
    groups.append(("Sessions", _bindings(SessionsScreen), []))
    groups.append(
        (
            "Replay (sessions → enter, or `omniops-tui sessions replay FILE`)",
            [b for b in _bindings_of(APP_BINDINGS) if b.id and b.id.startswith("replay.")],
            [("click the bar", "Seek to that point of the session")],
        )
    )
    groups.append(("Demo", _bindings(ScenarioPicker) + _bindings(TourScreen), []))
    return groups


def _bindings(cls: type) -> list[Binding]:
    return _bindings_of(getattr(cls, "BINDINGS", []))


def _bindings_of(bindings: list[BindingType]) -> list[Binding]:
    return [b for b in bindings if isinstance(b, Binding)]


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > VerticalScroll {
        width: 90%;
        max-width: 100;
        height: 90%;
        border: thick $accent;
        background: $surface;
        padding: 0 1;
    }
    """
    BINDINGS = [Binding("escape,q,f1,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, under: Screen | None = None) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self._table(), id="help-table")

    def _table(self) -> Table:
        table = Table(box=None, expand=True, show_header=False, padding=(0, 1))
        table.add_column("key", style="bold cyan", no_wrap=True, width=18)
        table.add_column("action")
        current = type(self.under).__name__ if self.under is not None else ""
        for title, bindings, extras in screen_groups():
            marker = (
                "  ← you are here"
                if current and current.lower().startswith(title.split(" ")[0].lower())
                else ""
            )
            table.add_row(Text(title, style="bold reverse"), Text(marker, style="dim"))
            seen: set[str] = set()
            for binding in bindings:
                if binding.action in seen:
                    continue
                seen.add(binding.action)
                description = binding.tooltip or binding.description or binding.action
                if binding.tooltip and binding.description:
                    description = f"{binding.description}: {binding.tooltip}"
                table.add_row(key_label(binding.key), description)
            for keys, description in extras:
                table.add_row(keys, description)
            table.add_row("", "")
        table.add_row("", Text("escape closes this help", style="dim"))
        return table

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
