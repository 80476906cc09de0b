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
    assert len(problems) == 1
    assert problems[0].line == 2780
    assert "## 6. Scaling Up" in problems[0].message
    assert str(problems[0]).startswith("orig.md:2780: ")


def test_bundled_copy_is_clean() -> None:
    assert lint_text(BUNDLED_DOCUMENT.read_text(), "bundled.md") == []


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
    messages = [(p.line, p.message) for p in lint_text(text, "t.md")]
    assert (
        1,
        "runbook 'Alpha' has no '### Metadata' list (Estimated Duration, Risk Level, "
        "Rollback Difficulty, Best Time, Minimum Team Size)",
    ) in messages
    assert any(line == 3 and "has no '- [ ]' items" in m for line, m in messages)
    assert any(line == 5 and m == "checklist 'Code' has no items" for line, m in messages)
    assert any(line == 15 and "duplicate id 'alpha/step-1-do'" in m for line, m in messages)
    assert any(line == 26 and m.startswith("code fence is never closed") for line, m in messages)


def test_lint_command_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    bad = runner.invoke(cli, ["lint", str(ORIGINAL_DOCUMENT)])
    assert bad.exit_code == 1
    assert ":2780: " in bad.output
    good = runner.invoke(cli, ["lint", str(BUNDLED_DOCUMENT)])
    assert good.exit_code == 0, good.output
    empty = tmp_path / "empty.md"
    empty.write_text("# nothing here\n")
    result = runner.invoke(cli, ["lint", str(empty)])
    assert result.exit_code == 1
    assert "no runbooks found" in result.output
