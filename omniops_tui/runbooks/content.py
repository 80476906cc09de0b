"""What goes inside a section: prose, commands, steps, checklists, tables, metadata.

The parser's structure half (`parser.py`) decides where content goes; this half decides what
it is. `**N. Title**` is a step, a bold label before a task list titles it, a fenced block is
a command (or a step's expected output), a list becomes checklists with nested items, steps
with commands, or kept prose (see `lists.py`). Whatever is not recognised is a
`MarkdownBlock` with the original source.
"""

from __future__ import annotations

import re
from typing import Any

from omniops_tui.runbooks.blocks import RawBlock, table_cells
from omniops_tui.runbooks.inline import plain, resolve_links, used_references
from omniops_tui.runbooks.lists import Detail, Piece, build_tree, needs_walk, starts_with_task, walk
from omniops_tui.runbooks.model import (
    Block,
    ChecklistGroup,
    ChecklistItem,
    CommandBlock,
    DecisionCriteria,
    ExpectedOutput,
    MarkdownBlock,
    Metadata,
    Step,
    TableBlock,
)
from omniops_tui.runbooks.shape import overview_rows
from omniops_tui.runbooks.slugs import slugify

STEP_TITLE = re.compile(r"^(\d+[a-z]?)\.\s+(.+)$")
# A paragraph that is one bold run, optionally followed by "(timing)" and/or a colon.
BOLD_LINE = re.compile(r"^\*\*(?P<title>.+?)\*\*\s*(?:\((?P<timing>[^)]*)\))?\s*:?\s*$")
BOLD_LEAD = re.compile(r"^\*\*(?P<label>[^*]+?)\*\*:?\s*(?P<rest>.*)$", re.S)
LOOSE_BOX = re.compile(r"(^|\n)\s*(?:[-*+]\s*)?\[[ xX]\](?=\s|$)")
METADATA_KEYS = {
    "estimated duration": "duration",
    "duration": "duration",
    "risk level": "risk",
    "risk": "risk",
    "rollback difficulty": "rollback_difficulty",
    "best time": "best_time",
    "minimum team size": "minimum_team",
    "minimum team": "minimum_team",
    "owner": "owner",
    "team": "owner",
    "severity": "severity",
}
DESTRUCTIVE = re.compile(
    r"\b(drop\s+(table|index|database|column|schema|constraint)|pg_restore\b[^\n]*--clean"
    r"|flushdb|flushall|docker[- ]compose\s+down|pm2\s+(stop|delete)|pg_terminate_backend"
    r"|rm\s+-rf|delete\s+from|truncate\s|vacuum\s+full|git\s+push\s+--force|kubectl\s+delete"
    r"|vercel\s+rollback|vercel\s+env\s+rm|aws\s+s3\s+rm|connection_limit)",
    re.I,
)
SHORT_LABEL = 80  # a paragraph longer than this is prose, not a checklist's title


class ContentMixin:
    """Content handling for `_Parser` (state lives on the parser)."""

    # The parser's state this mixin reads and writes (declared for the type checker).
    step: Step | None
    container: list[Block] | None
    pending_label: tuple[str, str, int] | None
    pending_expected: str | None
    pending_intro: str | None

    def _find_overview(self: Any) -> list[dict[str, str]]:
        if self.shape.overview is not None:
            headers, rows, line = self.shape.overview
            self.result.runbooks.overview = TableBlock(
                [plain(h) for h in headers], [[plain(c) for c in row] for row in rows], line
            )
        return overview_rows(self.shape)

    def _content(self: Any, block: RawBlock, following: RawBlock | None) -> None:
        if block.kind == "hr":
            return
        self._ensure_section(block)
        if block.kind == "paragraph":
            self._paragraph(block, following)
        elif block.kind == "fence":
            self._fence(block.content, block.info, block.line)
        elif block.kind in ("bullet_list", "ordered_list"):
            self._list(block)
        elif block.kind == "table":
            self._table(block)
        else:
            self._flush_label()
            if LOOSE_BOX.search(block.source):
                self.result.warnings.append(
                    (block.line, "a checkbox here (in a quote or HTML) cannot be ticked; make it a list item")
                )
            self._add(self._prose(block.source, block.line))

    def _prose(self: Any, text: str, line: int) -> MarkdownBlock:
        return MarkdownBlock(text, line, used_references(text, self.stream.references))

    def _paragraph(self: Any, block: RawBlock, following: RawBlock | None) -> None:
        text = block.inline.strip()
        bold = BOLD_LINE.match(text)
        self._flush_label()
        self.pending_intro = None
        before_tasks = (
            following is not None and following.kind.endswith("_list") and starts_with_task(following.tokens)
        )
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
                self._open_step(step.group(1), step.group(2).strip(), block.line, timing)
                return
            if before_tasks:
                self.pending_label = (title, timing, block.line)
                return
            if re.match(r"^T[-+]", timing):
                # "**Communication** (T-24h)" announces a checklist; none followed.
                self.result.empty_checklists.append((block.line, f"checklist '{title}' has no items"))
            if following is not None and following.kind == "fence" and self.trouble is None:
                self._open_step(None, title, block.line, timing)
                return
        lead = BOLD_LEAD.match(text)
        if self.trouble is not None and lead and lead.group("label").strip().lower() == "cause":
            self.trouble.cause = plain(lead.group("rest").strip())
            return
        if before_tasks and _is_short_label(text):
            self.pending_intro = plain(text.rstrip(":"))
        if LOOSE_BOX.search(text):
            self.result.warnings.append(
                (block.line, "'[ ]' outside a list item cannot be ticked; start the line with '- [ ]'")
            )
        self._add(self._prose(block.source, block.line))

    def _open_step(self: Any, number: str | None, title: str, line: int, timing: str = "") -> Step:
        assert self.section is not None
        if number is not None:
            wanted = f"{self._owner_id()}/step-{number}-{slugify(title, 40)}"
        else:
            wanted = f"{self.section.id}/{slugify(title, 40)}"
        alternates = (f"{self.phases[-1].id}/{slugify(title, 40)}",) if self.phases else ()
        title = resolve_links(title, self.stream.references) + (f" ({timing})" if timing else "")
        self.step = Step(id=self.ids.claim(wanted, line, alternates), number=number, title=title, line=line)
        target = self.phases[-1].blocks if self.phases else self.section.blocks
        if self.trouble is not None and not self.phases:
            target = getattr(self.trouble, self.trouble_part)
        target.append(self.step)
        return self.step

    def _command(self: Any, code: str, language: str, line: int) -> CommandBlock:
        if self.step is not None:
            owner = self.step.id
        elif self.trouble is not None:
            owner = self.trouble.id
        elif self.phases:
            owner = self.phases[-1].id
        else:
            owner = self.section.id
        n = self.command_counter.get(owner, 0) + 1
        self.command_counter[owner] = n
        return CommandBlock(
            id=self.ids.claim(f"{owner}/code-{n}", line, quiet=True),
            language=language,
            code=code,
            line=line,
            destructive=bool(DESTRUCTIVE.search(code)),
        )

    def _fence(self: Any, content: str, info: str, line: int) -> None:
        command = self._command(content.rstrip("\n"), info.split(" ")[0], line)
        if self.pending_expected is not None and self.step is not None:
            self.step.expected.append(ExpectedOutput(self.pending_expected, command))
            self.pending_expected = None
            return
        self._add(command)

    def _list(self: Any, block: RawBlock) -> None:
        assert self.section is not None
        if not needs_walk(block.tokens, block.source):
            self._flush_label()
            self._plain_list(block)
            return
        root = build_tree(block.tokens, self.lines, block.start - (block.tokens[0].map or [0])[0])
        for piece in walk(root, self.lines):
            if piece.kind == "checklist":
                self._checklist(piece, block)
            elif piece.kind == "step":
                self._flush_label()
                self.step = None
                number = piece.number or None
                self._open_step(number, plain(piece.text) or "Step", piece.line)
                for detail in piece.blocks:
                    self._add(self._detail(detail))
                self.step = None
            else:
                self._flush_label()
                self._add(self._prose(piece.text, piece.line))

    def _plain_list(self: Any, block: RawBlock) -> None:
        """A list of plain items: metadata, when-to-use lines, DO NOT ROLLBACK, or prose."""
        items = _item_texts(block)
        if self.runbook is not None and self.section.kind == "when_to_use":
            self.runbook.when_to_use.extend(plain(text) for text in items)
        elif self.runbook is not None and self.section.kind == "metadata":
            self.runbook.metadata = _merge_metadata(self.runbook.metadata, items)
        elif self.runbook is not None and self.section.kind == "decision_criteria":
            self._criteria().do_not_rollback.extend(plain(text) for text in items)
        self._add(self._prose(block.source, block.line))

    def _checklist(self: Any, piece: Piece, block: RawBlock) -> None:
        for detail in piece.blocks:  # prose under a plain title item, before its tasks
            self._add(self._detail(detail))
        if piece.text:
            self._flush_label()
            title, timing, line = plain(piece.text).rstrip(":"), "", piece.line
            base = f"{self.section.id}/{slugify(title, 40)}"
            group_id = base
        elif self.pending_label is not None:
            title, timing, line = self.pending_label
            self.pending_label = None
            base = f"{self.section.id}/{slugify(title, 40)}"
            group_id = base
        else:
            # Unlabelled list ("After deployment, verify:"): its items belong to the section.
            # A short intro line becomes the group's title (not shown twice).
            near_title = self.phases[-1].title if self.phases else self.section.title
            title, timing, line = (self.pending_intro or near_title), "", piece.line
            container = self.container if self.container is not None else self.section.blocks
            if self.pending_intro and container and isinstance(container[-1], MarkdownBlock):
                line = container.pop().line
            base = self.section.id
            group_id = f"{base}/checklist"
        self.pending_intro = None
        self.step = None  # a checklist belongs to the section, not to the step above it
        near = f"{self.phases[-1].id}/{group_id.rsplit('/', 1)[-1]}" if self.phases else group_id
        group = ChecklistGroup(
            id=self.ids.claim(group_id, line, (near,), quiet=True),
            title=title,
            timing=timing,
            items=[],
            line=line,
        )
        phase_base = self.phases[-1].id if self.phases else ""
        runbook_id = self.runbook.id if self.runbook else self._owner_id()
        for draft in piece.items:
            text = resolve_links(plain(draft.text), self.stream.references)
            if not text:
                self.result.empty_checklists.append((draft.line, f"empty checklist item in '{title}'"))
            parent = group.items[draft.parent] if draft.parent >= 0 else None
            slug = slugify(text, 48)
            alternates: tuple[str, ...] = (f"{parent.id}/{slug}",) if parent is not None else ()
            if phase_base:
                alternates += (f"{phase_base}/{slug}",)
            item = ChecklistItem(
                id=self.ids.claim(f"{base}/{slug}", draft.line, (*alternates, f"{base}/{exact(text)}")),
                text=text,
                line=draft.line,
                runbook_id=runbook_id,
                group_id=group.id,
                initially_checked=draft.checked,
                depth=draft.depth,
                parent_id=parent.id if parent is not None else "",
            )
            item.detail = [self._detail(d, item.id) for d in draft.detail]
            group.items.append(item)
        self._add(group)

    def _detail(self: Any, detail: Detail, owner: str = "") -> Block:
        if detail.kind == "code":
            if owner:
                n = self.command_counter.get(owner, 0) + 1
                self.command_counter[owner] = n
                return CommandBlock(
                    self.ids.claim(f"{owner}/code-{n}", detail.line, quiet=True),
                    detail.language,
                    detail.text,
                    detail.line,
                    destructive=bool(DESTRUCTIVE.search(detail.text)),
                )
            return self._command(detail.text, detail.language, detail.line)
        return self._prose(detail.text, detail.line)

    def _table(self: Any, block: RawBlock) -> None:
        self._flush_label()
        headers, rows = table_cells(block.tokens)
        table = TableBlock([plain(h) for h in headers], [[plain(c) for c in row] for row in rows], block.line)
        if self.runbook is not None and self.section is not None and self.section.kind == "decision_criteria":
            keys = [slugify(h, 30).replace("-", "_") for h in table.headers]
            self._criteria().rollback_if.extend(dict(zip(keys, row, strict=False)) for row in table.rows)
        widest = max(
            (len(re.split(r"(?<!\\)\|", ln.strip().strip("|"))) for ln in block.source.split("\n")), default=0
        )
        if len(table.rows) != block.source.count("\n") - 1 or widest > len(table.headers):
            # A row markdown-it did not take whole (no pipes, more cells than the header) is
            # kept as prose too: a table drops what does not fit it.
            self._add(self._prose(block.source, block.line))
            return
        self._add(table)

    def _criteria(self: Any) -> DecisionCriteria:
        assert self.runbook is not None
        if self.runbook.decision_criteria is None:
            self.runbook.decision_criteria = DecisionCriteria([], [])
        return self.runbook.decision_criteria

    def _add(self: Any, block: Block) -> None:
        if self.trouble is not None and not self.phases and not isinstance(block, ChecklistGroup):
            getattr(self.trouble, self.trouble_part).append(block)
        elif self.step is not None and not isinstance(block, ChecklistGroup):
            self.step.blocks.append(block)
        else:
            assert self.container is not None
            self.container.append(block)

    def _flush_label(self: Any) -> None:
        """A bold label that promised a checklist and got none is an empty checklist."""
        if self.pending_label is not None:
            title, timing, line = self.pending_label
            self.result.empty_checklists.append((line, f"checklist '{title}' has no items"))
            self._add(MarkdownBlock(f"**{title}**" + (f" ({timing})" if timing else ""), line))
            self.pending_label = None
        if self.pending_expected is not None and self.step is not None:
            self.step.blocks.append(MarkdownBlock(f"**{self.pending_expected}:**", self.step.line))
            self.pending_expected = None


def exact(text: str) -> str:
    from omniops_tui.runbooks.slugs import exact_slug

    return exact_slug(text, 48)


def _is_short_label(text: str) -> bool:
    """ "After deployment, verify:" titles the checklist after it; a paragraph of prose or an
    image line does not."""
    short = "\n" not in text and len(text) <= SHORT_LABEL and text.rstrip().endswith(":")
    return short and not re.search(r"!\[[^\]]*\]\(", text)


def _item_texts(block: RawBlock) -> list[str]:
    """The inline text of each top-level item of a plain list."""
    texts: list[str] = []
    base = block.tokens[0].level
    for index, token in enumerate(block.tokens):
        if token.type == "list_item_open" and token.level == base + 1:
            follower = block.tokens[index + 2] if index + 2 < len(block.tokens) else None
            texts.append(follower.content if follower is not None and follower.type == "inline" else "")
    return texts


def _merge_metadata(metadata: Metadata | None, items: list[str]) -> Metadata:
    """The `### Metadata` bullet list, over what the front matter already said."""
    metadata = metadata or Metadata()
    for text in items:
        lead = BOLD_LEAD.match(text.strip())
        if not lead:
            continue
        key = lead.group("label").strip().rstrip(":").strip()
        value = plain(lead.group("rest").strip().lstrip(":").strip())
        field_name = METADATA_KEYS.get(key.lower())
        if field_name:
            setattr(metadata, field_name, value)
        else:
            metadata.extra[key] = value
    return metadata
