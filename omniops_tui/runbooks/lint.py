"""`omniops-tui lint`: the problems that make a runbook document lie to its reader.

A stray code fence is the worst of them: everything after it turns into code and a whole
runbook silently disappears from the screens (the bundled document shipped with one).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from omniops_tui.core.errors import UserError
from omniops_tui.runbooks.loader import read_text
from omniops_tui.runbooks.parser import parse_markdown


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def lint_text(text: str, path: str) -> list[Problem]:
    result = parse_markdown(text, path)
    problems: list[Problem] = []
    for fence in result.fence_problems:
        shown = ", ".join(f"'{h}'" for h in fence.swallowed[:3])
        more = f" and {len(fence.swallowed) - 3} more" if len(fence.swallowed) > 3 else ""
        if fence.unclosed:
            what = "code fence is never closed"
        else:
            what = f"code fence (closed at line {fence.end_line}) looks stray or unclosed"
        problems.append(
            Problem(
                path,
                fence.line,
                f"{what}: it swallows headings {shown}{more} into a code block; "
                "remove the stray ``` or close the fence where the code ends",
            )
        )
    runbooks = result.runbooks.runbooks
    if not runbooks:
        problems.append(Problem(path, 1, "no runbooks found (a runbook starts with '## 1. Title')"))
    for runbook in runbooks:
        if runbook.metadata is None:
            problems.append(
                Problem(
                    path,
                    runbook.line,
                    f"runbook '{runbook.title}' has no '### Metadata' list "
                    "(Estimated Duration, Risk Level, Rollback Difficulty, Best Time, Minimum Team Size)",
                )
            )
    for wanted, line, first in result.duplicates:
        problems.append(
            Problem(
                path,
                line,
                f"duplicate id '{wanted}' (first used at line {first}); give one of them a distinct title",
            )
        )
    for line, message in result.empty_checklists:
        problems.append(Problem(path, line, message))
    return sorted(problems, key=lambda p: p.line)


def lint_paths(paths: list[Path]) -> list[Problem]:
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            raise UserError(f"{path}: is a folder; give lint the .md files (e.g. {path}/*.md)")
        if not path.exists():
            raise UserError(f"{path}: no such file")
        problems.extend(lint_text(read_text(path), str(path)))
    return problems
