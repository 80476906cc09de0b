"""Fixtures for the runner's tests: every command block of the document, configs for values."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from omniops_tui.config.model import Config, parse_config
from omniops_tui.runbooks.model import CommandBlock, RunbookSet, iter_blocks
from omniops_tui.sandbox import Sandbox

SANDBOX_LIKE = """
default_env = "sandbox"
[env.sandbox]
base_url = "http://127.0.0.1:40413"
placeholders = { "yourdomain.com" = "127.0.0.1:40413", production = "prod-1" }
[[env.sandbox.hosts]]
name = "prod-1"
[[env.sandbox.hosts]]
name = "prod-2"
"""
PRODUCTION_LIKE = """
default_env = "production"
[env.production]
base_url = "https://example.org"
[[env.production.hosts]]
name = "web-1"
"""


def all_blocks(runbook_set: RunbookSet) -> list[CommandBlock]:
    """Every command block of the document: runbooks, then appendix and preamble."""
    blocks = [block for runbook in runbook_set.runbooks for block in runbook.command_blocks()]
    for section in [*runbook_set.preamble, *runbook_set.appendix]:
        blocks.extend(iter_blocks(section.blocks, CommandBlock))
    return blocks


def config_of(text: str) -> tuple[Config, Any]:
    config = parse_config(text)
    return config, config.environment()


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox(hosts=2) as running:
        yield running


@pytest.fixture
def sandbox_config(sandbox: Sandbox, tmp_path: Path) -> Path:
    return sandbox.write_config(tmp_path / "sandbox.toml")
