"""A large file's runbooks by title before it is parsed: what home shows while it loads.

Parsing a 50 MB file takes minutes; its titles take a line scan (`scan.py`) of one to a few
seconds, and until then the file is one placeholder runbook named after it. The skeleton is
the set the full parse will give, minus the content: the same runbook ids (shared rules in
`shape.py`, claimed in the same order), numbers, titles, overview columns and front matter,
each runbook with no sections yet. `deferred.py` replaces it with the parsed model when that
is ready.
"""

from __future__ import annotations

from omniops_tui.runbooks.blocks import split_lines
from omniops_tui.runbooks.frontmatter import metadata_from, split_front_matter
from omniops_tui.runbooks.inline import plain
from omniops_tui.runbooks.model import Document, Runbook, RunbookSet
from omniops_tui.runbooks.parser import RUNBOOK_HEADING
from omniops_tui.runbooks.scan import scan
from omniops_tui.runbooks.shape import plan_shape, runbook_ids
from omniops_tui.runbooks.slugs import IdRegistry, slugify


def skeleton(text: str, source: str, namespace: str | None = None, default_title: str = "") -> RunbookSet:
    """The runbooks of `text` by title, as `parse_markdown` with the same arguments names them."""
    front, after = split_front_matter(text.removeprefix("\ufeff"))
    lines = split_lines(after)
    found = scan(lines, offset=front.lines, source=after)
    shape = plan_shape(found.blocks, RUNBOOK_HEADING)
    result = RunbookSet(runbooks=[], sources=[source])
    ids = IdRegistry()
    headings = {block.start: block for block in found.blocks if block.kind == "heading"}
    if shape.runbook_level:
        chosen, rows = runbook_ids(shape)
        for start, _ in shape.runbook_headings:
            match = RUNBOOK_HEADING.match(plain(headings[start].inline.strip()))
            if match is None:
                continue
            runbook_id, aliases = chosen[start]
            runbook = Runbook(
                id=ids.claim(runbook_id, start + 1),
                number=match.group(1),
                title=match.group(2).strip(),
                line=start + 1,
                source=source,
                aliases=aliases,
                document=namespace or "",
            )
            row = rows.get(start)
            if row:
                runbook.overview = {k: v for k, v in row.items() if k != "name"}
                runbook.overview["name"] = row["name"]
            result.runbooks.append(runbook)
    else:
        title = (
            front.title or plain(shape.title_text or shape.first_h1) or default_title or "Untitled runbook"
        )
        metadata, tags, when = metadata_from(front)
        result.runbooks.append(
            Runbook(
                id=namespace or slugify(title),
                number="",
                title=title,
                line=shape.title_line or 1,
                source=source,
                metadata=metadata,
                when_to_use=when,
                tags=tags,
                front_matter=front.data,
                document=namespace or "",
            )
        )
    title = result.runbooks[0].title if len(result.runbooks) == 1 else default_title or source
    result.documents.append(
        Document(
            id=namespace or "",
            source=source,
            title=title,
            runbook_ids=[r.id for r in result.runbooks],
            front_matter=front.data,
        )
    )
    return result


def placeholder(source: str, namespace: str | None, default_title: str) -> RunbookSet:
    """A file not even scanned yet: one runbook named after it (the id a one-runbook file
    would have), so home has a row to show at once."""
    runbook = Runbook(
        id=namespace or slugify(default_title),
        number="",
        title=default_title,
        line=1,
        source=source,
        document=namespace or "",
    )
    document = Document(id=namespace or "", source=source, title=default_title, runbook_ids=[runbook.id])
    return RunbookSet(runbooks=[runbook], sources=[source], documents=[document])
