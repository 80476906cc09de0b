"""The line scan finds the headings, overview table and reference definitions markdown-it
finds: a large file's shape (and the TUI's early runbook titles) come from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from omniops_tui.runbooks.blocks import BlockStream
from omniops_tui.runbooks.frontmatter import split_front_matter
from omniops_tui.runbooks.loader import BUNDLED_DOCUMENT
from omniops_tui.runbooks.parser import RUNBOOK_HEADING
from omniops_tui.runbooks.scan import scan
from omniops_tui.runbooks.shape import plan_shape

EDGES = [
    "Title\n=====\n\ntext\n\nSub\n---\n\n- item\n---\n",
    "- a\n  ## nested\n- b\n\n## top\n",
    "1. step\n   ```bash\n   # comment\n   ```\n2. next\n\n# H1\n",
    "- item\n  ```\n# at col 0\n  ```\n",
    "> ## quoted\n\n## real\n",
    "<div>\n## in html\n</div>\n\n## after\n",
    "<!-- \n## hidden\n-->\n## shown ##\n",
    "    ## code\n\n## x #\n",
    "para\n## interrupts\n",
    "para\nmore\n---\n",
    "* * *\n## after hr\n",
    "[ref]: http://x.y/z\n[Other Ref]: <http://a b>\n\n## h\n",
    "text\n[notref]: http://x\n",
    "| Runbook | Duration |\n|---|---|\n| A | 1h |\n\n## 1. A\n",
    "```\n## fenced\n````\n## still\n```\n## out\n",
    "~~~\n```\n## in\n~~~\n## out\n",
    "- a\n\n  para in item\n  ---\n\n## end\n",
    "- a\nlazy\n## h\n",
    "#notheading\n#\n## \n",
    "Text\n    ---\n",
    "<details>\n<summary>x</summary>\n\n## inside details after blank\n</details>\n",
    "<script>\n## no\n</script>\n## yes\n",
]
FIXTURES = Path(__file__).parent / "fixtures"


def _both(text: str) -> tuple[tuple, tuple]:
    stream = BlockStream(text)
    blocks = list(stream)
    found = scan(stream.lines)

    def seen(items: list, references: dict) -> tuple:
        headings = [(b.start, b.level, b.inline.strip()) for b in items if b.kind == "heading"]
        shape = plan_shape(items, RUNBOOK_HEADING)  # the overview table is the one it takes
        return headings, shape, {label: ref["href"] for label, ref in references.items()}

    return seen(blocks, stream.references), seen(found.blocks, found.references)


@pytest.mark.parametrize("text", EDGES)
def test_the_scan_agrees_with_markdown_it_on_edge_cases(text: str) -> None:
    expected, scanned = _both(text)
    assert scanned == expected


@pytest.mark.parametrize("path", [BUNDLED_DOCUMENT, *sorted(FIXTURES.rglob("*.md"))], ids=lambda p: p.name)
def test_the_scan_agrees_with_markdown_it_on_real_shapes(path: Path) -> None:
    front, after = split_front_matter(path.read_text(encoding="utf-8").removeprefix("\ufeff"))
    expected, scanned = _both("\n" * front.lines + after if front.lines else after)
    assert scanned == expected
