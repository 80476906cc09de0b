"""Everything a session needs to know about its runbooks, decided in one place.

`load_runbook_bundle(path)` loads the Markdown and decides which logic applies to it: a
team's own `decision-tree.toml`, `rollback-criteria.toml` and `bindings.toml` beside its
runbooks are used; otherwise the bundled ones apply only when every runbook they name is
loaded (the bundled tree would recommend runbooks a team does not have). Every file used is
listed with its content hash, so a replay can say which runbook set, tree and criteria the
session ran with. This layer only reads the TOML to see which runbooks it names; the engine
builds the tree and criteria objects from the paths (`logic.decision.load_tree`,
`logic.criteria.load_criteria`).
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from omniops_tui.runbooks.loader import (
    BUNDLED_DIR,
    LoadResult,
    LoadWarning,
    Progress,
    SourceFile,
    load_runbook_files,
    logic_dir,
)
from omniops_tui.runbooks.model import Runbook, RunbookSet

TREE_FILE = "decision-tree.toml"
CRITERIA_FILE = "rollback-criteria.toml"
BINDINGS_FILE = "bindings.toml"


@dataclass(slots=True)
class RunbookBundle:
    runbooks: RunbookSet
    root: Path | None  # the --runbooks path (None: the bundled document)
    tree_path: Path | None  # None: no decision tree for these runbooks (offer search instead)
    criteria_path: Path | None
    bindings_path: Path | None
    sources: list[SourceFile] = field(default_factory=list)  # Markdown and TOML, with hashes
    summary: str = ""
    warnings: list[LoadWarning] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # what the user should know at start


def load_runbook_bundle(path: Path | None = None, progress: Progress | None = None) -> RunbookBundle:
    """The runbooks at `path` (None: bundled) with the logic that belongs to them."""
    return bundle_of(load_runbook_files(path, progress), path)


def bundle_of(loaded: LoadResult, path: Path | None) -> RunbookBundle:
    """The runbooks `loaded` from `path`, with the logic that belongs to them. Apart from the
    loading, because home is painted from the runbooks alone and choosing the logic reads
    three TOML files (live/start.py); nothing here raises for the user to see: a logic file
    that cannot be read names no runbook."""
    ids = {runbook.id for runbook in loaded.runbook_set.runbooks}
    here = logic_dir(path)
    bundle = RunbookBundle(
        runbooks=loaded.runbook_set,
        root=path,
        tree_path=_choose(here, TREE_FILE, ids, _tree_runbooks),
        criteria_path=_choose(here, CRITERIA_FILE, ids, _criteria_runbooks),
        bindings_path=_choose(here, BINDINGS_FILE, ids, _bindings_runbooks, every=False),
        sources=list(loaded.files),
        summary=loaded.summary,
        warnings=[*loaded.skipped, *loaded.warnings],
    )
    for logic in (bundle.tree_path, bundle.criteria_path, bundle.bindings_path):
        if logic is not None:
            data = logic.read_bytes()
            bundle.sources.append(SourceFile(str(logic), hashlib.sha256(data).hexdigest(), len(data), 0))
    if bundle.tree_path is None:
        bundle.notices.append(
            f"No decision tree for these runbooks: add a {TREE_FILE} beside them "
            "(see the bundled one for the format); meanwhile, search the runbooks by title and tags."
        )
    return bundle


def _choose(
    here: Path, name: str, ids: set[str], named: Callable[[Path], set[str]], every: bool = True
) -> Path | None:
    """The team's own file beside its runbooks, else the bundled one when the runbooks it
    names are loaded (all of them, or for bindings any: they are filtered per item)."""
    own = here / name
    if here.resolve() != BUNDLED_DIR.resolve() and own.is_file():
        return own
    bundled = BUNDLED_DIR / name
    wanted = named(bundled)
    applies = wanted <= ids if every else bool(wanted & ids)
    return bundled if wanted and applies else None


def _tree_runbooks(path: Path) -> set[str]:
    nodes = _toml(path).get("nodes", {})
    return {str(node["runbook"]) for node in nodes.values() if isinstance(node, dict) and "runbook" in node}


def _criteria_runbooks(path: Path) -> set[str]:
    return {str(_toml(path).get("runbook", ""))} - {""}


def _bindings_runbooks(path: Path) -> set[str]:
    checks = _toml(path).get("checks", {})
    names: set[str] = set()
    for check in checks.values():
        if isinstance(check, dict):
            for key in ("items", "places"):
                names.update(str(item).split("/", 1)[0] for item in check.get(key, []))
    return names


def _toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def search_runbooks(runbooks: list[Runbook], query: str) -> list[Runbook]:
    """Runbooks whose title, tags, id or when-to-use match every word of `query`, best first
    (title and tag hits before the rest): the wizard's answer when there is no tree."""
    words = [w for w in query.lower().split() if w]
    if not words:
        return list(runbooks)
    scored: list[tuple[int, int, Runbook]] = []
    for index, runbook in enumerate(runbooks):
        strong = " ".join([runbook.title, *runbook.tags, runbook.id]).lower()
        weak = " ".join([*runbook.when_to_use, runbook.when_to_use_summary, runbook.risk]).lower()
        if all(w in strong or w in weak for w in words):
            scored.append((-sum(w in strong for w in words), index, runbook))
    return [runbook for _, _, runbook in sorted(scored, key=lambda s: (s[0], s[1]))]
