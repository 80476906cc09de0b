"""Find and load runbook Markdown: the bundled document, or a team's file or folder."""

from __future__ import annotations

from pathlib import Path

from omniops_tui.core.errors import UserError
from omniops_tui.runbooks.model import RunbookSet

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
        parsed = _cached_parse(file)
        if not parsed.runbooks and path is not None and (path.is_file() or len(runbook_files(path)) == 1):
            raise UserError(f"{file}: no runbooks found (a runbook starts with a '## 1. Title' heading)")
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


def _cached_parse(file: Path) -> RunbookSet:
    """Parse a runbook file, reusing the result of an earlier start when the file is unchanged.

    The app is opened in a hurry: parsing the bundled document costs ~40 ms of a start-up that
    should stay close to a bare Textual app's. The cache key is the file's path, size,
    modification time and this tool's version; anything odd about the cache means a fresh parse.
    """
    import hashlib
    import pickle

    import platformdirs

    from omniops_tui import __version__

    here = Path(__file__).parent
    try:
        stat = file.stat()
        # The parser's own files are part of the key: a changed parser never serves an old model.
        code = "|".join(str((here / name).stat().st_mtime_ns) for name in ("parser.py", "model.py"))
        key = hashlib.sha256(
            f"{file.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{__version__}|{code}".encode()
        ).hexdigest()[:32]
        cache = Path(platformdirs.user_cache_dir("omniops-tui", appauthor=False)) / f"runbooks-{key}.pickle"
    except OSError:
        cache = None
    if cache is not None and cache.exists():
        try:
            with open(cache, "rb") as handle:
                cached = pickle.load(handle)
            if isinstance(cached, RunbookSet):
                return cached
        except Exception:  # a stale or corrupt cache is only a cache
            pass
    from omniops_tui.runbooks.parser import parse_markdown

    parsed = parse_markdown(read_text(file), str(file)).runbooks
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            temporary = cache.with_suffix(".tmp")
            with open(temporary, "wb") as handle:
                pickle.dump(parsed, handle, protocol=pickle.HIGHEST_PROTOCOL)
            temporary.replace(cache)
        except OSError:
            pass
    return parsed


def logic_dir(path: Path | None) -> Path:
    """Where the TOML beside the runbooks lives (decision tree, bindings)."""
    if path is None:
        return BUNDLED_DIR
    return path if path.is_dir() else path.parent
