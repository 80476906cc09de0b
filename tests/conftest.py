"""Shared fixtures: the bundled runbooks, a throwaway sessions folder, an isolated environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from omniops_tui.runbooks import load_runbooks
from omniops_tui.runbooks.model import RunbookSet

ORIGINAL_DOCUMENT = Path(__file__).parent / "fixtures" / "deployment-runbooks.original.md"


def pytest_report_header(config: pytest.Config) -> list[str]:
    import os

    from tests.services import DATABASE_ENV, DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, REDIS_ENV

    when = "(reached, or started, on first use)"
    return [
        f"PostgreSQL: {os.environ.get(DATABASE_ENV, DEFAULT_DATABASE_URL)} {when}",
        f"Redis: {os.environ.get(REDIS_ENV, DEFAULT_REDIS_URL)} {when}",
    ]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long UI tests first: on the workers the short ones fill in around them at the end."""
    items.sort(key=lambda item: 0 if "/tests/ui/" in str(item.path) else 1)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A reachable PostgreSQL (database `test`): found, or started for this worker, on first use.

    A test that needs it and cannot have it fails, naming why; nothing is ever skipped.
    """
    from tests.services import ServiceUnavailable, ensure_postgres

    try:
        return ensure_postgres()
    except ServiceUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A reachable Redis: found, or started for this worker, on first use (fails, never skips)."""
    from tests.services import ServiceUnavailable, ensure_redis

    try:
        return ensure_redis()
    except ServiceUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def runbook_set() -> RunbookSet:
    return load_runbooks(None)


@pytest.fixture
def sessions_dir(tmp_path: Path) -> Path:
    path = tmp_path / "sessions"
    path.mkdir()
    return path


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real full disk to be: a 200 kB tmpfs, mounted for the test (we are root) and unmounted
    after. Fails, never skips, where it cannot be mounted."""
    from tests.disk import small_tmpfs

    with small_tmpfs(tmp_path) as mount:
        yield mount


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real user's config, sessions or cache. The cache folder is
    one per test worker, shared by its tests: the parsed runbooks are reused as on a user's
    machine, and home's indexes and the config verdicts of the tests' throwaway folders stay
    out of the user's cache (a test of what is cached sets a folder of its own)."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "cache"))
    monkeypatch.delenv("OMNIOPS_TUI_CONFIG", raising=False)
    monkeypatch.delenv("OMNIOPS_TUI_SESSIONS_DIR", raising=False)
