"""`omniops-tui lint`: the stray fence in the original, a clean bundled copy, the other problems."""

from __future__ import annotations

import re
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


def test_a_large_file_is_linted_as_a_stream_with_true_line_numbers(tmp_path: Path, monkeypatch) -> None:
    """Past STREAM_BYTES a file is read and linted chunk by chunk (memory of one chunk, problems
    as they are found); the problems and their lines are those of the whole-file lint."""
    from omniops_tui.runbooks import lint

    text = ORIGINAL_DOCUMENT.read_text(encoding="utf-8")  # it has a stray fence
    text += "\n## Extra\n\n```bash\nkubectl rollout undo deployment/<service>\n```\n"
    text += "\n### Check\n\nOne.\n\n### Check\n\nTwice: a duplicate id.\n"
    path = tmp_path / "big.md"
    path.write_text(text * 3, encoding="utf-8")
    whole = [p for p in lint.lint_text(text * 3, str(path)) if p.level != "info"]
    monkeypatch.setattr(lint, "STREAM_BYTES", 20_000)  # several chunks for a 400 kB file
    streamed = list(lint.iter_lint([path]))
    key = lambda p: (p.line, p.level, p.message.split(":")[0])  # noqa: E731
    assert {key(p) for p in whole if p.level == "error"} == {key(p) for p in streamed if p.level == "error"}
    placeholders = [key(p) for p in streamed if "placeholders" in p.message]
    assert placeholders == [key(p) for p in whole if "placeholders" in p.message]
    assert len([p for p in streamed if p.level == "error"]) == 3  # one stray fence per copy
    lines = (text * 3).splitlines()
    quoted = [int(n) for p in streamed for n in re.findall(r"first used at line (\d+)", p.message)]
    assert quoted and all(lines[n - 1].startswith("#") for n in quoted)  # the file's lines, too


def test_lint_of_a_large_file_yields_its_first_finding_before_reading_the_rest(
    tmp_path: Path, monkeypatch
) -> None:
    """Streaming is behaviour: the first problem comes out while most of the file is unread,
    and the CLI prints it then (not all at the end); exit codes are unchanged."""
    from omniops_tui.runbooks import lint

    text = ORIGINAL_DOCUMENT.read_text(encoding="utf-8")  # a stray fence: an error per copy
    path = tmp_path / "big.md"
    path.write_text(text * 6, encoding="utf-8")
    monkeypatch.setattr(lint, "STREAM_BYTES", 20_000)
    chunks: list[int] = []
    real = lint.lint_text
    monkeypatch.setattr(lint, "lint_text", lambda t, p, **kw: chunks.append(1) or real(t, p, **kw))
    problems = lint.iter_lint([path])
    first = next(problems)
    read_at_first = len(chunks)
    rest = list(problems)
    assert first.path == str(path) and read_at_first < len(chunks) / 3  # in the first copy of six
    assert len([p for p in [first, *rest] if p.level == "error"]) == 6

    printed: list[tuple[str, int]] = []  # (line printed, chunks linted when it was printed)
    monkeypatch.setattr(
        "click.echo", lambda message=None, err=False, **kw: printed.append((str(message), len(chunks)))
    )
    chunks.clear()
    result = CliRunner().invoke(cli, ["lint", str(path)])
    assert result.exit_code == 1
    findings = [when for line, when in printed if ": error: " in line]
    assert findings[0] < findings[-1] == len(chunks)  # the first printed long before the last chunk
