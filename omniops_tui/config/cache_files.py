"""Small files of our own in the user's cache: a start's shortcuts, each trusted only while
what it was made from is unchanged (home's index, ui/home_index.py; the config's verdict,
config/verdict.py).

A cache is never an error: a missing, odd or unwritable file reads as nothing and writes as
nothing. The files are `marshal` (plain lists, strings and numbers): the standard library's
fastest reader, for files of our own in the user's cache, as trusted as the parse cache's
pickles beside them. Each is replaced whole (a temporary file, then a rename), so two starts
writing at once leave one whole file, never a mix.
"""

from __future__ import annotations

import marshal
import os
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from omniops_tui.config.locations import cache_dir


def cache_path(kind: str, key: str) -> Path:
    """The file of `kind` for `key` (a path, usually): one per key, named by its checksum."""
    return cache_dir() / f"{kind}-{zlib.crc32(key.encode()):08x}.marshal"


def code_stamp(files: Iterable[Path]) -> list[tuple[str, int]]:
    """The version and the modification times of the source `files` that decide what a cache
    file says: a changed parser or screen never reads an old one."""
    from omniops_tui import __version__

    return [(__version__, 0)] + [(str(f), f.stat().st_mtime_ns) for f in files]


def read(path: Path, form: int) -> dict[str, Any] | None:
    """The file's fields when it is one of ours in this `form`; else None."""
    try:
        data = marshal.loads(path.read_bytes())
    except Exception:  # none yet, or not ours
        return None
    return data if isinstance(data, dict) and data.get("format") == form else None


def write(path: Path, form: int, fields: dict[str, Any]) -> None:
    """Keep `fields` at `path` (in this `form`); quietly nothing when it cannot."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(marshal.dumps({"format": form, **fields}))
        temporary.replace(path)
    except (OSError, ValueError):
        return
