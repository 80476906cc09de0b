"""The runbook model: what the parser makes of the Markdown and what every screen shows.

Plain dataclasses, no Textual. Every addressable thing (runbook, section, step, checklist
item, command block, troubleshooting entry) carries a stable `id` built from its titles, so a
session recorded today still names the same item when it is replayed tomorrow, and bindings
(which check ticks which item) can refer to it from TOML.

A section's content is an ordered list of blocks; whatever the parser did not recognise is a
`MarkdownBlock` holding the original source, so nothing in the document is lost. Nested task
lists stay flat in their group (document order) with `depth` and `parent_id`, so a view that
ignores nesting still shows every item and a view that knows it can indent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Union

RiskLevel = Literal["low", "medium", "high", "critical", "unknown"]


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

SectionKind = Literal[
    "when_to_use",
    "metadata",
    "prerequisites",
    "before_you_start",
    "procedure",
    "verification",
    "rollback",
    "post_deployment",
    "troubleshooting",
    "decision_criteria",
    "other",
]


@dataclass(slots=True)
class Section:
    """A `###` section of a runbook (or of the appendix / preamble)."""

    id: str
    title: str
    kind: SectionKind
    line: int
    blocks: list[Block] = field(default_factory=list)
    level: int = 3  # the Markdown heading level (0: text before any heading)


@dataclass(slots=True)
class Metadata:
    """The `### Metadata` bullet list, with the five fields the document always gives."""

    duration: str = ""
    risk: str = ""
    rollback_difficulty: str = ""
    best_time: str = ""
    minimum_team: str = ""
    owner: str = ""
    severity: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def risk_level(self) -> RiskLevel:
        """The risk reduced to a level for colouring: "Critical (high-stakes…)" -> critical."""
        word = self.risk.split(" ", 1)[0].strip().lower() if self.risk else ""
        return word if word in ("low", "medium", "high", "critical") else "unknown"  # type: ignore[return-value]


@dataclass(slots=True)
class DecisionCriteria:
    """Emergency Rollback's table of when to roll back, and its DO NOT ROLLBACK list."""

    rollback_if: list[dict[str, str]]
    do_not_rollback: list[str]


@dataclass(slots=True)
class Runbook:
    id: str
    number: str
    title: str
    line: int
    source: str
    metadata: Metadata | None = None
    when_to_use: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    decision_criteria: DecisionCriteria | None = None
    overview: dict[str, str] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    front_matter: dict[str, Any] = field(default_factory=dict)
    document: str = ""  # id of the Document (file) it comes from

    def checklist_groups(self) -> Iterator[ChecklistGroup]:
        for section in self.sections:
            yield from iter_blocks(section.blocks, ChecklistGroup)

    def checklist_items(self) -> list[ChecklistItem]:
        return [item for group in self.checklist_groups() for item in group.items]

    def steps(self) -> list[Step]:
        return [step for section in self.sections for step in iter_blocks(section.blocks, Step)]

    def command_blocks(self) -> list[CommandBlock]:
        return [block for section in self.sections for block in iter_blocks(section.blocks, CommandBlock)]

    def section(self, section_id: str) -> Section | None:
        for section in self.sections:
            if section.id == section_id or section.id.endswith("/" + section_id):
                return section
        return None

    @property
    def duration(self) -> str:
        return self.overview.get("duration") or (self.metadata.duration if self.metadata else "")

    @property
    def risk(self) -> str:
        return self.overview.get("risk") or (self.metadata.risk if self.metadata else "")

    @property
    def risk_level(self) -> RiskLevel:
        return Metadata(risk=self.risk).risk_level

    @property
    def rollback_difficulty(self) -> str:
        return self.overview.get("rollback_difficulty") or (
            self.metadata.rollback_difficulty if self.metadata else ""
        )

    @property
    def when_to_use_summary(self) -> str:
        return self.overview.get("when_to_use") or (self.when_to_use[0] if self.when_to_use else "")


@dataclass(slots=True)
class Document:
    """One Markdown file as loaded: its runbooks and the text around them.

    `preamble` is what comes before its first runbook, `appendix` what comes after a runbook
    under a heading that is not one (an appendix, a sign-off block): both are reachable
    sections, never dropped. `folder` is the file's folder relative to the loaded root, for
    grouping a home screen by folder.
    """

    id: str
    source: str
    title: str
    folder: str = ""
    runbook_ids: list[str] = field(default_factory=list)
    preamble: list[Section] = field(default_factory=list)
    appendix: list[Section] = field(default_factory=list)
    front_matter: dict[str, Any] = field(default_factory=dict)
    appendix_title: str = ""  # the "## Appendix: …" heading that opens the appendix

    def sections(self) -> list[Section]:
        return [*self.preamble, *self.appendix]


@dataclass(slots=True)
class RunbookSet:
    """Everything parsed from one or more Markdown files."""

    runbooks: list[Runbook]
    overview: TableBlock | None = None
    preamble: list[Section] = field(default_factory=list)
    appendix: list[Section] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)

    def get(self, key: str) -> Runbook | None:
        """Find a runbook by id, alias, number or unambiguous id prefix."""
        key = key.strip().lower()
        for runbook in self.runbooks:
            if key in (runbook.id, runbook.number, *runbook.aliases):
                return runbook
        matches = [r for r in self.runbooks if r.id.startswith(key)]
        return matches[0] if len(matches) == 1 else None

    def items_by_id(self) -> dict[str, ChecklistItem]:
        return {item.id: item for runbook in self.runbooks for item in runbook.checklist_items()}

    def all_items(self) -> list[ChecklistItem]:
        return [item for runbook in self.runbooks for item in runbook.checklist_items()]

    def to_dict(self) -> dict[str, Any]:
        return {
            "sources": self.sources,
            "overview": asdict(self.overview) if self.overview else None,
            "preamble": [asdict(s) for s in self.preamble],
            "runbooks": [runbook_to_dict(r) for r in self.runbooks],
            "appendix": [asdict(s) for s in self.appendix],
            "documents": [
                {
                    "id": d.id,
                    "source": d.source,
                    "title": d.title,
                    "folder": d.folder,
                    "runbook_ids": d.runbook_ids,
                    "front_matter": d.front_matter,
                    "appendix_title": d.appendix_title,
                    "preamble_ids": [s.id for s in d.preamble],
                    "appendix_ids": [s.id for s in d.appendix],
                }
                for d in self.documents
            ],
        }


def runbook_to_dict(runbook: Runbook) -> dict[str, Any]:
    data = asdict(runbook)
    data["risk_level"] = runbook.risk_level
    data["counts"] = {
        "sections": len(runbook.sections),
        "steps": len(runbook.steps()),
        "command_blocks": len(runbook.command_blocks()),
        "expected_outputs": sum(len(step.expected) for step in runbook.steps()),
        "checklist_items": len(runbook.checklist_items()),
    }
    return data


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
