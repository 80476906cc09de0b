"""Markdown text -> a stream of top-level blocks, each with its tokens and source lines.

markdown-it-py does the Markdown (so a heading inside a code fence stays code). Three things
are added around it so that nothing in a file can go missing:

- lines no top-level token covers (link reference definitions, which markdown-it consumes
  without a token) come out as `gap` blocks holding their source;
- reference definitions are collected for the whole file, so a link finds its URL wherever the
  definition stands;
- a large file is parsed in chunks cut at ATX headings outside fences, so the tokens of a
  50 MB file are never all in memory at once; its blocks stream by once (the headings the
  parser needs first come from a line scan, `scan.py`).

Inline parsing is switched off: the model keeps inline text as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

# Deep enough for any real document; deeper list content is recovered by lists.py without
# recursion (markdown-it's own recursion would meet Python's limit near 400 levels).
MAX_NESTING = 200
CHUNK_CHARS = 2_000_000
KINDS = ("heading", "paragraph", "fence", "bullet_list", "ordered_list", "table", "hr")
ATX_HEADING = re.compile(r"^#{1,6}(?:[ \t]|$)")
FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})")


@lru_cache(maxsize=1)
def markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"maxNesting": MAX_NESTING}).enable("table")
    return md.disable(["inline", "text_join"])


@dataclass(slots=True)
class RawBlock:
    """One top-level Markdown block: its tokens (lists and tables only), its source lines."""

    kind: str  # heading, paragraph, fence, bullet_list, ordered_list, table, hr, other, gap
    start: int  # 0-based first line
    end: int  # 0-based line after the block
    source: str
    level: int = 0  # heading level
    inline: str = ""  # the inline text of a heading or paragraph
    info: str = ""  # a fence's info string
    content: str = ""  # a fence's or code block's body
    markup: str = ""  # a fence's marker
    fenced: bool = False  # a ``` / ~~~ fence (not an indented code block)
    tokens: list[Token] = field(default_factory=list)

    @property
    def line(self) -> int:
        return self.start + 1


@dataclass
class FenceProblem:
    """A fence that swallowed Markdown structure: what `lint` reports."""

    line: int
    end_line: int
    swallowed: list[str]
    unclosed: bool


class BlockStream:
    """The blocks of a text, iterable more than once; a large text is re-parsed per pass."""

    def __init__(
        self, text: str, line_offset: int = 0, progress: Callable[[float], None] | None = None
    ) -> None:
        self.text = text
        self.line_offset = line_offset
        self.references: dict[str, dict[str, str]] = {}
        self._cached: list[RawBlock] | None = None
        self.lines = split_lines(text)
        # `progress(fraction)` after each chunk of a large text.
        self._progress = progress
        self._expected = max(1, len(self.lines))
        self._done = 0
        if len(text) <= CHUNK_CHARS:
            self._cached = list(self._generate())

    @property
    def whole(self) -> bool:
        """Parsed at once and kept (a small text): its blocks may be read again for free. A
        large text's blocks are parsed chunk by chunk as they are read, once."""
        return self._cached is not None

    def __iter__(self) -> Iterator[RawBlock]:
        if self._cached is not None:
            return iter(self._cached)
        return self._generate()

    def _generate(self) -> Iterator[RawBlock]:
        lines = self.lines
        for first, last in _chunks(lines, CHUNK_CHARS):
            env: dict = {}
            tokens = markdown().parse("\n".join(lines[first:last]), env)
            for label, ref in env.get("references", {}).items():
                self.references.setdefault(label, ref)
            yield from _blocks(tokens, lines, first, last, self.line_offset)
            self._done += last - first
            if self._progress is not None:
                self._progress(min(1.0, self._done / self._expected))


def split_lines(text: str, piece: int = 1_000_000) -> list[str]:
    """`text.splitlines()`, a megabyte at a time: one call over 50 MB holds the interpreter for
    a fraction of a second to a second, and a large file is parsed on a thread beside the UI.
    Pieces end just after a "\n", so no line (nor a "\r\n") is cut."""
    if len(text) <= piece:
        return text.splitlines()
    lines: list[str] = []
    start = 0
    while start < len(text):
        end = text.find("\n", start + piece)
        end = len(text) if end < 0 else end + 1
        lines.extend(text[start:end].splitlines())
        start = end
    return lines


def _blocks(tokens: list[Token], lines: list[str], first: int, last: int, offset: int) -> Iterator[RawBlock]:
    """Group a chunk's tokens into top-level blocks; uncovered non-blank lines become gaps."""
    covered = first
    i = 0
    while i < len(tokens):
        token = tokens[i]
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
        start, end = token.map if token.map else (0, 0)
        start, end = start + first, end + first
        if start > covered:
            yield from _gap(lines, covered, start, offset)
        covered = max(covered, end)
        yield _raw(token, group, lines, start, end, offset)
    if last > covered:
        yield from _gap(lines, covered, last, offset)


def _raw(token: Token, group: list[Token], lines: list[str], start: int, end: int, offset: int) -> RawBlock:
    kind = token.type.removesuffix("_open")
    if token.type == "code_block":
        kind = "fence"
    elif kind not in KINDS:
        kind = "other"
    block = RawBlock(kind, start + offset, end + offset, "\n".join(lines[start:end]))
    if kind == "heading":
        block.level = int(token.tag[1])
    if kind in ("heading", "paragraph") and len(group) > 1:
        block.inline = group[1].content
    if kind == "fence":
        block.info = (token.info or "").strip()
        block.content = token.content
        block.markup = token.markup
        block.fenced = token.type == "fence"
    if kind in ("bullet_list", "ordered_list", "table"):
        block.tokens = group
    return block


def _gap(lines: list[str], start: int, end: int, offset: int) -> Iterator[RawBlock]:
    """Lines between blocks: blank ones are nothing; others (reference definitions) are kept."""
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    if start < end:
        yield RawBlock("gap", start + offset, end + offset, "\n".join(lines[start:end]))


def _chunks(lines: list[str], size: int) -> Iterator[tuple[int, int]]:
    """Line ranges of about `size` characters, cut just before an ATX heading outside a fence
    or HTML comment (where no Markdown block can span the cut)."""
    cutter = ChunkCutter(size)
    start = 0
    for index, line in enumerate(lines):
        if cutter.cut_before(line):
            yield start, index
            start = index
    if start < len(lines) or not lines:
        yield start, len(lines)


class ChunkCutter:
    """Decides, line by line, where a long text may be cut into independent Markdown chunks:
    before an ATX heading, outside any fence or HTML comment, once `size` characters are in.
    Shared by the parser's chunks and lint's file stream, so both cut at the same places."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.count = 0
        self.fence = ""
        self.in_comment = False

    def cut_before(self, line: str) -> bool:
        """Feed the next line; True: a new chunk starts with it."""
        cut = False
        if self.fence:
            stripped = line.strip()
            if (
                stripped.startswith(self.fence)
                and set(stripped) == {self.fence[0]}
                and len(line) - len(line.lstrip()) < 4
            ):
                self.fence = ""
        elif self.in_comment:
            self.in_comment = "-->" not in line
        elif self.count >= self.size and ATX_HEADING.match(line):
            cut, self.count = True, 0
        else:
            opener = FENCE_OPEN.match(line)
            if opener:
                self.fence = opener.group(1)
            elif line.lstrip().startswith("<!--") and "-->" not in line:
                self.in_comment = True
        self.count += len(line) + 1
        return cut


def file_chunks(lines: Iterable[str], size: int = CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """(first line, text) chunks of a file read line by line: a 50 MB file is never whole in
    memory. Lines keep their endings out (as `str.splitlines`)."""
    cutter = ChunkCutter(size)
    chunk: list[str] = []
    first = 0
    for number, raw in enumerate(lines):
        line = raw.rstrip("\r\n")
        if chunk and cutter.cut_before(line):
            yield first, "\n".join(chunk) + "\n"
            chunk, first = [], number
        elif not chunk:
            cutter.cut_before(line)
        chunk.append(line)
    if chunk:
        yield first, "\n".join(chunk) + "\n"


def table_cells(tokens: list[Token]) -> tuple[list[str], list[list[str]]]:
    """(headers, rows) of a table block, cells as written (inline Markdown kept)."""
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
            row.append(token.content.strip())
    return headers, rows
