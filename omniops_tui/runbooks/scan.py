"""A cheap first look at Markdown, line by line without markdown-it: headings, the overview
table and link reference definitions.

Why: the shape of a document (which headings are runbooks, which level holds sections) must be
known before the model is built, and so must every reference definition (a link may come
before its definition). For a small text markdown-it's own blocks are read twice at no real
cost; for a 50 MB file a second markdown-it pass doubled a parse of minutes. This scan gives
the same headings for the Markdown runbooks are written in (ATX and setext headings, outside
fences, HTML comments and HTML blocks) in a fraction of a second, and it is what lets the TUI
show a large file's runbook titles before the file is parsed (`skeleton.py`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from markdown_it.common.utils import normalizeReference

from omniops_tui.runbooks.blocks import RawBlock, markdown

ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
ATX_CLOSING = re.compile(r"(?:^|[ \t]+)#+$")
FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})([^`]*$)?")
SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
LIST_ITEM = re.compile(r"^ {0,3}(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)")
HR = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
REFERENCE = re.compile(r"^ {0,3}\[((?:[^\]\\]|\\.){1,999})\]:[ \t]*(?:<([^>\n]*)>|(\S+))")
OVERVIEW_HEADER = re.compile(r"^ {0,3}\|?[ \t]*(?:runbook|name)[ \t]*\|", re.I)
DELIMITER_ROW = re.compile(r"^ {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
HTML_RAW = re.compile(r"^ {0,3}<(script|pre|style|textarea)(?:\s|>|$)", re.I)
HTML_BLOCK = re.compile(
    r"^ {0,3}</?(?:address|article|aside|blockquote|details|dialog|div|dl|fieldset|figcaption|figure"
    r"|footer|form|h[1-6]|header|hr|main|nav|ol|p|section|summary|table|tbody|td|tfoot|th|thead"
    r"|tr|ul)(?:\s|/?>|$)",
    re.I,
)


@dataclass
class Scan:
    """What the scan found: heading blocks (and the first overview-like table) in line order,
    and the reference definitions by normalized label (as markdown-it's `env` holds them)."""

    blocks: list[RawBlock] = field(default_factory=list)
    references: dict[str, dict[str, str]] = field(default_factory=dict)


def scan(lines: Sequence[str], offset: int = 0) -> Scan:
    """Headings, the overview table and reference definitions of `lines` (0-based starts,
    plus `offset`)."""
    found = Scan()
    para_start = -1  # the first line of the paragraph being read (-1: none)
    in_list = False  # inside a top-level list: its lines hold no top-level heading
    blank_before = True
    table_seen = False
    index, count = 0, len(lines)
    while index < count:
        line = lines[index]
        stripped = line.strip()
        previous_blank, blank_before = blank_before, not stripped
        if not stripped:
            para_start = -1
            index += 1
            continue
        indent = len(line) - len(line.lstrip(" "))
        if in_list:
            lazy = not previous_blank and not _starts_block(line, stripped)
            if indent >= 2 or LIST_ITEM.match(line) or lazy:
                index += 1
                continue
            in_list = False
        if indent >= 4 and para_start < 0:  # an indented code block
            index += 1
            continue
        skip = _skip_block(lines, index, stripped)
        if skip:
            index, para_start, blank_before = skip, -1, False
            continue
        heading = ATX.match(line)
        if heading:
            text = ATX_CLOSING.sub("", heading.group(2) or "").strip()
            found.blocks.append(_heading(len(heading.group(1)), index, index + 1, text, lines, offset))
            index, para_start = index + 1, -1
            continue
        underline = SETEXT.match(line)
        if underline and para_start >= 0:
            text = "\n".join(lines[i].strip() for i in range(para_start, index))
            level = 1 if underline.group(1)[0] == "=" else 2
            found.blocks.append(_heading(level, para_start, index + 1, text, lines, offset))
            index, para_start = index + 1, -1
            continue
        if HR.match(line) or stripped.startswith(">"):
            index, para_start = index + 1, -1
            continue
        if LIST_ITEM.match(line):
            in_list, para_start = True, -1
            index += 1
            continue
        if para_start < 0:
            reference = REFERENCE.match(line)
            if reference:
                _reference(found, reference)
                index += 1
                continue
            if not table_seen and _overview_starts(lines, index):
                end = index + 2
                while end < count and lines[end].strip() and "|" in lines[end]:
                    end += 1
                table = _table(lines, index, end, offset)
                if table is not None:
                    found.blocks.append(table)
                    table_seen = True
                index = end
                continue
            para_start = index
        index += 1
    return found


def _overview_starts(lines: Sequence[str], index: int) -> bool:
    """A table whose first column is "Runbook" or "Name" starts here (the overview)."""
    return bool(
        OVERVIEW_HEADER.match(lines[index])
        and index + 1 < len(lines)
        and DELIMITER_ROW.match(lines[index + 1])
    )


def _starts_block(line: str, stripped: str) -> bool:
    """A line that cannot continue a paragraph lazily: it starts a block of its own."""
    return bool(ATX.match(line) or FENCE.match(line) or HR.match(line) or stripped[0] in "<>")


def _skip_block(lines: Sequence[str], index: int, stripped: str) -> int:
    """The line after a fence, HTML comment or HTML block starting at `index` (0: none)."""
    line = lines[index]
    fence = FENCE.match(line)
    if fence:
        marker = fence.group(2)
        if marker[0] == "`" and fence.group(3) is None:  # "```a`b" is inline code, not a fence
            return 0
        end = index + 1
        while end < len(lines):
            closing = lines[end].strip()
            if (
                closing.startswith(marker)
                and set(closing) == {marker[0]}
                and len(lines[end]) - len(lines[end].lstrip()) < 4
            ):
                return end + 1
            end += 1
        return end
    if stripped.startswith("<!--"):
        end = index
        while end < len(lines) and "-->" not in lines[end]:
            end += 1
        return min(end + 1, len(lines))
    raw = HTML_RAW.match(line)
    if raw:
        closing_tag = f"</{raw.group(1).lower()}>"
        end = index
        while end < len(lines) and closing_tag not in lines[end].lower():
            end += 1
        return min(end + 1, len(lines))
    if HTML_BLOCK.match(line):
        end = index
        while end < len(lines) and lines[end].strip():
            end += 1
        return end
    return 0


def _heading(level: int, start: int, end: int, text: str, lines: Sequence[str], offset: int) -> RawBlock:
    block = RawBlock("heading", start + offset, end + offset, "\n".join(lines[start:end]))
    block.level = level
    block.inline = text
    return block


def _reference(found: Scan, match: re.Match[str]) -> None:
    label = normalizeReference(match.group(1))
    url = match.group(2) if match.group(2) is not None else match.group(3)
    if label and label not in found.references:
        found.references[label] = {"href": markdown().normalizeLink(url), "title": ""}


def _table(lines: Sequence[str], start: int, end: int, offset: int) -> RawBlock | None:
    """The table's lines parsed by markdown-it (a few lines: cheap), as the parser would."""
    tokens = markdown().parse("\n".join(lines[start:end]))
    if not tokens or tokens[0].type != "table_open":
        return None
    close = next((i for i, t in enumerate(tokens) if t.type == "table_close"), len(tokens) - 1)
    block = RawBlock("table", start + offset, end + offset, "\n".join(lines[start:end]))
    block.tokens = tokens[: close + 1]
    return block
