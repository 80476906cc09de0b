"""Parse a runbook file once per content: later starts reuse the model from a cache file.

The app is opened in a hurry, and a team's folder may hold dozens of files. The cache key is
the file's content hash, the id namespace it is loaded under, this tool's version and the
parser's own source files, so a changed file or parser never serves an old model; anything odd
about the cache means a fresh parse.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from omniops_tui.core.errors import UserError
from omniops_tui.runbooks.model import RunbookSet

HERE = Path(__file__).parent


@dataclass(slots=True)
class ParsedFile:
    runbook_set: RunbookSet
    warnings: list[tuple[int, str]] = field(default_factory=list)


Load = Callable[[Path], ParsedFile]
Dump = Callable[[ParsedFile, IO[bytes]], None]


def _load_whole(path: Path) -> ParsedFile:
    with open(path, "rb") as handle:
        cached = pickle.load(handle)
    if not isinstance(cached, ParsedFile):
        raise TypeError(f"{path}: not a parsed runbook file")
    return cached


def _dump_whole(parsed: ParsedFile, handle: IO[bytes]) -> None:
    pickle.dump(parsed, handle, protocol=pickle.HIGHEST_PROTOCOL)


def cached_parse(
    file: Path,
    data: bytes,
    namespace: str | None,
    default_title: str,
    progress: Callable[[float], None] | None = None,
    *,
    suffix: str = "",
    load: Load = _load_whole,
    dump: Dump = _dump_whole,
) -> ParsedFile:
    """The parsed model of `data` (the bytes of `file`); `UserError` when it is not UTF-8.

    `suffix`, `load` and `dump`: another layout of the same cache entry (piece_cache.py writes
    a large model in pieces so the UI runs between them); the key and the rules are the same."""
    cache = _cache_path(data, namespace, default_title, str(file))
    if cache is not None and suffix:
        cache = cache.with_suffix(suffix)
    if cache is not None and cache.exists():
        try:
            return load(cache)
        except Exception:  # a stale or corrupt cache is only a cache
            pass
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{file}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc
    from omniops_tui.runbooks.parser import parse_markdown

    result = parse_markdown(
        text, str(file), namespace=namespace, default_title=default_title, progress=progress
    )
    parsed = ParsedFile(result.runbooks, result.warnings)
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            temporary = cache.with_suffix(f".{hashlib.sha256(str(file).encode()).hexdigest()[:8]}.tmp")
            with open(temporary, "wb") as handle:
                dump(parsed, handle)
            temporary.replace(cache)
        except (OSError, pickle.PicklingError, RecursionError):
            pass
    return parsed


def _cache_path(data: bytes, namespace: str | None, default_title: str, source: str) -> Path | None:
    from omniops_tui import __version__
    from omniops_tui.config.locations import cache_dir

    try:
        code = "|".join(f"{p.name}:{p.stat().st_mtime_ns}" for p in sorted(HERE.glob("*.py")))
    except OSError:
        return None
    digest = hashlib.sha256(data)
    digest.update(f"|{namespace}|{default_title}|{source}|{__version__}|{code}".encode())
    return cache_dir() / f"runbooks-{digest.hexdigest()[:32]}.pickle"
