"""The global command-line options, as one value the CLI, the engine set-up and the tests share."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from omniops_tui.core.errors import UserError

if TYPE_CHECKING:
    from omniops_tui.config.model import Config


@dataclass(frozen=True)
class Options:
    """`--runbooks`, `--sessions-dir`, `--config`, `--env`, `--read-only`."""

    runbooks: Path | None = None
    sessions_dir: Path | None = None
    config: Path | None = None
    env: str | None = None
    read_only: bool = False

    def load_config(self) -> Config:
        from omniops_tui.config.model import load_config

        return load_config(self.config)

    def resolve_sessions_dir(self, config: Config | None = None) -> Path:
        """`--sessions-dir`, else the config's `sessions_dir`, else the user state folder."""
        from omniops_tui.config.locations import default_sessions_dir

        if self.sessions_dir is not None:
            return self.sessions_dir
        if config is not None and config.sessions_dir:
            return Path(config.sessions_dir).expanduser()
        return default_sessions_dir()


def ensure_sessions_dir(sessions_dir: Path) -> None:
    """The sessions folder exists (made if missing) and is a folder; else a `UserError`. Here,
    beside the option, because the TUI checks it before the terminal is taken over and before
    the recorder (and the engine with it) is imported (live/start.py)."""
    if sessions_dir.exists() and not sessions_dir.is_dir():
        raise UserError(f"{sessions_dir}: sessions folder is a file; pass --sessions-dir a folder")
    try:
        sessions_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(
            f"{sessions_dir}: cannot create the sessions folder ({exc.strerror}); "
            "pass --sessions-dir a writable folder"
        ) from exc
