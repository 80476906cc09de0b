"""The blocks a runbook section is made of: prose, commands, tables, checklists, steps, phases.

Split from model.py (the runbook, its sections and the set of runbooks) so that the shapes of
the content and the shape of the document are read apart; model.py re-exports every name
here, so `from omniops_tui.runbooks.model import Step` keeps working.

Whatever the parser did not recognise is a `MarkdownBlock` holding the original source, so
nothing in the document is lost. Nested task lists stay flat in their group (document order)
with `depth` and `parent_id`, so a view that ignores nesting still shows every item and a
view that knows it can indent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, Union


@dataclass(slots=True)
class MarkdownBlock:
    """Prose the parser keeps verbatim and the UI renders as Markdown.

    `references` holds the definitions of the reference-style links the text uses (they may
    stand anywhere in the file); `display` is what a Markdown renderer should be given.
    """

    text: str
    line: int
    references: dict[str, str] = field(default_factory=dict)
    kind: Literal["markdown"] = "markdown"

    @property
    def display(self) -> str:
        """The text for a Markdown renderer: `<placeholder>` stays literal (a renderer would
        take it for HTML and drop it) and reference links find their URL."""
        from omniops_tui.runbooks.inline import display_markdown

        return display_markdown(self.text, self.references)


@dataclass(slots=True)
class CommandBlock:
    """A fenced code block: a command to read or copy, or an expected output sample."""

    id: str
    language: str
    code: str
    line: int
    destructive: bool = False
    kind: Literal["command"] = "command"


@dataclass(slots=True)
class TableBlock:
    """A Markdown table (the overview, Emergency Rollback's decision criteria)."""

    headers: list[str]
    rows: list[list[str]]
    line: int
    kind: Literal["table"] = "table"


@dataclass(slots=True)
class ChecklistItem:
    """One `- [ ]` line. `id` is what sessions and bindings refer to.

    A nested task item has `depth` > 0 and the id of the task item it sits under in
    `parent_id`; sub-bullets, continuation paragraphs and commands under the item are its
    `detail` (commands there are `CommandBlock`s, copyable like any other).
    """

    id: str
    text: str
    line: int
    runbook_id: str
    group_id: str
    initially_checked: bool = False
    depth: int = 0
    parent_id: str = ""
    detail: list[Block] = field(default_factory=list)


@dataclass(slots=True)
class ChecklistGroup:
    """Items grouped under the bold line before them, e.g. `**Code Quality** (T-48h)`."""

    id: str
    title: str
    timing: str
    items: list[ChecklistItem]
    line: int
    kind: Literal["checklist"] = "checklist"


@dataclass(slots=True)
class Step:
    """A titled unit of work: `**N. Title**` (numbered) or a bold label such as
    `**Environment Check**` followed by its commands (unnumbered)."""

    id: str
    number: str | None
    title: str
    line: int
    blocks: list[Block] = field(default_factory=list)
    expected: list[ExpectedOutput] = field(default_factory=list)
    kind: Literal["step"] = "step"


@dataclass(slots=True)
class ExpectedOutput:
    """What a step should print, from `**Expected Output:**` (or `**Expected Metrics:**`)."""

    label: str
    block: CommandBlock
    kind: Literal["expected"] = "expected"


@dataclass(slots=True)
class TroubleshootingEntry:
    """`#### Issue: …` with its symptoms, cause and resolution."""

    id: str
    title: str
    line: int
    symptoms: list[Block] = field(default_factory=list)
    cause: str = ""
    resolution: list[Block] = field(default_factory=list)
    other: list[Block] = field(default_factory=list)
    kind: Literal["troubleshooting"] = "troubleshooting"


@dataclass(slots=True)
class Phase:
    """A `####` heading inside a procedure section, with its steps."""

    id: str
    title: str
    line: int
    blocks: list[Block] = field(default_factory=list)
    level: int = 4  # the Markdown heading level, for indenting an outline
    kind: Literal["phase"] = "phase"


Block = Union[  # noqa: UP007 - a runtime alias used in dataclass fields
    MarkdownBlock,
    CommandBlock,
    TableBlock,
    ChecklistGroup,
    Step,
    ExpectedOutput,
    TroubleshootingEntry,
    Phase,
]


def iter_blocks(blocks: list[Block], kind: type | None = None) -> Iterator[Any]:
    """Walk blocks depth-first in document order (phases contain steps, steps contain
    commands, checklist items hold their detail…). Iterative, so no document is too deep."""
    stack: list[Iterator[Any]] = [iter(blocks)]
    while stack:
        block = next(stack[-1], None)
        if block is None:
            stack.pop()
            continue
        if kind is None or isinstance(block, kind):
            yield block
        if isinstance(block, Phase):
            stack.append(iter(block.blocks))
        elif isinstance(block, Step):
            # Expected output is yielded as such, never as a command to run or copy.
            stack.append(iter([*block.blocks, *block.expected]))
        elif isinstance(block, TroubleshootingEntry):
            stack.append(iter([*block.symptoms, *block.resolution, *block.other]))
        elif isinstance(block, ChecklistGroup):
            stack.append(iter([detail for item in block.items for detail in item.detail]))
