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
from functools import lru_cache

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
# Line starts are matched as "\n" (searched from the newline before a line): a `^` in
# MULTILINE mode is tried at every character of a 50 MB text, a literal "\n" is skipped to.
OTHER_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")  # str.splitlines splits at these too
BLANK_LINE = re.compile(r"\n[ \t]*(?=\n|$)")
# The lines the scan looks at: everything else is paragraph or list text.
# (No IGNORECASE flag on the whole pattern: it turns off the skip to the next "\n".)
CANDIDATE = re.compile(
    r"\n {0,3}(?:#{1,6}(?=[ \t\n]|$)|`{3,}|~{3,}|<|=+[ \t]*(?=\n|$)|-+[ \t]*(?=\n|$)|\["
    r"|\|?[ \t]*(?i:runbook|name)[ \t]*\|)"
)
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
    table_seen: bool = False


def scan(lines: Sequence[str], offset: int = 0, source: str | None = None) -> Scan:
    """Headings, the overview table and reference definitions of `lines` (0-based starts,
    plus `offset`); `source`: the text `lines` were split from, which spares joining them
    again when it only breaks lines with "\n" (a join of 50 MB holds the interpreter ~0.3 s).

    Only the lines that may matter are visited (a regex finds them in the joined text); the
    context a rule needs (is the line above a paragraph? is this inside a list?) is read by
    looking back a few lines. Fences, comments and HTML blocks are jumped over whole.
    """
    joined = _plain_join(source) if source is not None else None
    text = "\n" + (joined if joined is not None else "\n".join(lines))  # each line follows a "\n"
    found = Scan()
    pos, line_no = 1, 0  # pos: the start of line `line_no` in `text`
    while True:
        candidate = CANDIDATE.search(text, pos - 1)
        if candidate is None:
            break
        line_no += text.count("\n", pos, candidate.start() + 1)
        pos = candidate.start() + 1
        after = _visit(found, lines, line_no, text, pos, offset)
        line_no += text.count("\n", pos, after)
        pos = after
        if pos >= len(text):
            break
    return found


def _plain_join(source: str) -> str | None:
    """`source` as "\n".join(source.splitlines()) would give it, when that is a cheap copy."""
    if OTHER_BREAKS.search(source):
        return None
    return source[:-1] if source.endswith("\n") else source


def _visit(found: Scan, lines: Sequence[str], index: int, text: str, pos: int, offset: int) -> int:
    """Read the candidate line `index` (at `pos`); the position to search on from."""
    line = lines[index]
    next_line = pos + len(line) + 1
    stripped = line.strip()
    indent = len(line) - len(line.lstrip(" "))
    if indent >= 2 and _in_list(lines, index):  # inside a list item: nothing top-level
        return next_line
    if stripped[0] in "`~<":
        return _skip_block(text, line, stripped, pos, next_line)
    heading = ATX.match(line)
    if heading:
        words = ATX_CLOSING.sub("", heading.group(2) or "").strip()
        found.blocks.append(_heading(len(heading.group(1)), index, index + 1, words, lines, offset))
        return next_line
    first = _paragraph_start(lines, index)
    if SETEXT.match(line):
        if first >= 0:
            words = "\n".join(lines[i].strip() for i in range(first, index))
            level = 1 if stripped[0] == "=" else 2
            found.blocks.append(_heading(level, first, index + 1, words, lines, offset))
        return next_line
    if first >= 0:  # a paragraph's next line: no definition, no table starts here
        return next_line
    reference = REFERENCE.match(line)
    if reference:
        _reference(found, reference)
    elif not found.table_seen and _overview_starts(lines, index):
        end = index + 2
        while end < len(lines) and lines[end].strip() and "|" in lines[end]:
            end += 1
        table = _table(lines, index, end, offset)
        if table is not None:
            found.blocks.append(table)
            found.table_seen = True
            return pos + sum(len(lines[i]) + 1 for i in range(index, end))
    return next_line


def _paragraph_start(lines: Sequence[str], index: int) -> int:
    """The first line of the top-level paragraph the line above `index` belongs to (-1: the
    line above is blank or not paragraph text)."""
    first = index - 1
    while first >= 0 and lines[first].strip() and not _boundary(lines[first]):
        if LIST_ITEM.match(lines[first]) or lines[first].lstrip().startswith(">"):
            return -1
        first -= 1
    first += 1
    if first >= index or len(lines[first]) - len(lines[first].lstrip(" ")) >= 4:
        return -1
    if all(REFERENCE.match(lines[i]) for i in range(first, index)):  # definitions, not text
        return -1
    return first


def _boundary(line: str) -> bool:
    """A line no paragraph runs through: a heading, a fence, a rule, a setext underline."""
    return bool(ATX.match(line) or FENCE.match(line) or HR.match(line) or SETEXT.match(line))


def _in_list(lines: Sequence[str], index: int, reach: int = 200) -> bool:
    """Is the indented line `index` inside a list item? (The nearest line above at the margin
    is an item.)"""
    for above in range(index - 1, max(-1, index - reach), -1):
        line = lines[above]
        if line.strip() and len(line) - len(line.lstrip(" ")) < 2:
            return LIST_ITEM.match(line) is not None
    return False


def _overview_starts(lines: Sequence[str], index: int) -> bool:
    """A table whose first column is "Runbook" or "Name" starts here (the overview)."""
    return bool(
        OVERVIEW_HEADER.match(lines[index])
        and index + 1 < len(lines)
        and DELIMITER_ROW.match(lines[index + 1])
    )


def _skip_block(text: str, line: str, stripped: str, pos: int, next_line: int) -> int:
    """Where the fence, HTML comment or HTML block starting at `pos` ends (the start of the
    line after it); `next_line` when none starts there."""
    fence = FENCE.match(line)
    if fence:
        marker = fence.group(2)
        if marker[0] == "`" and fence.group(3) is None:  # "```a`b" is inline code, not a fence
            return next_line
        closing = _closing_fence(marker[0], len(marker)).search(text, next_line - 1)
        return _line_after(text, closing.end()) if closing else len(text)
    if stripped.startswith("<!--"):
        end = text.find("-->", pos)
        return _line_after(text, end) if end >= 0 else len(text)
    raw = HTML_RAW.match(line)
    if raw:
        closing = re.compile(f"</{raw.group(1)}>", re.I).search(text, pos)
        return _line_after(text, closing.end()) if closing else len(text)
    if HTML_BLOCK.match(line):
        blank = BLANK_LINE.search(text, pos - 1)
        return blank.start() + 1 if blank else len(text)
    return next_line


@lru_cache(maxsize=16)
def _closing_fence(char: str, length: int) -> re.Pattern[str]:
    return re.compile(rf"\n[ \t]{{0,3}}{re.escape(char)}{{{length},}}[ \t]*(?=\n|$)")


def _line_after(text: str, at: int) -> int:
    end = text.find("\n", at)
    return len(text) if end < 0 else end + 1


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
