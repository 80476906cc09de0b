"""The decision tree TOML mirrors the appendix's tree and reaches all seven runbooks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from omniops_tui.core.errors import UserError
from omniops_tui.logic.decision import TREE_FILE, load_tree
from omniops_tui.runbooks.loader import BUNDLED_DIR
from omniops_tui.runbooks.model import CommandBlock, RunbookSet, iter_blocks


def test_every_outcome_is_a_runbook_and_all_seven_are_reachable(runbook_set: RunbookSet) -> None:
    tree = load_tree(BUNDLED_DIR / TREE_FILE)
    reached = {tree.walk(path).outcome.runbook for path in tree.all_paths()}
    assert reached == {r.id for r in runbook_set.runbooks}
    assert len(tree.all_paths()) == 8


def test_tree_matches_the_appendix_ascii_tree(runbook_set: RunbookSet) -> None:
    """Walk the appendix's drawing and the TOML side by side: same questions, same outcomes."""
    drawing = next(iter_blocks(runbook_set.appendix[-1].blocks, CommandBlock)).code
    questions = re.findall(r"(?:^|→ )([A-Z][^?\n→]*\?)", drawing, flags=re.M)
    outcomes = re.findall(r"Use ([A-Z -]+) runbook", drawing)
    tree = load_tree(BUNDLED_DIR / TREE_FILE)
    assert sorted({q.question for q in tree.questions.values()}) == sorted(set(questions))
    assert sorted(
        o.text.removeprefix("Use ").removesuffix(" runbook") for o in tree.outcomes.values()
    ) == sorted(outcomes)
    assert tree.walk([True, True]).outcome.runbook == "disaster-recovery"
    assert tree.walk([False, False, False, False]).outcome.runbook == "standard-release"
    assert tree.walk([False, True, False, True]).outcome.runbook == "database-migration"


def test_bad_tree_files_name_the_problem(tmp_path: Path) -> None:
    path = tmp_path / TREE_FILE
    path.write_text(
        'start = "a"\n[nodes.a]\nquestion = "Q?"\nyes = "b"\nno = "c"\n[nodes.b]\nrunbook = "x"\n'
    )
    with pytest.raises(UserError, match=r"nodes\.a leads to unknown node 'c'"):
        load_tree(path)
    path.write_text("start = [")
    with pytest.raises(UserError, match="invalid TOML"):
        load_tree(path)
