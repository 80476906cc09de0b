"""Writing files that hold session contents: private, never through a symlink, never over a
file the engineer cares about by accident.

Exports, post-mortem drafts and diagnostics hold what a session recorded (hosts, queries,
evidence): like the sessions themselves they are created 0600 in folders created 0700.
`write_new` creates a file that must not exist yet (`O_EXCL`), `write_replacing` replaces one
only when asked (`--force`) by renaming a fresh private file over it, and neither ever writes
through a symbolic link (`O_NOFOLLOW`, or a refusal): a link planted in a shared folder cannot
turn an export into an overwrite of someone's `~/.bashrc`. `write_fresh` picks a new name
(`draft.md`, `draft-2.md` …) so a draft someone edited is never overwritten.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from omniops_tui.core.errors import UserError

FILE_MODE = 0o600
DIR_MODE = 0o700
_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) as 0700; an existing folder is left as it is."""
    try:
        path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    except FileExistsError as exc:
        raise UserError(f"{path}: exists and is not a folder") from exc
    except OSError as exc:
        raise UserError(f"{path}: cannot create the folder ({exc.strerror})") from exc
    return path


def write_new(path: Path, text: str) -> Path:
    """Create `path` with `text`, 0600; FileExistsError when anything (a link too) is there.
    A write that fails (a full disk) removes the file it created: no empty or half draft stays
    behind to be taken for the engineer's."""
    fd = os.open(path, _NEW, FILE_MODE)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
    except BaseException:
        path.unlink(missing_ok=True)  # ours: O_EXCL created it
        raise
    return path


def write_replacing(path: Path, text: str) -> Path:
    """Write `text` to `path`, replacing a regular file there: a private temporary file in the
    same folder, renamed over it (atomic; never opened through a link; 0600 whatever the old
    file's mode was)."""
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return path


def write_fresh(path: Path, text: str) -> Path:
    """Create `path`, or `stem-2.suffix`, `stem-3.suffix` … the first name not taken."""
    for number in range(1, 1000):
        candidate = path if number == 1 else path.with_name(f"{path.stem}-{number}{path.suffix}")
        try:
            return write_new(candidate, text)
        except FileExistsError:
            continue
    raise UserError(f"{path}: too many files of that name; move some away")


def same_file(a: Path, b: Path) -> bool:
    """Do `a` and `b` name the same file (the same path, a hard link, or through a link)?"""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def check_output(path: Path, *, force: bool = False, protect: tuple[Path, ...] = ()) -> None:
    """The refusals of `-o PATH [--force]` (a `UserError` each), so a command can check before
    doing the work; `write_output` checks again when it writes.

    - never one of `protect` (the session being exported), even with `force`;
    - never through a symbolic link, even with `force`;
    - never a folder; an existing file only with `force`.
    """
    for guarded in protect:
        if same_file(path, guarded):
            raise UserError(f"{path}: is the session being exported; write the export to another file")
    if path.is_symlink():
        raise UserError(
            f"{path}: is a symbolic link; not writing through it (remove it or choose another path)"
        )
    if path.is_dir():
        raise UserError(f"{path}: is a folder; give a file name")
    if path.exists() and not force:
        raise UserError(f"{path}: already exists; not overwriting it (use --force to replace it)")


def write_output(path: Path, text: str, *, force: bool = False, protect: tuple[Path, ...] = ()) -> Path:
    """Write an export to `path` as `-o PATH [--force]` promises (see `check_output`): created
    0600, a missing parent folder created 0700, an existing file replaced only with `force`."""
    check_output(path, force=force, protect=protect)
    private_dir(path.parent)
    try:
        if force and path.exists():
            return write_replacing(path, text)
        return write_new(path, text)
    except FileExistsError as exc:
        raise UserError(f"{path}: already exists; not overwriting it (use --force to replace it)") from exc
    except OSError as exc:
        raise UserError(f"{path}: cannot write ({exc.strerror})") from exc
