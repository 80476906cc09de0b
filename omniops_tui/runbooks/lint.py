"""`omniops-tui lint`: what makes a runbook lie to its reader, at three levels.

- **error**: content the tool would lose or swallow (a stray or unclosed fence turns the rest
  of the file into code; a line the model does not hold; a file it cannot read).
- **warning**: what still loads but will bite (duplicate ids, boxes that cannot be ticked,
  empty checklists, commands with `<placeholders>` to fill in, front matter that does not
  parse, checks in a team's bindings that run commands on hosts).
- **info**: what is optional (no metadata) or deliberately hidden (HTML comments).

Only errors make the exit code 1. Problems are yielded file by file so the CLI prints as it
goes, even through a folder of hundreds of files or one of 50 MB.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from omniops_tui.core.errors import UserError
from omniops_tui.runbooks.blocks import CHUNK_CHARS, file_chunks
from omniops_tui.runbooks.coverage import unheld_lines
from omniops_tui.runbooks.inline import PLACEHOLDER
from omniops_tui.runbooks.loader import BUNDLED_DIR, LoadWarning, discover, read_text
from omniops_tui.runbooks.model import CommandBlock, MarkdownBlock, RunbookSet, iter_blocks
from omniops_tui.runbooks.parser import ParseResult, parse_markdown

STREAM_BYTES = CHUNK_CHARS  # a file larger than this is linted as a stream of chunks
Level = Literal["error", "warning", "info"]
LEVELS: tuple[Level, ...] = ("error", "warning", "info")
MARKUP_LANGUAGES = {
    "xml",
    "html",
    "svg",
    "jsx",
    "tsx",
    "vue",
    "java",
    "cs",
    "csharp",
    "cpp",
    "rust",
    "go",
    "ts",
}


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    line: int
    message: str
    level: Level = "error"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.level}: {self.message}"


def lint_text(text: str, path: str, namespace: str | None = None, offset: int = 0) -> list[Problem]:
    """Every problem of one document (or of a chunk starting `offset` lines into it), in line
    order, with the document's line numbers."""
    result = parse_markdown(text, path, namespace=namespace, default_title=Path(path).stem)
    problems = [*_fences(result, path, offset), *_losses(text, result.runbooks, path)]
    problems += _structure(result, path, offset)
    problems += _commands(result.runbooks, path)
    if offset:
        problems = [Problem(p.path, p.line + offset, p.message, p.level) for p in problems]
    return sorted(problems, key=lambda p: (p.line, LEVELS.index(p.level)))


def iter_lint(paths: list[Path]) -> Iterator[Problem]:
    """Problems file by file (folders searched recursively), as soon as each file is read."""
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise UserError(f"{path}: no such file or folder")
        warnings: list[LoadWarning] = []
        files = discover(path, warnings)
        yield from (Problem(w.path, w.line, w.message, "warning") for w in warnings)
        for file in files:
            if _size(file) > STREAM_BYTES:
                yield from _lint_stream(file)
                continue
            try:
                text = read_text(file)
            except UserError as exc:
                yield Problem(str(file), 0, exc.message.split(": ", 1)[-1], "error")
                continue
            yield from lint_text(text, str(file))
        if path.is_dir():
            yield from _bindings(path)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _lint_stream(path: Path) -> Iterator[Problem]:
    """A large file, chunk by chunk as it is read (cut before headings outside fences, where
    no Markdown block spans the cut): time grows with the file, memory stays that of one
    chunk, and problems print while the rest is read. Duplicate ids are found within a chunk."""
    name = str(path)
    try:
        with path.open(encoding="utf-8-sig") as stream:
            for first, text in file_chunks(stream, STREAM_BYTES):
                yield from lint_text(text, name, offset=first)
    except UnicodeDecodeError as exc:
        yield Problem(name, 0, f"not UTF-8 text (byte {exc.start} of a chunk); save it as UTF-8", "error")
    except OSError as exc:
        yield Problem(name, 0, f"cannot read runbook file ({exc.strerror})", "error")


def lint_paths(paths: list[Path]) -> list[Problem]:
    return list(iter_lint(paths))


def _fences(result: ParseResult, path: str, offset: int = 0) -> Iterator[Problem]:
    for fence in result.fence_problems:
        shown = ", ".join(f"'{h}'" for h in fence.swallowed[:3])
        more = f" and {len(fence.swallowed) - 3} more" if len(fence.swallowed) > 3 else ""
        if fence.unclosed and not fence.swallowed:
            yield Problem(path, fence.line, "code fence is never closed: the rest of the file is code")
            continue
        what = (
            "code fence is never closed"
            if fence.unclosed
            else f"code fence (closed at line {fence.end_line + offset}) looks stray or unclosed"
        )
        yield Problem(
            path,
            fence.line,
            f"{what}: it swallows headings {shown}{more} into a code block; "
            "remove the stray ``` or close the fence where the code ends",
        )


def _losses(text: str, runbook_set: RunbookSet, path: str) -> Iterator[Problem]:
    for line, content in unheld_lines(text, runbook_set):
        yield Problem(path, line, f"this text does not reach the runbook model: {content.strip()[:60]!r}")
    for section in [*runbook_set.preamble, *runbook_set.appendix] + [
        s for r in runbook_set.runbooks for s in r.sections
    ]:
        for block in iter_blocks(section.blocks, MarkdownBlock):
            if block.text.lstrip().startswith("<!--"):
                yield Problem(path, block.line, "HTML comment: kept, but not shown in the app", "info")


def _structure(result: ParseResult, path: str, offset: int = 0) -> Iterator[Problem]:
    for runbook in result.runbooks.runbooks:
        if runbook.metadata is None and result.shape == "runbooks":
            yield Problem(
                path,
                runbook.line,
                f"runbook '{runbook.title}' has no metadata (optional: a '### Metadata' list or "
                "front matter with duration, risk, owner…)",
                "info",
            )
    for wanted, line, first in result.duplicates:
        yield Problem(
            path,
            line,
            f"duplicate id '{wanted}' (first used at line {first + offset}); "
            "give one of them a distinct title",
            "warning",
        )
    for line, message in result.empty_checklists:
        yield Problem(path, line, message, "warning")
    for line, message in result.warnings:
        yield Problem(path, line, message, "warning")
    runbooks = result.runbooks.runbooks
    if len(runbooks) == 1 and not runbooks[0].sections:
        yield Problem(path, 1, f"runbook '{runbooks[0].title}' has no content", "info")


def _commands(runbook_set: RunbookSet, path: str) -> Iterator[Problem]:
    """Commands with placeholders, in runbooks and in the text around them (an appendix's
    cheat sheet is copied as often as a step's command)."""
    sections = [*runbook_set.preamble, *(s for r in runbook_set.runbooks for s in r.sections)]
    for section in [*sections, *runbook_set.appendix]:
        for block in iter_blocks(section.blocks, CommandBlock):
            if block.language.lower() in MARKUP_LANGUAGES:
                continue
            found = sorted(set(PLACEHOLDER.findall(block.code)))
            if found:
                yield Problem(
                    path,
                    block.line,
                    f"command has placeholders to fill in before it runs: {', '.join(found[:4])}",
                    "warning",
                )


def _bindings(folder: Path) -> Iterator[Problem]:
    """A team's bindings.toml: checks that run commands on its hosts deserve a second look."""
    path = folder / "bindings.toml"
    if folder.resolve() == BUNDLED_DIR.resolve() or not path.is_file():
        return
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        yield Problem(str(path), 0, f"bindings do not load: {exc}", "error")
        return
    lines = path.read_text(encoding="utf-8").splitlines()
    for check_id, check in (data.get("checks") or {}).items():
        if isinstance(check, dict) and "command" in check:
            line = next((n for n, text in enumerate(lines, 1) if text.strip() == f"[checks.{check_id}]"), 0)
            yield Problem(
                str(path),
                line,
                f"check '{check_id}' runs a command on your hosts ({str(check['command'])[:40]!r}); "
                "make sure it only reads",
                "warning",
            )
