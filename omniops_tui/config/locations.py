"""Where things live on disk (platformdirs), and the environment variables that move them."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "omniops-tui"
CONFIG_ENV = "OMNIOPS_TUI_CONFIG"
SESSIONS_ENV = "OMNIOPS_TUI_SESSIONS_DIR"


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def default_config_path() -> Path:
    """`$OMNIOPS_TUI_CONFIG`, else `$XDG_CONFIG_HOME/omniops-tui/config.toml`."""
    override = os.environ.get(CONFIG_ENV)
    return Path(override).expanduser() if override else config_dir() / "config.toml"


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def state_dir() -> Path:
    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False))


def default_sessions_dir() -> Path:
    override = os.environ.get(SESSIONS_ENV)
    return Path(override).expanduser() if override else state_dir() / "sessions"
