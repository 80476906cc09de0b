"""A Markdown list -> checklists with nested items, steps with commands, and kept prose.

- A task item (`- [ ]`, `* [x]`, `+ [ ]`, `1. [ ]`) is a checklist item; task items nested in
  it are its children (flat, with a depth and a parent); sub-bullets, continuation paragraphs
  and commands under it are its detail.
- A plain item whose sub-items are tasks titles a checklist of them.
- In a list of plain items, an item holding a command (an indented fence) is a step whose
  title is the item's text; the other items stay prose.

Everything is walked with explicit stacks, and content markdown-it leaves out past its nesting
limit is parsed again from its own lines and hung where it belongs, so a list 1000 levels deep
keeps all its items and never meets the recursion limit.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

from markdown_it.token import Token

from omniops_tui.runbooks.blocks import markdown

CHECKBOX = re.compile(r"^\[(?P<mark>[ xX])\](?:[ \t]+(?P<text>.*)|$)", re.S)
EMPTY_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s*$")
TASK_LINE = re.compile(r"^\s*(?:>\s*)*(?:[-*+]|\d+[.)])\s+\[[ xX]\]", re.M)


@dataclass(slots=True)
class Node:
    """A list, a list item, or a leaf block inside an item (lines are absolute, 0-based)."""

    type: str  # list, item, paragraph, fence, other
    start: int
    end: int
    ordered: bool = False
    number: int = 1  # an ordered item's number
    inline: str = ""
    info: str = ""
    content: str = ""
    children: list[Node] = field(default_factory=list)


@dataclass(slots=True)
class Detail:
    """Content under an item: prose (`markdown`) or a command (`code`)."""

    kind: str
    text: str
    line: int
    language: str = ""


@dataclass(slots=True)
class ItemDraft:
    text: str
    line: int
    checked: bool
    depth: int
    parent: int  # index of the parent task in the piece's items, -1 at the top
    detail: list[Detail] = field(default_factory=list)


@dataclass(slots=True)
class Piece:
    """What a list becomes, in order: `markdown` prose, a `checklist`, or a `step`."""

    kind: str
    line: int
    text: str = ""  # markdown source, or the checklist's / step's title
    number: str = ""
    items: list[ItemDraft] = field(default_factory=list)
    blocks: list[Detail] = field(default_factory=list)


def needs_walk(tokens: list[Token], source: str) -> bool:
    """A list with no task item and no command anywhere stays one block of prose."""
    return bool(TASK_LINE.search(source)) or any(t.type in ("fence", "code_block") for t in tokens)


def starts_with_task(tokens: list[Token]) -> bool:
    for index, token in enumerate(tokens):
        if token.type == "list_item_open":
            following = tokens[index + 2] if index + 2 < len(tokens) else None
            return bool(
                following is not None and following.type == "inline" and CHECKBOX.match(following.content)
            )
    return False


def build_tree(tokens: list[Token], lines: list[str], shift: int) -> Node:
    """The token stream of one list as a tree; content lost past the nesting limit is
    re-parsed from its own (dedented) lines and attached to the item it belongs to."""
    root = _tree(tokens, shift)
    pending = [root]
    while pending:
        top = pending.pop()
        for run_start, run_end in _lost_runs(top, lines):
            owner = _deepest_item(top, run_start) or top
            text = textwrap.dedent("\n".join(lines[run_start:run_end]))
            child = _tree(markdown().parse(text), run_start)
            owner.children.extend(child.children)
            held = _held_lines(child)
            for gap_start, gap_end in _runs(n for n in range(run_start, run_end) if n not in held):
                owner.children.append(Node("other", gap_start, gap_end))
            owner.children.sort(key=lambda node: node.start)
            if any(node.type == "list" for node in child.children):
                pending.append(child)
    return root


def _tree(tokens: list[Token], shift: int) -> Node:
    root = Node("root", shift + (tokens[0].map[0] if tokens and tokens[0].map else 0), shift)
    stack = [root]
    i = 0
    while i < len(tokens):
        token = tokens[i]
        start, end = (token.map[0] + shift, token.map[1] + shift) if token.map else (0, 0)
        root.end = max(root.end, end)
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            node = Node("list", start, end, ordered=kind == "ordered_list_open")
            node.number = int(token.attrGet("start") or 1) if node.ordered else 1
            stack[-1].children.append(node)
            stack.append(node)
        elif kind == "list_item_open":
            parent = stack[-1]
            number = parent.number + len(parent.children)
            node = Node("item", start, end, ordered=parent.ordered, number=number)
            parent.children.append(node)
            stack.append(node)
        elif kind in ("bullet_list_close", "ordered_list_close", "list_item_close"):
            stack.pop()
        elif kind == "paragraph_open":
            stack[-1].children.append(Node("paragraph", start, end, inline=tokens[i + 1].content))
            i += 2
        elif kind in ("fence", "code_block"):
            stack[-1].children.append(
                Node("fence", start, end, info=token.info.strip(), content=token.content)
            )
        elif token.nesting == 1:  # blockquote, table, heading: one leaf with its source
            depth, j = 1, i + 1
            while j < len(tokens) and depth:
                depth += tokens[j].nesting
                j += 1
            stack[-1].children.append(Node("other", start, end))
            i = j
            continue
        elif token.map:
            stack[-1].children.append(Node("other", start, end))
        i += 1
    return root


def _held_lines(root: Node) -> set[int]:
    """Lines a subtree accounts for: its leaves, and everything inside its items (what is
    still missing there is found when the subtree itself is looked at)."""
    held: set[int] = set()
    spans: list[tuple[int, int]] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type in ("paragraph", "fence", "other", "item"):
            spans.append((node.start, node.end))
        stack.extend(node.children)
    for start, end in _merged(spans):
        held.update(range(start, end))
    return held


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of line ranges (nested items overlap: adding each one's lines would be quadratic)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _runs(numbers) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for n in numbers:
        if runs and runs[-1][1] == n:
            runs[-1] = (runs[-1][0], n + 1)
        else:
            runs.append((n, n + 1))
    return runs


def _lost_runs(root: Node, lines: list[str]) -> list[tuple[int, int]]:
    """Non-blank lines inside the items that no leaf covers (cut off by the nesting limit)."""
    covered: set[int] = set()
    items: list[Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "item":
            items.append(node)
            if not node.children and EMPTY_ITEM.match(lines[node.start]):
                covered.add(node.start)  # an empty item: its marker line is all it has
        if node.type in ("paragraph", "fence", "other"):
            covered.update(range(node.start, node.end))
        stack.extend(node.children)
    inside = _merged([(item.start, item.end) for item in items])
    return _runs(
        n for start, end in inside for n in range(start, end) if n not in covered and lines[n].strip()
    )


def _deepest_item(root: Node, line: int) -> Node | None:
    found, node = None, root
    while True:
        inner = next(
            (c for c in node.children if c.type in ("list", "item") and c.start <= line < c.end), None
        )
        if inner is None:
            return found
        if inner.type == "item":
            found = inner
        node = inner


# ------------------------------------------------------------------------------ walking
def is_task(item: Node) -> re.Match[str] | None:
    first = item.children[0] if item.children else None
    return CHECKBOX.match(first.inline) if first is not None and first.type == "paragraph" else None


def _flags(root: Node) -> dict[int, tuple[bool, bool]]:
    """id(item) -> (has a task below it, has a command below it), computed bottom-up."""
    flags: dict[int, tuple[bool, bool]] = {}
    order: list[Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(node.children)
    for node in reversed(order):
        task = code = False
        for child in node.children:
            child_task, child_code = flags.get(id(child), (False, False))
            task = task or child_task or (child.type == "item" and is_task(child) is not None)
            code = code or child_code or child.type == "fence"
        flags[id(node)] = (task, code)
    return flags


def walk(root: Node, lines: list[str]) -> list[Piece]:
    """The pieces a list becomes, in document order."""
    flags = _flags(root)
    pieces: list[Piece] = []
    top_list = next((c for c in root.children if c.type == "list"), root)
    any_code = flags[id(root)][1]
    group: Piece | None = None  # the checklist task items are being added to
    prose: Piece | None = None  # consecutive plain items kept as one block of prose
    for item in (c for c in top_list.children if c.type == "item"):
        below_task, below_code = flags[id(item)]
        if is_task(item) is not None:
            if group is None:
                group = Piece("checklist", item.start + 1)
                pieces.append(group)
            _emit_task(item, group, 0, -1, flags, lines)
            prose = None
            continue
        if below_task:
            group = Piece("checklist", item.start + 1, text=_title(item))
            pieces.append(group)
            for child in item.children[1:] if _titled(item) else item.children:
                if child.type == "list":
                    for task, depth, parent in _task_children(child, group, 0, -1, flags, lines):
                        _emit_task(task, group, depth, parent, flags, lines)
                else:
                    group.blocks.extend(_flatten(child, flags, lines))
            prose = None
            continue
        group = None
        if any_code and below_code:
            number = str(item.number) if item.ordered else ""
            body = item.children[1:] if _titled(item) else item.children
            blocks = [d for child in body for d in _flatten(child, flags, lines)]
            pieces.append(Piece("step", item.start + 1, text=_title(item), number=number, blocks=blocks))
            prose = None
            continue
        source = "\n".join(lines[item.start : item.end])
        if prose is None:
            prose = Piece("markdown", item.start + 1, text=source)
            pieces.append(prose)
        else:
            prose.text += "\n" + source
    return pieces


def _emit_task(item: Node, group: Piece, depth: int, parent: int, flags: dict, lines: list[str]) -> None:
    """Add a task item and everything under it; iterative, however deep the nesting."""
    stack: list[tuple[Node, int, int]] = [(item, depth, parent)]
    while stack:
        node, level, up = stack.pop()
        match = is_task(node)
        assert match is not None
        index = len(group.items)
        text = (match.group("text") or "").strip()
        group.items.append(ItemDraft(text, node.start + 1, match.group("mark") != " ", level, up))
        children: list[tuple[Node, int, int]] = []
        for child in node.children[1:]:
            if child.type == "list":
                children.extend(_task_children(child, group, level + 1, index, flags, lines))
            else:
                group.items[index].detail.extend(_flatten(child, flags, lines))
        stack.extend(reversed(children))


def _task_children(
    sub_list: Node, group: Piece, depth: int, parent: int, flags: dict, lines: list[str]
) -> list[tuple[Node, int, int]]:
    """Sub-items under a task (or under a plain title, `parent` -1): tasks are returned to be
    emitted as children; plain items become detail, their own task sub-items still children."""
    found: list[tuple[Node, int, int]] = []
    detail = group.items[parent].detail if parent >= 0 else group.blocks
    lists = [sub_list]
    while lists:
        current = lists.pop(0)
        for item in (c for c in current.children if c.type == "item"):
            if is_task(item) is not None:
                found.append((item, depth, parent))
            elif flags[id(item)][0]:
                for child in item.children:
                    if child.type == "list":
                        lists.append(child)
                    else:
                        detail.extend(_flatten(child, flags, lines))
            else:
                detail.extend(_flatten(item, flags, lines))
    return found


def _flatten(node: Node, flags: dict, lines: list[str]) -> list[Detail]:
    """A node as detail: prose keeps its lines; commands become code (iteratively)."""
    out: list[Detail] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "fence":
            language = current.info.split(" ")[0]
            out.append(Detail("code", current.content.rstrip("\n"), current.start + 1, language))
        elif current.type in ("list", "item") and flags.get(id(current), (False, False))[1]:
            stack.extend(reversed(current.children))
        elif current.type == "item" and not current.children:
            out.append(
                Detail("markdown", _dedent(lines, current.start, current.start + 1), current.start + 1)
            )
        else:
            out.append(Detail("markdown", _dedent(lines, current.start, current.end), current.start + 1))
    return out


def _titled(item: Node) -> bool:
    return bool(item.children) and item.children[0].type == "paragraph"


def _title(item: Node) -> str:
    return item.children[0].inline.strip() if _titled(item) else ""


def _dedent(lines: list[str], start: int, end: int) -> str:
    return textwrap.dedent("\n".join(lines[start:end])).strip("\n")
