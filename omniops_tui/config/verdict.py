"""A config that loaded without an error, remembered: the next start parses it after its first frame.

Parsing the config cost a warm start ~6 ms before its first frame (the config's classes,
tomllib, the secrets' rules): a tenth of what omniops-tui added to a bare Textual app's start
(issue 12), for a first frame that needs only the environment's name. The user's errors must
still be said before the terminal is taken over, as one line and exit 2, and they depend only
on the file's bytes, the code that reads it, the environment asked for (`--env`) and whether
the variables its secrets name are set. So a start that loaded the config without an error
keeps, in the user's cache: the file's size and modification time (or that there was none),
the config code's files and the version, the `--env` asked, the environment chosen, the
sessions folder the file names, and the *names* of the variables the environment's secrets
are read from. A start that finds all of them unchanged, and each of those variables set,
trusts that and reads the file once its first frame is out; anything else, and it parses the
file first, as before. No value of any variable is kept, only names (secrets never reach a
file). Kept as home's index is, in the same cache (config/cache_files.py).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from omniops_tui.config import cache_files

if TYPE_CHECKING:
    from omniops_tui.config.model import Config, Environment

FORMAT = 1
HERE = Path(__file__).resolve().parent


class Verdict(NamedTuple):
    """What a start needs of a config before its first frame."""

    environment: str  # the chosen environment's name ("" when none is configured)
    sessions_dir: str  # the file's `sessions_dir` ("" when it names none)


def _file_stamp(path: Path) -> tuple[str, int, int]:
    """The config file's path, size and modification time; (path, -1, 0) when there is none."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return str(path), -1, 0
    return str(path), status.st_size, status.st_mtime_ns


def _code_stamp() -> list[tuple[str, int]]:
    return cache_files.code_stamp(sorted(HERE.glob("*.py")))


def verdict_path(path: Path) -> Path:
    return cache_files.cache_path("config", str(path))


def read(path: Path, env: str | None) -> Verdict | None:
    """The verdict on the config at `path` (resolved) for `--env env`, when it still holds."""
    data = cache_files.read(verdict_path(path), FORMAT)
    try:
        if data is None or data["file"] != _file_stamp(path) or data["env"] != (env or ""):
            return None
        if data["code"] != _code_stamp():
            return None
        if not all(os.environ.get(str(name)) for name in data["variables"]):
            return None  # a secret's variable is unset now: the full load says which, and where
        return Verdict(str(data["environment"]), str(data["sessions_dir"]))
    except Exception:  # an odd one: it is only a cache
        return None


def write(path: Path, env: str | None, config: Config, environment: Environment | None) -> None:
    """Remember that the config at `path` loaded without an error (quietly nothing on failure)."""
    from omniops_tui.config.secrets import SECRET_KEYS

    variables = [getattr(environment, key) for key in SECRET_KEYS] if environment is not None else []
    fields = {
        "file": _file_stamp(path),
        "env": env or "",
        "code": _code_stamp(),
        "environment": environment.name if environment is not None else "",
        "sessions_dir": config.sessions_dir or "",
        "variables": [str(name) for name in variables if name],
    }
    cache_files.write(verdict_path(path), FORMAT, fields)
