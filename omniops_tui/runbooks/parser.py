"""Runbook Markdown -> `RunbookSet`, following the source document's conventions.

`## N. Title` is a runbook, `###` a section, `####` a phase (or, under troubleshooting, an
issue), `**N. Title**` a step, `- [ ]` a checklist item grouped under the bold line before it,
a fenced block a command block, `**Expected Output:**` the expected output of the step.
markdown-it-py does the Markdown, so a heading inside a code fence stays code. Anything not
recognised becomes a `MarkdownBlock` with its original source: nothing is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from omniops_tui.runbooks.model import (
    Block,
    ChecklistGroup,
    ChecklistItem,
    CommandBlock,
    DecisionCriteria,
    ExpectedOutput,
    MarkdownBlock,
    Metadata,
    Phase,
    Runbook,
    RunbookSet,
    Section,
    SectionKind,
    Step,
    TableBlock,
    TroubleshootingEntry,
    iter_blocks,
)
from omniops_tui.runbooks.slugs import IdRegistry, slugify

RUNBOOK_HEADING = re.compile(r"^(\d+)\.\s+(.+)$")
STEP_TITLE = re.compile(r"^(\d+[a-z]?)\.\s+(.+)$")
# A paragraph that is one bold run, optionally followed by "(timing)" and/or a colon.
BOLD_LINE = re.compile(r"^\*\*(?P<title>.+?)\*\*\s*(?:\((?P<timing>[^)]*)\))?\s*:?\s*$")
BOLD_LEAD = re.compile(r"^\*\*(?P<label>[^*]+?)\*\*:?\s*(?P<rest>.*)$", re.S)
CHECKBOX = re.compile(r"^\[(?P<mark>[ xX])\]\s*(?P<text>.*)$", re.S)
METADATA_KEYS = {
    "estimated duration": "duration",
    "duration": "duration",
    "risk level": "risk",
    "risk": "risk",
    "rollback difficulty": "rollback_difficulty",
    "best time": "best_time",
    "minimum team size": "minimum_team",
    "minimum team": "minimum_team",
}
OVERVIEW_COLUMNS = {
    "duration": "duration",
    "risk level": "risk",
    "risk": "risk",
    "rollback difficulty": "rollback_difficulty",
    "when to use": "when_to_use",
}
DESTRUCTIVE = re.compile(
    r"\b(drop\s+(table|index|database|column|schema|constraint)|pg_restore\b[^\n]*--clean"
    r"|flushdb|flushall|docker[- ]compose\s+down|pm2\s+(stop|delete)|pg_terminate_backend"
    r"|rm\s+-rf|delete\s+from|truncate\s|vacuum\s+full|git\s+push\s+--force|kubectl\s+delete"
    r"|vercel\s+rollback|vercel\s+env\s+rm|aws\s+s3\s+rm|connection_limit)",
    re.I,
)


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


@dataclass
class RawBlock:
    """One top-level Markdown block with the tokens that make it and its source lines."""

    kind: str  # heading, paragraph, fence, bullet_list, ordered_list, table, other
    tokens: list[Token]
    start: int  # 0-based first line
    end: int  # 0-based line after the block
    source: str
    level: int = 0  # heading level

    @property
    def line(self) -> int:
        return self.start + 1

    @property
    def inline(self) -> str:
        for token in self.tokens:
            if token.type == "inline":
                return token.content
        return ""


@dataclass
class FenceProblem:
    """A fence that swallowed Markdown structure: what `lint` reports."""

    line: int
    end_line: int
    swallowed: list[str]
    unclosed: bool


@dataclass
class ParseResult:
    runbooks: RunbookSet
    duplicates: list[tuple[str, int, int]] = field(default_factory=list)
    fence_problems: list[FenceProblem] = field(default_factory=list)
    empty_checklists: list[tuple[int, str]] = field(default_factory=list)


def split_blocks(text: str) -> list[RawBlock]:
    tokens = _markdown().parse(text)
    lines = text.splitlines()
    blocks: list[RawBlock] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        start, end = token.map if token.map else (0, 0)
        if token.nesting == 1:
            depth, j = 1, i + 1
            while j < len(tokens) and depth:
                depth += tokens[j].nesting
                j += 1
            group = tokens[i:j]
            i = j
        else:
            group = [token]
            i += 1
        kind = token.type.removesuffix("_open")
        if kind not in ("heading", "paragraph", "fence", "bullet_list", "ordered_list", "table", "hr"):
            kind = "other"
        if token.type == "code_block":
            kind = "fence"
        level = int(token.tag[1]) if kind == "heading" else 0
        blocks.append(RawBlock(kind, group, start, end, "\n".join(lines[start:end]), level))
    return blocks


def parse_markdown(text: str, source: str = "<string>") -> ParseResult:
    """Parse one Markdown document. Never raises on odd Markdown; `lint` reports oddities."""
    return _Parser(text, source).run()


class _Parser:
    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.blocks = split_blocks(text)
        self.lines = text.splitlines()
        self.ids = IdRegistry()
        self.result = ParseResult(RunbookSet(runbooks=[], sources=[source]))
        self.runbook: Runbook | None = None
        self.in_appendix = False
        self.section: Section | None = None
        self.container: list[Block] | None = None  # where plain blocks go (section or phase)
        self.phase: Phase | None = None
        self.step: Step | None = None
        self.trouble: TroubleshootingEntry | None = None
        self.trouble_part = "other"
        self.pending_label: tuple[str, str, int] | None = None  # bold label awaiting a list
        self.pending_expected: str | None = None
        self.pending_intro: str | None = None  # "After deployment, verify:"
        self.command_counter: dict[str, int] = {}

    # ----------------------------------------------------------------- structure
    def run(self) -> ParseResult:
        self._assign_runbook_ids()
        for index, block in enumerate(self.blocks):
            self._fence_lint(block)
            if block.kind == "heading":
                self._heading(block)
            else:
                self._content(block, self.blocks[index + 1] if index + 1 < len(self.blocks) else None)
        self._flush_label()
        self.result.duplicates = self.ids.duplicates
        for runbook in self.result.runbooks.runbooks:
            for section in runbook.sections:
                if "checklist" in section.title.lower() and not any(
                    group.items for group in iter_blocks(section.blocks, ChecklistGroup)
                ):
                    self.result.empty_checklists.append(
                        (section.line, f"'{section.title}' of '{runbook.title}' has no '- [ ]' items")
                    )
        return self.result

    def _assign_runbook_ids(self) -> None:
        """Runbook ids come from the overview table's names where one matches
        ("First-Time Deploy" for "5. First-Time Production Deploy"), else from the title."""
        headings = [
            (b, m)
            for b in self.blocks
            if b.kind == "heading" and b.level == 2 and (m := RUNBOOK_HEADING.match(b.inline.strip()))
        ]
        overview = self._find_overview()
        self.overview_rows: dict[int, dict[str, str]] = {}
        self.runbook_ids: dict[int, tuple[str, list[str]]] = {}
        for block, match in headings:
            title = match.group(2).strip()
            words = set(slugify(title).split("-"))
            best, best_score = None, 0.0
            for row in overview:
                row_words = set(slugify(row["name"]).split("-"))
                score = len(words & row_words) / max(len(row_words), 1)
                if score > best_score:
                    best, best_score = row, score
            full = slugify(title)
            if best is not None and best_score >= 0.99:
                runbook_id = slugify(best["name"])
                self.overview_rows[block.start] = best
            else:
                runbook_id = re.sub(r"-(deployment|deploy)$", "", full) or full
            aliases = sorted({full, slugify(title.replace("Deployment", "").strip())} - {runbook_id})
            self.runbook_ids[block.start] = (runbook_id, aliases)

    def _find_overview(self) -> list[dict[str, str]]:
        for block in self.blocks:
            if block.kind == "table":
                headers, rows = _table_cells(block.tokens)
                if headers and headers[0].strip().lower() in ("runbook", "name"):
                    self.result.runbooks.overview = TableBlock(headers, rows, block.line)
                    mapped = []
                    for row in rows:
                        entry = {"name": row[0]}
                        for header, cell in zip(headers[1:], row[1:], strict=False):
                            key = OVERVIEW_COLUMNS.get(header.strip().lower())
                            if key:
                                entry[key] = cell
                        mapped.append(entry)
                    return mapped
        return []

    def _heading(self, block: RawBlock) -> None:
        title = _plain(block.inline.strip())
        if block.level <= 2:
            self._flush_label()
            self.section = self.phase = self.step = self.trouble = None
            self.container = None
            match = RUNBOOK_HEADING.match(title) if block.level == 2 else None
            if match:
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
                )
                row = self.overview_rows.get(block.start)
                if row:
                    self.runbook.overview = {k: v for k, v in row.items() if k != "name"}
                    self.runbook.overview["name"] = row["name"]
                self.result.runbooks.runbooks.append(self.runbook)
            elif block.level == 2:
                self.runbook = None
                self.in_appendix = title.lower().startswith("appendix")
                if not self.in_appendix:
                    self._open_section(title, block)
            return
        if block.level == 3 or (block.level > 3 and self.section is None):
            self._open_section(title, block)
            return
        # ####: a troubleshooting issue or a phase.
        self._flush_label()
        self.step = None
        assert self.section is not None
        if self.section.kind == "troubleshooting" or title.lower().startswith("issue:"):
            name = re.sub(r"^issue:\s*", "", title, flags=re.I)
            self.trouble = TroubleshootingEntry(
                id=self.ids.claim(f"{self._owner_id()}/troubleshooting/{slugify(name)}", block.line),
                title=name,
                line=block.line,
            )
            self.trouble_part = "symptoms"
            self.section.blocks.append(self.trouble)
            self.phase = None
        else:
            self.trouble = None
            self.phase = Phase(
                id=self.ids.claim(f"{self.section.id}/{slugify(title)}", block.line),
                title=title,
                line=block.line,
            )
            self.section.blocks.append(self.phase)
        self.container = self.phase.blocks if self.phase else self.section.blocks

    def _open_section(self, title: str, block: RawBlock) -> None:
        self._flush_label()
        owner = self._owner_id()
        self.section = Section(
            id=self.ids.claim(f"{owner}/{slugify(title)}", block.line),
            title=title,
            kind=_section_kind(title) if self.runbook else "other",
            line=block.line,
        )
        if self.runbook is not None:
            self.runbook.sections.append(self.section)
        elif self.in_appendix:
            self.result.runbooks.appendix.append(self.section)
        else:
            self.result.runbooks.preamble.append(self.section)
        self.phase = self.step = self.trouble = None
        self.container = self.section.blocks

    def _owner_id(self) -> str:
        if self.runbook is not None:
            return self.runbook.id
        return "appendix" if self.in_appendix else "preamble"

    def _ensure_section(self, block: RawBlock) -> None:
        if self.container is None:
            title = "Overview" if self.runbook is not None else "Introduction"
            self._open_section(title, block)

    # ------------------------------------------------------------------- content
    def _content(self, block: RawBlock, following: RawBlock | None) -> None:
        if block.kind == "hr":
            return
        self._ensure_section(block)
        if block.kind == "paragraph":
            self._paragraph(block, following)
        elif block.kind == "fence":
            self._fence(block)
        elif block.kind == "bullet_list":
            self._bullet_list(block)
        elif block.kind == "table":
            self._table(block)
        else:
            self._flush_label()
            self._add(MarkdownBlock(block.source, block.line))

    def _paragraph(self, block: RawBlock, following: RawBlock | None) -> None:
        text = block.inline.strip()
        bold = BOLD_LINE.match(text)
        self._flush_label()
        self.pending_intro = None
        if bold and "\n" not in text:
            title = bold.group("title").strip().rstrip(":").strip()
            timing = (bold.group("timing") or "").strip()
            lower = title.lower()
            if self.trouble is not None and lower in ("symptoms", "symptom"):
                self.trouble_part = "symptoms"
                return
            if self.trouble is not None and lower in ("resolution", "fix", "solution"):
                self.trouble_part = "resolution"
                return
            if lower.startswith("expected") and self.step is not None:
                self.pending_expected = title
                return
            step = STEP_TITLE.match(title)
            if step and self.trouble is None:
                self._open_step(step.group(1), step.group(2).strip(), block)
                return
            if following is not None and following.kind == "bullet_list" and _is_checklist(following):
                self.pending_label = (title, timing, block.line)
                return
            if re.match(r"^T[-+]", timing):
                # "**Communication** (T-24h)" announces a checklist; none followed.
                self.result.empty_checklists.append((block.line, f"checklist '{title}' has no items"))
            if following is not None and following.kind == "fence" and self.trouble is None:
                self._open_step(None, title, block)
                return
        lead = BOLD_LEAD.match(text)
        if self.trouble is not None and lead and lead.group("label").strip().lower() == "cause":
            self.trouble.cause = _plain(lead.group("rest").strip())
            return
        if following is not None and following.kind == "bullet_list" and _is_checklist(following):
            self.pending_intro = _plain(text.rstrip(":"))
        self._add(MarkdownBlock(block.source, block.line))

    def _open_step(self, number: str | None, title: str, block: RawBlock) -> None:
        assert self.section is not None
        if number is not None:
            wanted = f"{self._owner_id()}/step-{number}-{slugify(title, 40)}"
        else:
            wanted = f"{self.section.id}/{slugify(title, 40)}"
        self.step = Step(id=self.ids.claim(wanted, block.line), number=number, title=title, line=block.line)
        target = self.phase.blocks if self.phase is not None else self.section.blocks
        target.append(self.step)

    def _fence(self, block: RawBlock) -> None:
        token = block.tokens[0]
        language = (token.info or "").strip().split(" ")[0]
        owner = (
            self.step.id
            if self.step is not None
            else (
                self.trouble.id
                if self.trouble is not None
                else (self.phase.id if self.phase is not None else self._section_id())
            )
        )
        n = self.command_counter.get(owner, 0) + 1
        self.command_counter[owner] = n
        code = token.content.rstrip("\n")
        command = CommandBlock(
            id=self.ids.claim(f"{owner}/code-{n}", block.line),
            language=language,
            code=code,
            line=block.line,
            destructive=bool(DESTRUCTIVE.search(code)),
        )
        if self.pending_expected is not None and self.step is not None:
            self.step.expected.append(ExpectedOutput(self.pending_expected, command))
            self.pending_expected = None
            return
        self._add(command)

    def _bullet_list(self, block: RawBlock) -> None:
        assert self.section is not None
        items = _list_items(block.tokens)
        if not any(CHECKBOX.match(text) for text, _ in items):
            self._flush_label()
            if self.runbook is not None and self.section.kind == "when_to_use":
                self.runbook.when_to_use.extend(_plain(text) for text, _ in items)
            elif self.runbook is not None and self.section.kind == "metadata":
                self.runbook.metadata = _metadata(items)
            elif self.runbook is not None and self.section.kind == "decision_criteria":
                criteria = self._criteria()
                criteria.do_not_rollback.extend(_plain(text) for text, _ in items)
            self._add(MarkdownBlock(block.source, block.line))
            return
        if self.pending_label is not None:
            title, timing, line = self.pending_label
            self.pending_label = None
            base = f"{self.section.id}/{slugify(title, 40)}"
            group_id = base
        else:
            # Unlabelled list ("After deployment, verify:"): its items belong to the section.
            # The intro line becomes the group's title (not shown twice).
            title, timing, line = (self.pending_intro or self.section.title), "", block.line
            container = self.container if self.container is not None else self.section.blocks
            if self.pending_intro and container and isinstance(container[-1], MarkdownBlock):
                line = container.pop().line
            base = self.section.id
            group_id = f"{base}/checklist"
        self.pending_intro = None
        self.step = None  # a checklist belongs to the section, not to the step above it
        group = ChecklistGroup(
            id=self.ids.claim(group_id, line),
            title=title,
            timing=timing,
            items=[],
            line=line,
        )
        for text, item_line in items:
            match = CHECKBOX.match(text)
            if not match:
                group_note = MarkdownBlock(f"- {text}", item_line)
                self._add(group_note)
                continue
            item_text = _plain(match.group("text").strip())
            if not item_text:
                self.result.empty_checklists.append((item_line, f"empty checklist item in '{title}'"))
            group.items.append(
                ChecklistItem(
                    id=self.ids.claim(f"{base}/{slugify(item_text, 48)}", item_line),
                    text=item_text,
                    line=item_line,
                    runbook_id=self.runbook.id if self.runbook else self._owner_id(),
                    group_id=group.id,
                    initially_checked=match.group("mark") != " ",
                )
            )
        self._add(group)

    def _table(self, block: RawBlock) -> None:
        self._flush_label()
        headers, rows = _table_cells(block.tokens)
        table = TableBlock(headers, rows, block.line)
        if (
            self.runbook is not None
            and self.section is not None
            and (self.section.kind == "decision_criteria")
        ):
            keys = [slugify(h, 30).replace("-", "_") for h in headers]
            self._criteria().rollback_if.extend(dict(zip(keys, row, strict=False)) for row in rows)
        self._add(table)

    def _criteria(self) -> DecisionCriteria:
        assert self.runbook is not None
        if self.runbook.decision_criteria is None:
            self.runbook.decision_criteria = DecisionCriteria([], [])
        return self.runbook.decision_criteria

    def _add(self, block: Block) -> None:
        if self.trouble is not None and not isinstance(block, ChecklistGroup):
            getattr(self.trouble, self.trouble_part).append(block)
        elif self.step is not None and not isinstance(block, ChecklistGroup):
            self.step.blocks.append(block)
        else:
            assert self.container is not None
            self.container.append(block)

    def _flush_label(self) -> None:
        """A bold label that promised a checklist and got none is an empty checklist."""
        if self.pending_label is not None:
            title, _timing, line = self.pending_label
            self.result.empty_checklists.append((line, f"checklist '{title}' has no items"))
            self._add(MarkdownBlock(f"**{title}**", line))
            self.pending_label = None
        if self.pending_expected is not None and self.step is not None:
            self.step.blocks.append(MarkdownBlock(f"**{self.pending_expected}:**", self.step.line))
            self.pending_expected = None

    def _section_id(self) -> str:
        assert self.section is not None
        return self.section.id

    # ---------------------------------------------------------------------- lint
    def _fence_lint(self, block: RawBlock) -> None:
        """Find fences that swallow structure: headings plus a fence opener inside, or a
        fence that runs to the end of the file without a closing line."""
        if block.kind != "fence" or block.tokens[0].type != "fence":
            return
        token = block.tokens[0]
        body = token.content.splitlines()
        marker = token.markup
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


def _section_kind(title: str) -> SectionKind:
    t = title.lower()
    rules: list[tuple[tuple[str, ...], SectionKind]] = [
        (("troubleshoot",), "troubleshooting"),
        (("decision criteria",), "decision_criteria"),
        (("when to use",), "when_to_use"),
        (("metadata",), "metadata"),
        (("prerequisite",), "prerequisites"),
        (("before you start",), "before_you_start"),
        (("rollback procedure",), "rollback"),
        (("post-deployment", "post deployment"), "post_deployment"),
        (("verification", "verify"), "verification"),
        (("procedure", "steps", "actions", "commands", "analysis"), "procedure"),
    ]
    for needles, kind in rules:
        if any(n in t for n in needles):
            return kind
    return "other"


def _is_checklist(block: RawBlock) -> bool:
    return any(CHECKBOX.match(text) for text, _ in _list_items(block.tokens))


def _list_items(tokens: list[Token]) -> list[tuple[str, int]]:
    """(inline text, 1-based line) of each top-level item of a list."""
    items: list[tuple[str, int]] = []
    base = tokens[0].level
    for index, token in enumerate(tokens):
        if token.type == "list_item_open" and token.level == base + 1:
            line = (token.map[0] + 1) if token.map else 0
            text = ""
            for follower in tokens[index + 1 :]:
                if follower.type == "inline":
                    text = follower.content
                    break
                if follower.type == "list_item_close":
                    break
            items.append((text, line))
    return items


def _table_cells(tokens: list[Token]) -> tuple[list[str], list[list[str]]]:
    headers: list[str] = []
    rows: list[list[str]] = []
    row: list[str] | None = None
    in_head = False
    for token in tokens:
        if token.type == "thead_open":
            in_head = True
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            (headers.extend(row) if in_head else rows.append(row))
            row = None
        elif token.type == "inline" and row is not None:
            row.append(_plain(token.content.strip()))
    return headers, rows


def _metadata(items: list[tuple[str, int]]) -> Metadata:
    metadata = Metadata()
    for text, _line in items:
        lead = BOLD_LEAD.match(text.strip())
        if not lead:
            continue
        key = lead.group("label").strip().rstrip(":").strip()
        value = _plain(lead.group("rest").strip().lstrip(":").strip())
        field_name = METADATA_KEYS.get(key.lower())
        if field_name:
            setattr(metadata, field_name, value)
        else:
            metadata.extra[key] = value
    return metadata


def _plain(text: str) -> str:
    """Inline Markdown to the text a user reads (`**x**` -> x, keeps `code` backticks)."""
    return re.sub(r"\*\*(.+?)\*\*", r"\1", text)
