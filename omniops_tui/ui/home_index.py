"""Home's first frame without the runbook model: the overview's cells, kept in the user's cache.

A warm start is timed against a bare Textual app (issue 12), and the largest part of what
omniops-tui did before its first frame that a bare app does not was the runbook model: its
classes (~10 ms of imports) and the cached model itself (~3 ms to unpickle). Home's table needs
neither, only its cells. So a start that drew home from the model keeps those cells in a small
file, and the next start draws the table from it and reads the model a frame later (the
details below the table, a key, the engine).

An index is used only when it shows what the model would. It names every file and folder the
runbooks came from, with their size and modification time, and the code that made it (the
parser's and the overview's source files, the version); any difference, a symlink in a team's
folder, or anything odd about the file, and the start reads the model before the first frame,
as it did before. It is kept as the config's verdict is (config/cache_files.py). Runbook
titles and cells are in it, never a secret (those are in environment variables, not in
runbooks).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from omniops_tui.config import cache_files

FORMAT = 1
HERE = Path(__file__).resolve().parent
PACKAGE = HERE.parent
# The code that decides what home's cells say: the parser (runbooks/*.py), the overview's rows.
CODE_FILES = ("ui/home_index.py", "ui/screens/home_rows.py")

# One row's cells besides its title: duration, risk as written, its level, rollback, when to
# use, how many checklist items (the "Done" column's total).
RowValues = tuple[str, str, str, str, str, int]
Entry = tuple[str, str, "RowValues | None"]  # key, label, values (None: a group heading)
Stamp = list[tuple[str, int, int]]  # path, size (-1: a folder), mtime in ns


class HomeIndex(NamedTuple):
    columns: list[tuple[str, str, int]]  # label, key, width
    entries: list[Entry]
    first: str  # the first runbook's id, where the cursor starts ("" when none)


def _where(runbooks: Path | None) -> str:
    return "bundled" if runbooks is None else str(runbooks.resolve())


def index_path(runbooks: Path | None) -> Path:
    return cache_files.cache_path("home", _where(runbooks))


def _code_stamp() -> list[tuple[str, int]]:
    files = sorted((PACKAGE / "runbooks").glob("*.py")) + [PACKAGE / name for name in CODE_FILES]
    return cache_files.code_stamp(files)


def _stamp(paths: list[Path], folders: list[Path]) -> Stamp:
    stamp: Stamp = []
    for path in paths:
        status = path.stat()
        stamp.append((str(path), status.st_size, status.st_mtime_ns))
    stamp += [(str(folder), -1, folder.stat().st_mtime_ns) for folder in folders]
    return stamp


def _current(stamp: Stamp) -> bool:
    """Every file and folder as the stamp has it (size and modification time)."""
    for name, size, mtime in stamp:
        status = os.stat(name)
        if status.st_mtime_ns != mtime or (size >= 0 and status.st_size != size):
            return False
    return True


def read(runbooks: Path | None) -> HomeIndex | None:
    """The index of these runbooks when it is certain to show what the model would; else None."""
    data = cache_files.read(index_path(runbooks), FORMAT)
    if data is None:
        return None
    try:
        if data["where"] != _where(runbooks) or data["code"] != _code_stamp():
            return None
        if not _current(data["sources"]):
            return None
        index = HomeIndex(
            [(str(label), str(key), int(width)) for label, key, width in data["columns"]],
            [(str(key), str(label), None if v is None else tuple(v)) for key, label, v in data["entries"]],
            str(data["first"]),
        )
    except Exception:  # an odd one: it is only a cache
        return None
    return index


def sources_of(runbooks: Path | None, files: list[str]) -> tuple[list[Path], list[Path]] | None:
    """The files and folders an index of `runbooks` depends on (`files`: those the loader read
    or skipped): a folder's every subfolder too, whose time changes when a file is added to it.
    None when it cannot tell (a symlink in the folder may point anywhere)."""
    paths = [Path(name).resolve() for name in files]
    if runbooks is None or not runbooks.is_dir():
        return paths, []
    folders = []
    for folder, subfolders, names in os.walk(runbooks):
        here = Path(folder)
        if any((here / name).is_symlink() for name in (*subfolders, *names)):
            return None
        folders.append(here.resolve())
    return paths, folders


def write(runbooks: Path | None, files: list[str], index: HomeIndex) -> None:
    """Keep `index` for the next start; quietly nothing when it cannot (it is only a cache)."""
    try:
        sources = sources_of(runbooks, files)
        stamp = _stamp(*sources) if sources is not None else None
    except OSError:  # a file or folder gone meanwhile
        return
    if stamp is None:
        return
    fields = {
        "where": _where(runbooks),
        "code": _code_stamp(),
        "sources": stamp,
        "columns": [list(column) for column in index.columns],
        "entries": [[key, label, None if v is None else list(v)] for key, label, v in index.entries],
        "first": index.first,
    }
    cache_files.write(index_path(runbooks), FORMAT, fields)
