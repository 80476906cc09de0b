"""`omniops-tui lint`: the stray fence in the original, a clean bundled copy, the other problems."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from omniops_tui.cli import cli
from omniops_tui.runbooks.lint import lint_text
from omniops_tui.runbooks.loader import BUNDLED_DOCUMENT
from tests.conftest import ORIGINAL_DOCUMENT


def test_original_document_reports_the_stray_fence_with_its_line() -> None:
    problems = lint_text(ORIGINAL_DOCUMENT.read_text(), "orig.md")
    errors = [p for p in problems if p.level == "error"]
    assert len(errors) == 1
    assert errors[0].line == 2780
    assert "## 6. Scaling Up" in errors[0].message
    assert str(errors[0]).startswith("orig.md:2780: error: ")
    assert [p for p in problems if p.level == "warning"] == []


def test_bundled_copy_is_clean() -> None:
    assert [p for p in lint_text(BUNDLED_DOCUMENT.read_text(), "bundled.md") if p.level != "info"] == []


def test_missing_metadata_duplicate_ids_empty_checklists_unclosed_fence() -> None:
    text = "\n".join(
        [
            "## 1. Alpha",
            "",
            "### Prerequisites Checklist",
            "",
            "**Code** (T-1h)",
            "",
            "### Steps",
            "",
            "**1. Do**",
            "",
            "```bash",
            "ls",
            "```",
            "",
            "**1. Do**",
            "",
            "```bash",
            "pwd",
            "```",
            "",
            "## 2. Beta",
            "",
            "### Metadata",
            "- **Risk Level**: Low",
            "",
            "```",
            "## 3. Gamma",
            "",
        ]
    )
    problems = lint_text(text, "t.md")
    messages = [(p.line, p.message) for p in problems]
    levels = {p.message: p.level for p in problems}
    # Metadata is optional: info, never an alarm.
    assert any(line == 1 and "'Alpha' has no metadata" in m and levels[m] == "info" for line, m in messages)
    assert any(line == 3 and "has no '- [ ]' items" in m for line, m in messages)
    assert any(line == 5 and m == "checklist 'Code' has no items" for line, m in messages)
    assert any(line == 15 and "duplicate id 'alpha/step-1-do'" in m for line, m in messages)
    assert any(line == 26 and m.startswith("code fence is never closed") for line, m in messages)
    assert {p.level for p in problems if p.line in (3, 5, 15)} == {"warning"}
    assert {p.level for p in problems if p.line == 26} == {"error"}


def test_lint_command_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    bad = runner.invoke(cli, ["lint", str(ORIGINAL_DOCUMENT)])
    assert bad.exit_code == 1
    assert ":2780: " in bad.output
    good = runner.invoke(cli, ["lint", str(BUNDLED_DOCUMENT)])
    assert good.exit_code == 0, good.output
    # Warnings and infos alone exit 0; lint accepts a folder and reads it recursively.
    folder = tmp_path / "team"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "a.md").write_text(
        "# A\n\n## Steps\n\n```sh\nkubectl rollout undo deployment/<service>\n```\n"
    )
    result = runner.invoke(cli, ["lint", str(folder)])
    assert result.exit_code == 0, result.output
    assert "a.md:5: warning: command has placeholders to fill in before it runs: <service>" in result.output
    quiet = runner.invoke(cli, ["lint", "--level", "error", str(folder)])
    assert "warning" not in quiet.stdout
