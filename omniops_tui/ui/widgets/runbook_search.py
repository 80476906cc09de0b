"""Find a runbook by title, tags or when-to-use: the wizard's answer when a team has no tree.

An input and the matching runbooks under it, best first (`runbooks.bundle.search_runbooks`).
Typing filters; down moves into the list; enter (in the input or on a row) posts `Chosen`
with the runbook's id, and the screen decides what opening it means.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from omniops_tui.core.text import visible_line
from omniops_tui.runbooks.bundle import search_runbooks
from omniops_tui.runbooks.model import Runbook

SHOWN = 50  # matches listed at most: a long list helps nobody choose


class SearchInput(Input):
    BINDINGS = [Binding("down", "screen.focus_next", "Results", show=False)]


class RunbookSearch(Vertical):
    """The search box and its results."""

    DEFAULT_CSS = """
    RunbookSearch { height: auto; }
    RunbookSearch > OptionList { height: auto; max-height: 12; }
    """

    @dataclass
    class Chosen(Message):
        runbook_id: str

    def __init__(self, runbooks: list[Runbook], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.runbooks = runbooks

    def compose(self) -> ComposeResult:
        yield SearchInput(placeholder="Search the runbooks: title, tags, when to use", id="search-input")
        yield OptionList(id="search-results")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(SearchInput).focus()

    @on(Input.Changed, "#search-input")
    def _changed(self, message: Input.Changed) -> None:
        self._fill(message.value)

    @on(Input.Submitted, "#search-input")
    def _submitted(self) -> None:
        results = self.query_one(OptionList)
        index = results.highlighted if results.highlighted is not None else 0
        if results.option_count:
            option_id = results.get_option_at_index(index).id
            if option_id:
                self.post_message(self.Chosen(option_id))

    @on(OptionList.OptionSelected, "#search-results")
    def _selected(self, message: OptionList.OptionSelected) -> None:
        message.stop()
        if message.option.id:
            self.post_message(self.Chosen(message.option.id))

    def matches(self) -> list[str]:
        """The ids listed now, in order (what a test or the screen reads)."""
        results = self.query_one(OptionList)
        return [results.get_option_at_index(i).id or "" for i in range(results.option_count)]

    def _fill(self, query: str) -> None:
        results = self.query_one(OptionList)
        results.clear_options()
        found = search_runbooks(self.runbooks, query)
        results.add_options(Option(_prompt(r), id=r.id) for r in found[:SHOWN])
        if not found:
            nothing = Text("No runbook matches; try fewer words", style="dim")
            results.add_option(Option(nothing, disabled=True))
        elif results.highlighted is None:
            results.highlighted = 0


def _prompt(runbook: Runbook) -> Text:
    text = Text(visible_line(runbook.title), style="bold", no_wrap=True, overflow="ellipsis")
    detail = " · ".join(p for p in (", ".join(runbook.tags), runbook.when_to_use_summary) if p)
    if detail:
        text.append(f"  {visible_line(detail)}", style="dim")
    return text
