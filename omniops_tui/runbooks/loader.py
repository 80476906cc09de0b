"""Find and load runbook Markdown: the bundled document, or a team's file or folder.

A folder is searched recursively for `.md` and `.markdown` files (hidden folders and files
skipped, symlink loops reported, not followed forever). One bad file (not UTF-8, empty, a
runbook title another file already uses) is skipped with a one-line warning while the others
load, and the result says so: `N runbooks from M files, K skipped (why)`.

Ids are namespaced by file: a file that is one runbook takes its id from its file name
(qualified by its folder when two files share a name), so two files may both have a
"Diagnosis" section. The bundled document keeps the ids the bindings, the decision tree and
recorded sessions use.
"""

from __future__ import annotations

import errno
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from omniops_tui.core.errors import UserError
from omniops_tui.runbooks.model import RunbookSet

if TYPE_CHECKING:
    from omniops_tui.runbooks.cache import ParsedFile
    from omniops_tui.runbooks.model import PendingFile
from omniops_tui.runbooks.slugs import slugify

BUNDLED_DIR = Path(__file__).parent / "data"
BUNDLED_DOCUMENT = BUNDLED_DIR / "deployment-runbooks.md"
SUFFIXES = (".md", ".markdown")
Progress = Callable[[float, int], None]  # (files read, a fraction within the current one; files)


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One loaded file, with what identifies its content (for replay: same runbooks?)."""

    path: str
    sha256: str
    size: int
    runbooks: int


@dataclass(frozen=True, slots=True)
class LoadWarning:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


@dataclass(slots=True)
class LoadResult:
    """The runbooks of a file or folder, and an honest account of what did not load."""

    runbook_set: RunbookSet
    files: list[SourceFile] = field(default_factory=list)
    skipped: list[LoadWarning] = field(default_factory=list)  # files not loaded, and why
    warnings: list[LoadWarning] = field(default_factory=list)  # loaded, but something to fix

    @property
    def summary(self) -> str:
        count = len(self.runbook_set.runbooks)
        text = (
            f"{count} runbook{'s' * (count != 1)} from {len(self.files)} file{'s' * (len(self.files) != 1)}"
        )
        if self.skipped:
            why = "; ".join(f"{Path(w.path).name}: {w.message}" for w in self.skipped)
            text += f", {len(self.skipped)} skipped ({why})"
        return text


def discover(path: Path, warnings: list[LoadWarning] | None = None) -> list[Path]:
    """The runbook files under `path` (a file, or a folder searched recursively), sorted."""
    if path.is_symlink() and _is_loop(path):
        raise UserError(f"{path}: symlink loop (it points back to itself); point --runbooks at the real file")
    if not path.exists():
        raise UserError(f"{path}: no such runbook file or folder (check --runbooks)")
    if not path.is_dir():
        return [path]
    found: list[Path] = []
    visited: set[tuple[int, int]] = set()
    for folder, dirs, files in os.walk(path, followlinks=True):
        stat = os.stat(folder)
        if (stat.st_dev, stat.st_ino) in visited:
            if warnings is not None:
                warnings.append(
                    LoadWarning(folder, 0, "symlink loop: this folder was already searched; skipped")
                )
            dirs[:] = []
            continue
        visited.add((stat.st_dev, stat.st_ino))
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            candidate = Path(folder) / name
            if name.startswith(".") or not name.lower().endswith(SUFFIXES):
                continue
            if candidate.is_symlink() and _is_loop(candidate):
                if warnings is not None:
                    warnings.append(LoadWarning(str(candidate), 0, "symlink loop; skipped"))
                continue
            if candidate.is_file():
                found.append(candidate)
    return sorted(found, key=lambda p: p.relative_to(path).parts)


def _is_loop(path: Path) -> bool:
    try:
        path.stat()
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UserError(f"{path}: symlink loop (it points back to itself)") from exc
        raise UserError(f"{path}: cannot read runbook file ({exc.strerror})") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc


def load_runbooks(path: Path | None = None) -> RunbookSet:
    """Parse the runbooks; raise `UserError` when nothing loads (skipped files are dropped
    with their warnings in `load_runbook_files`, which callers that can show them use)."""
    return load_runbook_files(path).runbook_set


def load_runbook_files(path: Path | None = None, progress: Progress | None = None) -> LoadResult:
    """Load the bundled document (None) or a team's file or folder, file by file.

    `progress(done, total)` hears the files read so far (a fraction within a large file), for
    a start that shows how far it is.
    Raises `UserError` only when nothing at all can be loaded.
    """
    if path is None:
        return _load([BUNDLED_DOCUMENT], BUNDLED_DIR, {BUNDLED_DOCUMENT: None}, [], progress)
    warnings: list[LoadWarning] = []
    files = discover(path, warnings)
    if not files:
        raise UserError(f"{path}: folder has no .md or .markdown runbook files")
    root = path if path.is_dir() else path.parent
    result = _load(files, root, namespaces(files, root), warnings, progress)
    if not result.runbook_set.runbooks:
        if len(files) == 1 and result.skipped:
            raise UserError(str(result.skipped[0]))
        raise UserError(f"{path}: no runbook could be loaded ({result.summary})")
    return result


def namespaces(files: list[Path], root: Path) -> dict[Path, str | None]:
    """Each file's id: its slugged name, qualified by its folders only when names clash."""
    parts = {f: [slugify(p, 40) for p in f.relative_to(root).with_suffix("").parts] for f in files}
    chosen: dict[Path, str | None] = {}
    taken: set[str] = set()
    for file in files:
        segments = parts[file]
        depth = 1
        while depth < len(segments) and any(
            parts[other][-depth:] == segments[-depth:] for other in files if other != file
        ):
            depth += 1
        wanted = candidate = "-".join(segments[-depth:])
        n = 2
        while candidate in taken:
            candidate, n = f"{wanted}-{n}", n + 1
        taken.add(candidate)
        chosen[file] = candidate
    return chosen


def _load(
    files: list[Path],
    root: Path,
    spaces: dict[Path, str | None],
    warnings: list[LoadWarning],
    progress: Progress | None,
) -> LoadResult:
    from omniops_tui.runbooks.cache import cached_parse
    from omniops_tui.runbooks.deferred import should_defer

    result = LoadResult(RunbookSet(runbooks=[]), warnings=warnings)
    merged = result.runbook_set
    owners: dict[str, str] = {}  # runbook id -> "file:line" that defined it
    for index, file in enumerate(files):
        try:
            data = file.read_bytes()
            within = None if progress is None else _within(progress, index, len(files))
            pending = None
            if should_defer(len(data)):  # titles now, the model on the App's worker
                parsed, pending = _skeleton(file, data, spaces[file])
            else:
                parsed = cached_parse(file, data, spaces[file], file.stem, within)
        except (OSError, UserError) as exc:
            message = exc.message.split(": ", 1)[-1] if isinstance(exc, UserError) else exc.strerror
            result.skipped.append(LoadWarning(str(file), 0, message or "cannot be read"))
            continue
        if not data.strip():
            result.skipped.append(LoadWarning(str(file), 0, "empty file"))
            continue
        clash = next((r for r in parsed.runbook_set.runbooks if r.id in owners), None)
        if clash is not None:
            result.skipped.append(
                LoadWarning(
                    str(file),
                    clash.line,
                    f"runbook id '{clash.id}' is already used by {owners[clash.id]}; rename one heading",
                )
            )
            continue
        for runbook in parsed.runbook_set.runbooks:
            owners[runbook.id] = f"{file}:{runbook.line}"
        if pending is not None:
            from omniops_tui.runbooks.model import Loading

            merged.loading = merged.loading or Loading()
            merged.loading.add(pending)
        _merge(merged, parsed.runbook_set, file, root)
        result.warnings.extend(LoadWarning(str(file), line, message) for line, message in parsed.warnings)
        result.files.append(
            SourceFile(
                str(file), hashlib.sha256(data).hexdigest(), len(data), len(parsed.runbook_set.runbooks)
            )
        )
        if progress is not None:
            progress(index + 1, len(files))
    return result


def _skeleton(file: Path, data: bytes, namespace: str | None) -> tuple[ParsedFile, PendingFile]:
    """A large file as one placeholder runbook (its titles and its model come on the App's
    thread), and what its scan and parse will need."""
    from omniops_tui.runbooks.cache import ParsedFile
    from omniops_tui.runbooks.model import PendingFile
    from omniops_tui.runbooks.skeleton import placeholder

    try:  # tens of milliseconds for 50 MB: a file that is not text fails now, as a whole load would
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{file}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc
    stubs = placeholder(str(file), namespace, file.stem)
    pending = PendingFile(file, namespace, file.stem, len(data), stubs.documents[0], list(stubs.runbooks))
    return ParsedFile(stubs), pending


def _within(progress: Progress, index: int, total: int) -> Callable[[float], None]:
    return lambda fraction: progress(index + fraction, total)


def _merge(merged: RunbookSet, parsed: RunbookSet, file: Path, root: Path) -> None:
    merged.runbooks.extend(parsed.runbooks)
    merged.overview = merged.overview or parsed.overview
    merged.preamble.extend(parsed.preamble)
    merged.appendix.extend(parsed.appendix)
    merged.sources.append(str(file))
    for document in parsed.documents:
        folder = file.parent.relative_to(root) if file.is_relative_to(root) else Path()
        document.folder = "" if str(folder) == "." else str(folder)
        merged.documents.append(document)


def logic_dir(path: Path | None) -> Path:
    """Where the TOML beside the runbooks lives (decision tree, bindings)."""
    if path is None:
        return BUNDLED_DIR
    return path if path.is_dir() else path.parent
