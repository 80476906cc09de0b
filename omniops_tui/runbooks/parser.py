"""Runbook Markdown -> `RunbookSet`: the bundled document's conventions and any team's file.

Two shapes are read:

- **Several numbered runbooks** (the bundled document): `## N. Title` (or `# N. Title`) is a
  runbook, the next level a section, deeper headings phases; text before the first runbook
  is the preamble, unnumbered headings after one the appendix.
- **One runbook per file** (alert runbooks, release checklists, DR plans): the title is the
  front matter's `title`, else the single top heading, else the file name; the top heading
  level present is the sections, deeper headings nest as phases.

Numbered headings make runbooks only when they look like runbooks (sections under them, a
Metadata section), so a checklist numbering its steps `## 1. Prepare` stays one runbook.
markdown-it-py does the Markdown; content handling lives in `content.py`. Nothing is dropped:
what is not recognised is a `MarkdownBlock` with its source.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from omniops_tui.runbooks.blocks import BlockStream, FenceProblem, RawBlock
from omniops_tui.runbooks.content import ContentMixin
from omniops_tui.runbooks.frontmatter import FrontMatter, metadata_from, split_front_matter
from omniops_tui.runbooks.inline import plain
from omniops_tui.runbooks.model import (
    Block,
    Document,
    Phase,
    Runbook,
    RunbookSet,
    Section,
    Step,
    TroubleshootingEntry,
)
from omniops_tui.runbooks.scan import scan
from omniops_tui.runbooks.shape import DocumentShape, plan_shape, runbook_ids, section_kind
from omniops_tui.runbooks.slugs import IdRegistry, exact_slug, slugify

RUNBOOK_HEADING = re.compile(r"^(\d+)\.\s+(.+)$")
TROUBLE_PARTS = {
    "symptoms": "symptoms",
    "symptom": "symptoms",
    "resolution": "resolution",
    "fix": "resolution",
}


@dataclass
class ParseResult:
    runbooks: RunbookSet
    duplicates: list[tuple[str, int, int]] = field(default_factory=list)
    fence_problems: list[FenceProblem] = field(default_factory=list)
    empty_checklists: list[tuple[int, str]] = field(default_factory=list)
    # (line, message) lint warnings: front matter that does not parse, boxes that cannot be ticked.
    warnings: list[tuple[int, str]] = field(default_factory=list)
    front_matter: FrontMatter = field(default_factory=FrontMatter)
    shape: str = ""  # "runbooks" (several numbered) or "single"


def parse_markdown(
    text: str,
    source: str = "<string>",
    *,
    namespace: str | None = None,
    default_title: str = "",
    progress: Callable[[float], None] | None = None,
) -> ParseResult:
    """Parse one Markdown document. Never raises on odd Markdown; `lint` reports oddities.

    `namespace` prefixes the ids of what is not a numbered runbook (a file's own runbook, its
    preamble and appendix), so two files may both have a "Diagnosis"; None keeps the bundled
    document's ids. `default_title` names a runbook that has no title of its own. `progress`
    hears the fraction read so far (a 50 MB file takes a while).
    """
    return _Parser(text, source, namespace, default_title, progress).run()


class _Parser(ContentMixin):
    def __init__(
        self,
        text: str,
        source: str,
        namespace: str | None,
        default_title: str,
        progress: Callable[[float], None] | None = None,
    ) -> None:
        text = text.removeprefix("\ufeff")
        self.front, after = split_front_matter(text)
        # Front matter lines become blank lines: every block keeps its true line number.
        self.text = "\n" * self.front.lines + after if self.front.lines else text
        self.source = source
        self.namespace = namespace
        self.default_title = default_title
        self.stream = BlockStream(self.text, progress=progress)
        self.lines = self.stream.lines
        self.ids = IdRegistry()
        self.result = ParseResult(RunbookSet(runbooks=[], sources=[source]), front_matter=self.front)
        self.runbook: Runbook | None = None
        self.seen_runbook = False
        self.in_appendix = False
        self.section: Section | None = None
        self.container: list[Block] | None = None  # where plain blocks go (section or phase)
        self.phases: list[Phase] = []
        self.step: Step | None = None
        self.trouble: TroubleshootingEntry | None = None
        self.trouble_level = 0
        self.trouble_part = "other"
        self.pending_label: tuple[str, str, int] | None = None  # bold label awaiting a list
        self.pending_expected: str | None = None
        self.pending_intro: str | None = None  # "After deployment, verify:"
        self.command_counter: dict[str, int] = {}
        self.auto_sections: set[str] = set()
        self.shape: DocumentShape = plan_shape(self._first_look(), RUNBOOK_HEADING)
        self.document = Document(id=namespace or "", source=source, title="", front_matter=self.front.data)

    def _first_look(self) -> Iterable[RawBlock]:
        """What the shape is read from: markdown-it's own blocks for a text parsed whole (they
        are kept anyway), the line scan for a large one (its blocks stream by once, not twice;
        the scan also collects the reference definitions a link may need before them)."""
        if self.stream.whole:
            return self.stream
        first = scan(self.lines, source=self.text)
        self.stream.references.update(first.references)
        return first.blocks

    # ----------------------------------------------------------------- structure
    def run(self) -> ParseResult:
        if self.front.error:
            self.result.warnings.append((1, self.front.error))
        self.result.shape = "runbooks" if self.shape.runbook_level else "single"
        self._assign_runbook_ids()
        if not self.shape.runbook_level:
            self._start_single_runbook()
        previous: RawBlock | None = None
        for block in self.stream:
            if previous is not None:
                self._dispatch(previous, block)
            previous = block
        if previous is not None:
            self._dispatch(previous, None)
        self._flush_label()
        self._keep_broken_front_matter()
        self.result.duplicates = self.ids.duplicates
        self._check_announced_checklists()
        parsed = self.result.runbooks
        self.document.title = self._document_title()
        self.document.runbook_ids = [r.id for r in parsed.runbooks]
        self.document.preamble = list(parsed.preamble)
        self.document.appendix = list(parsed.appendix)
        parsed.documents = [self.document]
        return self.result

    def _dispatch(self, block: RawBlock, following: RawBlock | None) -> None:
        self._fence_lint(block)
        if block.kind == "heading":
            self._heading(block)
        else:
            self._content(block, following)

    def _keep_broken_front_matter(self) -> None:
        """Front matter that does not parse is shown as it is (and lint says why)."""
        if not self.front.error:
            return
        from omniops_tui.runbooks.model import MarkdownBlock

        kept = MarkdownBlock(f"```{self.front.syntax}\n{self.front.raw}\n```", 1)
        parsed = self.result.runbooks
        sections = parsed.runbooks[0].sections if parsed.runbooks and not parsed.preamble else parsed.preamble
        if not sections:
            sections.append(Section(f"{self._owner_id()}/front-matter", "Front matter", "other", 1, [], 0))
        sections[0].blocks.insert(0, kept)

    def _document_title(self) -> str:
        if self.front.title:
            return self.front.title
        if self.shape.first_h1:
            return plain(self.shape.first_h1)
        runbooks = self.result.runbooks.runbooks
        if len(runbooks) == 1:
            return runbooks[0].title
        return self.default_title or self.source

    def _assign_runbook_ids(self) -> None:
        self._find_overview()  # the overview table becomes the set's `overview`
        self.runbook_ids, self.overview_rows = runbook_ids(self.shape)

    def _start_single_runbook(self) -> None:
        """A file that is one runbook: titled by its front matter, its top heading or its name."""
        title = (
            self.front.title
            or plain(self.shape.title_text or self.shape.first_h1)
            or self.default_title
            or "Untitled runbook"
        )
        runbook_id = self.namespace or slugify(title)
        metadata, tags, when = metadata_from(self.front)
        self.runbook = Runbook(
            id=self.ids.claim(runbook_id, self.shape.title_line or 1),
            number="",
            title=title,
            line=self.shape.title_line or 1,
            source=self.source,
            metadata=metadata,
            when_to_use=when,
            tags=tags,
            front_matter=self.front.data,
            document=self.namespace or "",
        )
        self.result.runbooks.runbooks.append(self.runbook)
        self.seen_runbook = True

    def _heading(self, block: RawBlock) -> None:
        title = plain(block.inline.strip())
        level = block.level
        runbook_level = self.shape.runbook_level
        if runbook_level and level <= runbook_level:
            self._close_all()
            match = RUNBOOK_HEADING.match(title) if block.start in self.runbook_ids else None
            if block.start == self.shape.title_start:
                self.runbook = None  # the document's title (Document.title); its text is an Introduction
                return
            if match:
                self._open_runbook(match, block)
            else:
                self.runbook = None
                self.in_appendix = self.seen_runbook or title.lower().startswith("appendix")
                if title.lower().startswith("appendix"):
                    self.document.appendix_title = title
                else:
                    self._open_section(title, block)
            return
        if not runbook_level and block.start == self.shape.title_start:
            self._close_all()
            title_now = self.runbook.title if self.runbook is not None else ""
            if self.front.title and plain(block.inline.strip()) != title_now:
                # The front matter names the runbook; the heading's own words stay visible.
                self._ensure_section(block)
                self._add(self._prose(block.source, block.line))
            return
        section_level = (runbook_level + 1) if runbook_level else self.shape.section_level
        if level <= section_level or self.section is None:
            self._open_section(title, block)
            return
        self._subheading(title, block)

    def _open_runbook(self, match: re.Match[str], block: RawBlock) -> None:
        self.in_appendix = False
        runbook_id, aliases = self.runbook_ids[block.start]
        runbook_id = self.ids.claim(runbook_id, block.line)
        self.runbook = Runbook(
            id=runbook_id,
            number=match.group(1),
            title=match.group(2).strip(),
            line=block.line,
            source=self.source,
            aliases=aliases,
            document=self.namespace or "",
        )
        row = self.overview_rows.get(block.start)
        if row:
            self.runbook.overview = {k: v for k, v in row.items() if k != "name"}
            self.runbook.overview["name"] = row["name"]
        self.result.runbooks.runbooks.append(self.runbook)
        self.seen_runbook = True

    def _subheading(self, title: str, block: RawBlock) -> None:
        """A heading under a section: a troubleshooting issue, a part of one, or a phase."""
        self._flush_label()
        self.step = None
        assert self.section is not None
        level = block.level
        if self.trouble is not None and level > self.trouble_level:
            part = TROUBLE_PARTS.get(title.lower().rstrip(":"))
            if part:
                self.trouble_part = part
                return
        while self.phases and self.phases[-1].level >= level:
            self.phases.pop()
        if self.trouble is not None and level <= self.trouble_level:
            self.trouble = None
        if (
            self.trouble is None
            and not self.phases
            and (self.section.kind == "troubleshooting" or title.lower().startswith("issue:"))
        ):
            name = re.sub(r"^issue:\s*", "", title, flags=re.I)
            self.trouble = TroubleshootingEntry(
                id=self._claim_titled(f"{self._owner_id()}/troubleshooting", name, block.line),
                title=name,
                line=block.line,
            )
            self.trouble_level, self.trouble_part = level, "symptoms"
            self.section.blocks.append(self.trouble)
            self.container = self.section.blocks
            return
        parent = self.phases[-1].id if self.phases else self.section.id
        phase = Phase(
            id=self._claim_titled(parent, title, block.line), title=title, line=block.line, level=level
        )
        if self.phases:
            self.phases[-1].blocks.append(phase)
        elif self.trouble is not None:
            getattr(self.trouble, self.trouble_part).append(phase)
        else:
            self.section.blocks.append(phase)
        self.phases.append(phase)
        self.container = phase.blocks

    def _claim_titled(self, prefix: str, title: str, line: int, max_length: int = 60) -> str:
        wanted = f"{prefix}/{slugify(title, max_length)}"
        # Beside an "Overview" the parser made up for text before the first heading, a real
        # "## Overview" is nobody's mistake.
        quiet = wanted in self.auto_sections
        return self.ids.claim(wanted, line, (f"{prefix}/{exact_slug(title, max_length)}",), quiet=quiet)

    def _close_all(self) -> None:
        self._flush_label()
        self.section = self.step = self.trouble = None
        self.phases = []
        self.container = None

    def _open_section(self, title: str, block: RawBlock) -> None:
        self._flush_label()
        level = block.level if block.kind == "heading" else 0
        self.section = Section(
            id=self._claim_titled(self._owner_id(), title, block.line),
            title=title,
            kind=section_kind(title) if self.runbook else "other",
            line=block.line,
            level=level,
        )
        if self.runbook is not None:
            self.runbook.sections.append(self.section)
        elif self.in_appendix:
            self.result.runbooks.appendix.append(self.section)
        else:
            self.result.runbooks.preamble.append(self.section)
        self.phases = []
        self.step = self.trouble = None
        self.container = self.section.blocks

    def _owner_id(self) -> str:
        if self.runbook is not None:
            return self.runbook.id
        where = "appendix" if self.in_appendix else "preamble"
        return f"{self.namespace}/{where}" if self.namespace else where

    def _ensure_section(self, block: RawBlock) -> None:
        if self.container is None:
            title = "Overview" if self.runbook is not None else "Introduction"
            self._open_section(title, block)
            assert self.section is not None
            self.auto_sections.add(self.section.id)

    def _check_announced_checklists(self) -> None:
        """A section called "… Checklist" with no `- [ ]` item promised one and lost it."""
        from omniops_tui.runbooks.model import ChecklistGroup, iter_blocks

        for runbook in self.result.runbooks.runbooks:
            for section in runbook.sections:
                if re.search(r"\bchecklist\s*$", section.title, re.I) and not any(
                    group.items for group in iter_blocks(section.blocks, ChecklistGroup)
                ):
                    self.result.empty_checklists.append(
                        (section.line, f"'{section.title}' of '{runbook.title}' has no '- [ ]' items")
                    )

    # ---------------------------------------------------------------------- lint
    def _fence_lint(self, block: RawBlock) -> None:
        """Find fences that swallow structure: headings plus a fence opener inside, or a
        fence that runs to the end of the file without a closing line."""
        if block.kind != "fence" or not block.fenced:
            return
        body = block.content.splitlines()
        marker = block.markup
        headings = [ln.strip() for ln in body if re.match(r"^#{1,6}\s+\S", ln)]
        nested_opener = any(re.match(rf"^{re.escape(marker[0])}{{3,}}\w", ln) for ln in body)
        numbered = any(re.match(r"^##\s+\d+\.\s", h) for h in headings)
        lines = self.lines
        last = lines[block.end - 1].strip() if block.end - 1 < len(lines) else ""
        unclosed = block.end >= len(lines) and not (
            last.startswith(marker) and set(last) <= {marker[0]} and block.end - block.start > 1
        )
        if (headings and nested_opener) or numbered or (unclosed and headings):
            self.result.fence_problems.append(FenceProblem(block.line, block.end, headings, unclosed))
        elif unclosed:
            self.result.fence_problems.append(FenceProblem(block.line, block.end, [], True))
