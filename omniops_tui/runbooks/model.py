"""The runbook model: what the parser makes of the Markdown and what every screen shows.

Plain dataclasses, no Textual. Every addressable thing (runbook, section, step, checklist
item, command block, troubleshooting entry) carries a stable `id` built from its titles, so a
session recorded today still names the same item when it is replayed tomorrow, and bindings
(which check ticks which item) can refer to it from TOML.

A section's content is an ordered list of blocks, defined in block_model.py and re-exported
here so that every model name is importable from this module.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from omniops_tui.runbooks.block_model import (  # noqa: F401  (re-exported: the model's public names)
    Block,
    ChecklistGroup,
    ChecklistItem,
    CommandBlock,
    ExpectedOutput,
    MarkdownBlock,
    Phase,
    Step,
    TableBlock,
    TroubleshootingEntry,
    iter_blocks,
)

RiskLevel = Literal["low", "medium", "high", "critical", "unknown"]


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
    # Large files still being parsed (their runbooks are titles only): see deferred.py.
    loading: Loading | None = field(default=None, compare=False, repr=False)

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


@dataclass(slots=True)
class PendingFile:
    """A large file shown by its skeleton, and what its full parse needs (deferred.py)."""

    path: Path
    namespace: str | None
    default_title: str
    size: int
    document: Document  # the skeleton's document, replaced by the parsed one
    stubs: list[Runbook]


@dataclass
class Loading:
    """What of a `RunbookSet` is still being parsed and how far it is: written by the parsing
    thread (`deferred.parse_pending`), read by the UI; plain assignments, no lock needed."""

    files: list[PendingFile] = field(default_factory=list)
    done_bytes: float = 0.0
    titled: bool = False  # the files' runbook titles are known (scanned), not just their names
    finished: bool = False
    error: str = ""
    cancelled: bool = False  # set by whoever ran the parse and no longer needs it (the App quit)
    wanted: str = ""  # a runbook asked for before it was parsed: the UI opens it when ready
    stubs: set[int] = field(default_factory=set)  # id() of the runbooks that are titles only

    def add(self, pending: PendingFile) -> None:
        self.files.append(pending)
        self.stubs.update(id(stub) for stub in pending.stubs)

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def fraction(self) -> float:
        return 1.0 if self.finished else min(1.0, self.done_bytes / max(1, self.total_bytes))

    def is_stub(self, runbook: Runbook) -> bool:
        """Not parsed yet: a title with no content (opening it must wait)."""
        return id(runbook) in self.stubs
