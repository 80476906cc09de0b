"""Issue 11: any team's Markdown — structure, lists, folders, what belongs to the bundled logic."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from omniops_tui.cli import cli
from omniops_tui.core.errors import UserError
from omniops_tui.runbooks.bundle import load_runbook_bundle, search_runbooks
from omniops_tui.runbooks.lint import lint_text
from omniops_tui.runbooks.loader import BUNDLED_DIR, load_runbook_files
from omniops_tui.runbooks.model import ChecklistGroup, CommandBlock, MarkdownBlock, Step, iter_blocks
from omniops_tui.runbooks.outline import outline
from omniops_tui.runbooks.parser import parse_markdown

FIXTURES = Path(__file__).parent / "fixtures" / "real-shapes"


def one(text: str, name: str = "file"):
    result = parse_markdown(text, f"{name}.md", namespace=name, default_title=name)
    [runbook] = result.runbooks.runbooks
    return runbook, result


def items_of(runbook):
    return runbook.checklist_items()


# ---------------------------------------------------------------------------- structure
def test_title_from_front_matter_then_h1_then_file_name() -> None:
    runbook, _ = one("---\ntitle: From Front Matter\nowner: team-a\n---\n# Heading\n\n## A\n\nx\n")
    assert runbook.title == "From Front Matter" and runbook.metadata.owner == "team-a"
    assert runbook.front_matter == {"title": "From Front Matter", "owner": "team-a"}
    assert not any("title:" in b.text for s in runbook.sections for b in iter_blocks(s.blocks, MarkdownBlock))
    assert one("# Only Heading\n\n## A\n\nx\n")[0].title == "Only Heading"
    assert one("## A\n\nx\n\n## B\n\ny\n", "my-notes")[0].title == "my-notes"


def test_toml_front_matter_and_bom() -> None:
    runbook, result = one(
        '\ufeff+++\ntitle = "T"\ntags = ["a", "b"]\nrisk = "High"\n+++\n\n## Steps\n\nGo.\n'
    )
    assert (runbook.title, runbook.tags, runbook.risk_level) == ("T", ["a", "b"], "high")
    assert result.warnings == []


def test_sections_are_the_top_level_and_deeper_headings_nest() -> None:
    runbook, _ = one("# T\n\nIntro.\n\n## A\n\n### A1\n\n#### A1a\n\n##### Deep\n\ntext\n\n## B\n")
    assert [s.title for s in runbook.sections] == ["Overview", "A", "B"]
    entries = [(e.depth, e.title) for e in outline(runbook)]
    assert entries == [(0, "Overview"), (0, "A"), (1, "A1"), (2, "A1a"), (0, "B")]
    assert (3, "Deep") in [(e.depth, e.title) for e in outline(runbook, max_level=6)]


def test_numbered_h1_runbooks_and_numbered_steps_in_one_runbook() -> None:
    multi = parse_markdown(
        "# 1. Alpha\n\n## Metadata\n\n## Steps\n\n# 2. Beta\n\n## Steps\n\n## Verify\n"
    ).runbooks
    assert [(r.number, r.title) for r in multi.runbooks] == [("1", "Alpha"), ("2", "Beta")]
    steps, _ = one("# Service down\n\n## 1. Check hosts\n\ntext\n\n## 2. Check logs\n\nmore\n")
    assert [s.title for s in steps.sections] == ["1. Check hosts", "2. Check logs"]


def test_text_around_runbooks_is_kept_and_reachable() -> None:
    text = "# Doc\n\nIntro.\n\n## 1. A\n\n### Steps\n\n### More\n\n## Sign-off\n\nIf NO → Do not launch.\n"
    parsed = parse_markdown(text, "d.md", namespace="d").runbooks
    [document] = parsed.documents
    assert document.title == "Doc"
    assert [s.title for s in document.preamble] == ["Introduction"]
    assert [s.title for s in document.appendix] == ["Sign-off"]
    assert document.appendix[0].id == "d/appendix/sign-off"
    assert "If NO → Do not launch." in document.appendix[0].blocks[0].text


# ------------------------------------------------------------------------------- lists
def test_nested_task_lists_are_tickable_children_with_detail() -> None:
    runbook, _ = one(
        "## C\n\n- [ ] Parent\n  - [ ] Child A\n  - [x] Child B\n    continuation\n  - a sub-bullet\n"
        "* [ ] star\n+ [ ] plus\n\n1. [ ] ordered\n"
    )
    items = items_of(runbook)
    assert [(i.text, i.depth) for i in items] == [
        ("Parent", 0),
        ("Child A", 1),
        ("Child B\ncontinuation", 1),
        ("star", 0),
        ("plus", 0),
        ("ordered", 0),
    ]
    assert items[1].parent_id == items[0].id and items[2].initially_checked
    assert [d.text for d in items[0].detail] == ["- a sub-bullet"]


def test_a_thousand_levels_keep_every_item_without_recursion_error() -> None:
    text = "## Deep\n\n" + "\n".join("  " * i + f"- [ ] item {i}" for i in range(1000)) + "\n"
    box: dict = {}

    def parse() -> None:  # a thread's small stack: the recursion limit is what would bite
        box["items"] = items_of(one(text)[0])

    worker = threading.Thread(target=parse)
    worker.start()
    worker.join()
    items = box["items"]
    assert [i.text for i in items] == [f"item {i}" for i in range(1000)]
    assert [i.depth for i in items] == list(range(1000))
    assert json.dumps(parse_markdown(text).runbooks.to_dict())  # the JSON model is flat enough too


def test_mixed_lists_keep_their_order() -> None:
    runbook, _ = one("## C\n\n- [ ] first\n- plain note\n- [ ] second\n")
    blocks = runbook.sections[0].blocks
    assert [type(b).__name__ for b in blocks] == ["ChecklistGroup", "MarkdownBlock", "ChecklistGroup"]
    assert blocks[1].text == "- plain note"


def test_ticked_boxes_in_every_list_form_and_mixed_with_plain_bullets() -> None:
    """`- [x]` / `[X]`, with `*`, `+` and `1.` markers, between plain bullets: each box keeps
    its own state and every plain bullet stays text (issue 9 E: a parser that ignored `[x]`
    or took plain bullets for items went unnoticed)."""
    runbook, _ = one(
        "## C\n\n- [x] done lower\n- [X] done upper\n- plain between\n- [ ] open\n"
        "* [x] star done\n+ [ ] plus open\n\n1. [x] ordered done\n2. [ ] ordered open\n\n"
        "- plain first\n- [x] after plain\n"
    )
    items = items_of(runbook)
    assert [(i.text, i.initially_checked) for i in items] == [
        ("done lower", True),
        ("done upper", True),
        ("open", False),
        ("star done", True),
        ("plus open", False),
        ("ordered done", True),
        ("ordered open", False),
        ("after plain", True),
    ]
    texts = [b.text for b in runbook.sections[0].blocks if type(b).__name__ == "MarkdownBlock"]
    assert texts == ["- plain between", "- plain first"]


def test_commands_inside_list_items_are_titled_steps() -> None:
    runbook, _ = one(
        "## Diagnosis\n\n1. Check the pods:\n\n   ```console\n   $ oc get pods\n   ```\n\n"
        "2. Remove the stuck pod\n\n   ```\n   kubectl delete pod <pod>\n   ```\n\n3. Done.\n"
    )
    steps = [b for b in runbook.sections[0].blocks if isinstance(b, Step)]
    assert [(s.number, s.title) for s in steps] == [("1", "Check the pods:"), ("2", "Remove the stuck pod")]
    assert steps[0].blocks[0].code == "$ oc get pods" and not steps[0].blocks[0].destructive
    assert steps[1].blocks[0].destructive
    assert runbook.sections[0].blocks[-1].text == "3. Done."


def test_checklist_title_only_from_a_short_label_and_bold_parenthesis_kept() -> None:
    runbook, _ = one("## S\n\nAfter deploy, verify:\n\n- [ ] a\n\n![flow](img/flow.png)\n\n- [ ] b\n")
    groups = list(runbook.checklist_groups())
    assert [g.title for g in groups] == ["After deploy, verify", "Overview"]  # "## S" alone titles the file
    assert any("img/flow.png" in b.text for b in runbook.sections[0].blocks if isinstance(b, MarkdownBlock))
    step = one("## S\n\n**Check first** (read only):\n\n```sh\nls\n```\n")[0].steps()[0]
    assert step.title == "Check first (read only)"


def test_reference_links_and_placeholders() -> None:
    runbook, _ = one(
        "## S\n\nDefrag as [described here][defrag].\n\nRun `x` on deployment/<service>.\n\n"
        "- [ ] See [docs][defrag]\n\n[defrag]: https://example.invalid/defrag\n"
    )
    prose = [b for b in iter_blocks(runbook.sections[0].blocks, MarkdownBlock)]
    assert prose[0].references == {"defrag": "https://example.invalid/defrag"}
    assert "[defrag]: <https://example.invalid/defrag>" in prose[0].display
    assert "deployment/\\<service\\>" in prose[1].display and "<service>" in prose[1].text
    assert items_of(runbook)[0].text == "See [docs](https://example.invalid/defrag)"


# ----------------------------------------------------------------------------- folders
def test_folder_discovery_bad_files_and_namespaced_ids(tmp_path: Path) -> None:
    for folder in ("a", "b", ".hidden", "c/deep"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "a" / "alert.md").write_text("# Alert A\n\n## Diagnosis\n\nlook\n")
    (tmp_path / "b" / "alert.markdown").write_text("# Alert B\n\n## Diagnosis\n\nlook\n")
    (tmp_path / ".hidden" / "x.md").write_text("# Hidden\n")
    (tmp_path / "c" / "deep" / "latin1.md").write_bytes(b"# Caf\xe9\n")
    (tmp_path / "c" / "one.md").write_text("## 1. Hotfix\n\n### Steps\n\n### Verify\n")
    (tmp_path / "c" / "two.md").write_text("## 1. Hotfix\n\n### Steps\n\n### Verify\n")
    os.symlink(tmp_path / "c", tmp_path / "c" / "deep" / "loop")
    loaded = load_runbook_files(tmp_path)
    ids = [r.id for r in loaded.runbook_set.runbooks]
    assert ids == ["a-alert", "b-alert", "hotfix"]
    assert {s.id for r in loaded.runbook_set.runbooks[:2] for s in r.sections} == {
        "a-alert/diagnosis",
        "b-alert/diagnosis",
    }
    reasons = {Path(w.path).name: w.message for w in loaded.skipped}
    assert reasons["latin1.md"].startswith("not UTF-8") and "already used by" in reasons["two.md"]
    assert any("symlink loop" in w.message for w in loaded.warnings)
    assert loaded.summary.startswith("3 runbooks from 3 files, 2 skipped (")


def test_35_files_are_35_runbooks_and_the_cli_says_so(tmp_path: Path) -> None:
    for n in range(35):
        (tmp_path / f"r{n:02}.md").write_text(f"# Runbook {n}\n\n## Steps\n\n- [ ] step {n}\n")
    result = CliRunner().invoke(cli, ["--runbooks", str(tmp_path), "runbooks", "--json"])
    assert result.exit_code == 0, result.output
    assert "35 runbooks from 35 files" in result.stderr
    model = json.loads(result.stdout)
    assert len(model["runbooks"]) == 35 and len(model["documents"]) == 35


def test_symlink_loop_given_as_the_path(tmp_path: Path) -> None:
    loop = tmp_path / "loop.md"
    os.symlink(loop, loop)
    with pytest.raises(UserError, match="symlink loop"):
        load_runbook_files(loop)


def test_runbooks_json_includes_everything() -> None:
    result = CliRunner().invoke(cli, ["--runbooks", str(FIXTURES), "runbooks", "--json"])
    model = json.loads(result.stdout)
    release = next(r for r in model["runbooks"] if r["id"] == "release-checklist")
    assert release["front_matter"]["labels"] == ["release", "process"]
    nested = [
        i for s in release["sections"] for b in s["blocks"] if b["kind"] == "checklist" for i in b["items"]
    ]
    assert any(i["depth"] == 2 and i["initially_checked"] for i in nested)
    team = next(d for d in model["documents"] if d["id"] == "team-deployments")
    assert team["appendix_ids"] == [
        "team-deployments/appendix/sign-off",
        "team-deployments/appendix/contacts",
    ]
    assert model["preamble"] and model["appendix"]


# ------------------------------------------------------------------------------ bundle
def test_bundled_logic_applies_only_to_the_runbooks_it_names(tmp_path: Path) -> None:
    bundled = load_runbook_bundle(None)
    assert bundled.tree_path == BUNDLED_DIR / "decision-tree.toml"
    assert bundled.criteria_path == BUNDLED_DIR / "rollback-criteria.toml"
    assert all(len(s.sha256) == 64 for s in bundled.sources) and len(bundled.sources) == 4
    team = load_runbook_bundle(FIXTURES)
    assert (team.tree_path, team.criteria_path, team.bindings_path) == (None, None, None)
    assert "decision-tree.toml" in team.notices[0]
    (tmp_path / "r.md").write_text("# R\n\n## Steps\n\n- [ ] go\n")
    (tmp_path / "decision-tree.toml").write_text('start = "r"\n[nodes.r]\nrunbook = "r"\n')
    own = load_runbook_bundle(tmp_path)
    assert own.tree_path == tmp_path / "decision-tree.toml" and own.notices == []


def test_search_by_title_and_tags() -> None:
    runbooks = load_runbook_files(FIXTURES).runbook_set.runbooks
    assert next(r.id for r in search_runbooks(runbooks, "cache")) == "cache-flush"
    assert [r.id for r in search_runbooks(runbooks, "network storage")] == ["network-volumefillingup"]


# -------------------------------------------------------------------------------- lint
def test_lint_false_alarms_are_gone() -> None:
    text = (FIXTURES / "release-checklist.md").read_text()
    problems = lint_text(text, "release.md")
    assert not [p for p in problems if "duplicate" in p.message]  # T-4 Hours vs T+4 Hours
    assert not [p for p in problems if "Checklist Metrics" in p.message]
    assert not [p for p in problems if p.level == "error"]


def test_lint_reports_text_the_model_does_not_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    """A deliberately broken parser (it drops every table) is caught by lint."""
    from omniops_tui.runbooks import content

    monkeypatch.setattr(content.ContentMixin, "_table", lambda self, block: None)
    problems = lint_text("# T\n\n## S\n\n| a | b |\n|---|---|\n| secret row | 2 |\n", "t.md")
    assert [(p.line, p.level) for p in problems if "does not reach" in p.message] == [
        (5, "error"),
        (7, "error"),
    ]


def test_bundled_items_are_unchanged_and_unticked() -> None:
    items = load_runbook_files(None).runbook_set.all_items()
    assert len(items) == 222 and not any(i.initially_checked or i.depth or i.detail for i in items)
    assert isinstance(
        next(iter_blocks(load_runbook_files(None).runbook_set.appendix[-1].blocks, CommandBlock)),
        CommandBlock,
    )
    assert ChecklistGroup


def test_a_large_text_reports_its_progress_and_loads_the_same(monkeypatch) -> None:
    """Chunked parsing (a large file) tells how far it is, and builds the same model."""
    from omniops_tui.runbooks import blocks
    from omniops_tui.runbooks.loader import BUNDLED_DOCUMENT

    text = BUNDLED_DOCUMENT.read_text(encoding="utf-8")
    whole = parse_markdown(text, "doc.md")
    monkeypatch.setattr(blocks, "CHUNK_CHARS", 20_000)  # the bundled document reads as "large"
    seen: list[float] = []
    chunked = parse_markdown(text, "doc.md", progress=seen.append)
    assert len(seen) > 2 and seen == sorted(seen) and seen[-1] == 1.0
    assert [i.id for i in chunked.runbooks.all_items()] == [i.id for i in whole.runbooks.all_items()]
    # The shape came from the line scan, not a second markdown-it pass: the same model.
    assert chunked.runbooks.to_dict() == whole.runbooks.to_dict()


def test_large_runbooks_load_with_a_progress_line_and_errors_stay_one_line(tmp_path: Path) -> None:
    import io

    from omniops_tui.options import Options
    from omniops_tui.ui.loading import load_with_progress

    folder = tmp_path / "team"
    folder.mkdir()
    (folder / "drill.md").write_text("# Drill\n\n## Steps\n\n- [ ] One\n- [ ] Two\n")
    out = io.StringIO()
    options = Options(runbooks=folder, sessions_dir=tmp_path / "sessions")
    assert load_with_progress(options, None, out=out) is None  # small and not a terminal: as before
    session = load_with_progress(options, None, out=out, force=True)
    assert session is not None and session.setup.runbooks.get("drill") is not None
    assert "Loading runbooks:" in out.getvalue()
    session.recorder.close()
    missing = Options(runbooks=tmp_path / "nowhere", sessions_dir=tmp_path / "sessions")
    with pytest.raises(UserError, match="no such runbook file or folder"):
        load_with_progress(missing, None, out=out, force=True)
