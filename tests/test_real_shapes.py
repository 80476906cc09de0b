"""Issue 11: files in the shapes of real public runbooks load, and nothing in them is lost.

The fixtures under tests/fixtures/real-shapes/ are written for these tests in the shapes found
in public runbook collections (alert runbooks with Meaning/Impact/Diagnosis/Mitigation, front
matter, release checklists with nested task lists, DR plans with numbered top headings,
setext titles, commands indented under list items, reference links, HTML blocks).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from omniops_tui.runbooks.coverage import unheld_lines
from omniops_tui.runbooks.loader import load_runbook_files
from omniops_tui.runbooks.model import CommandBlock, ExpectedOutput, RunbookSet, iter_blocks

FIXTURES = Path(__file__).parent / "fixtures" / "real-shapes"
FILES = sorted(FIXTURES.rglob("*.md"))
TASK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[[ xX]\]\s+(.*)$")


@pytest.fixture(scope="module")
def loaded():
    return load_runbook_files(FIXTURES)


def _one_file(loaded, file: Path) -> RunbookSet:
    documents = [d for d in loaded.runbook_set.documents if d.source == str(file)]
    return RunbookSet(
        runbooks=[r for r in loaded.runbook_set.runbooks if r.source == str(file)],
        preamble=[s for d in documents for s in d.preamble],
        appendix=[s for d in documents for s in d.appendix],
        documents=documents,
    )


def _all_sections(one: RunbookSet):
    return [*one.preamble, *one.appendix, *(s for r in one.runbooks for s in r.sections)]


def test_every_fixture_loads(loaded) -> None:
    assert len(FILES) >= 8
    assert sorted(f.path for f in loaded.files) == sorted(str(f) for f in FILES)
    assert loaded.skipped == []
    assert loaded.summary == f"{len(loaded.runbook_set.runbooks)} runbooks from {len(FILES)} files"


@pytest.mark.parametrize("file", FILES, ids=lambda f: str(f.relative_to(FIXTURES)))
def test_every_item_fence_and_line_reaches_the_model(loaded, file: Path) -> None:
    text = file.read_text(encoding="utf-8")
    one = _one_file(loaded, file)
    # Every line of prose (and every other line with text) is held by the model.
    assert unheld_lines(text, one) == []
    # Every checklist item is a tickable item with its text.
    items = [
        i for s in _all_sections(one) for g in iter_blocks(s.blocks) if hasattr(g, "items") for i in g.items
    ]
    wanted = [m.group(1).replace("**", "").strip() for line in text.splitlines() if (m := TASK.match(line))]
    assert sorted(i.text for i in items) == sorted(wanted)
    # Every fenced or indented block is a command block (or a step's expected output).
    blocks = [b for s in _all_sections(one) for b in iter_blocks(s.blocks) if isinstance(b, CommandBlock)]
    blocks += [e.block for s in _all_sections(one) for e in iter_blocks(s.blocks, ExpectedOutput)]
    fences = len(re.findall(r"^\s*(?:```|~~~)", text, re.M)) // 2
    indented = len(re.findall(r"\n\n(?: {4}|\t)(?![-*+\d ])\S[^\n]*\n", text))
    assert len(blocks) == fences + indented, [b.code for b in blocks]
