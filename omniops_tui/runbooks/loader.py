"""Find and load runbook Markdown: the bundled document, or a team's file or folder."""

from __future__ import annotations

from pathlib import Path

from omniops_tui.errors import UserError
from omniops_tui.runbooks.model import RunbookSet
from omniops_tui.runbooks.parser import parse_markdown

BUNDLED_DIR = Path(__file__).parent / "data"
BUNDLED_DOCUMENT = BUNDLED_DIR / "deployment-runbooks.md"


def runbook_files(path: Path | None) -> list[Path]:
    """The Markdown files behind `--runbooks PATH` (a file, or every `.md` in a folder)."""
    if path is None:
        return [BUNDLED_DOCUMENT]
    if not path.exists():
        raise UserError(f"{path}: no such runbook file or folder (check --runbooks)")
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".md" and p.is_file())
        if not files:
            raise UserError(f"{path}: folder has no .md runbook files")
        return files
    return [path]


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc
    except OSError as exc:
        raise UserError(f"{path}: cannot read runbook file ({exc.strerror})") from exc


def load_runbooks(path: Path | None = None) -> RunbookSet:
    """Parse the runbooks; raise `UserError` when a file is unreadable or holds none."""
    merged = RunbookSet(runbooks=[])
    for file in runbook_files(path):
        result = parse_markdown(read_text(file), str(file))
        parsed = result.runbooks
        if not parsed.runbooks and path is not None and (path.is_file() or len(runbook_files(path)) == 1):
            raise UserError(
                f"{file}: no runbooks found (a runbook starts with a '## 1. Title' heading)"
            )
        known = {r.id for r in merged.runbooks}
        for runbook in parsed.runbooks:
            if runbook.id in known:
                raise UserError(
                    f"{file}:{runbook.line}: runbook id '{runbook.id}' is already defined "
                    "in another file; rename one of the headings"
                )
        merged.runbooks.extend(parsed.runbooks)
        merged.overview = merged.overview or parsed.overview
        merged.preamble.extend(parsed.preamble)
        merged.appendix.extend(parsed.appendix)
        merged.sources.append(str(file))
    if not merged.runbooks:
        raise UserError(f"{path}: no runbooks found in any .md file (a runbook starts with '## 1. Title')")
    return merged


def logic_dir(path: Path | None) -> Path:
    """Where the TOML beside the runbooks lives (decision tree, bindings)."""
    if path is None:
        return BUNDLED_DIR
    return path if path.is_dir() else path.parent
