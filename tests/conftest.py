"""Shared fixtures: the bundled runbooks, a throwaway sessions folder, an isolated environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from omniops_tui.runbooks import load_runbooks
from omniops_tui.runbooks.model import RunbookSet

ORIGINAL_DOCUMENT = Path(__file__).parent / "fixtures" / "deployment-runbooks.original.md"


# Find PostgreSQL and Redis, or start throwaway ones, before any other conftest or test module
# reads OMNIOPS_TEST_DATABASE_URL / OMNIOPS_TEST_REDIS_URL (this file is imported first).
from tests.services import PROBLEMS, ensure_services  # noqa: E402

ensure_services()


def pytest_report_header(config: pytest.Config) -> list[str]:
    import os

    from tests.services import DATABASE_ENV, REDIS_ENV

    lines = [f"PostgreSQL: {os.environ[DATABASE_ENV]}", f"Redis: {os.environ[REDIS_ENV]}"]
    return lines + [f"problem: {problem}" for problem in PROBLEMS]


@pytest.fixture(scope="session")
def runbook_set() -> RunbookSet:
    return load_runbooks(None)


@pytest.fixture
def sessions_dir(tmp_path: Path) -> Path:
    path = tmp_path / "sessions"
    path.mkdir()
    return path


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real user's config or sessions."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.delenv("OMNIOPS_TUI_CONFIG", raising=False)
    monkeypatch.delenv("OMNIOPS_TUI_SESSIONS_DIR", raising=False)
