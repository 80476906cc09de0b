"""Shared by the hostile-input tests: what must never be written raw, and how to look for it."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from omniops_tui.sandbox import Sandbox
from omniops_tui.sandbox.hostile import PLANTED_SECRETS
from tests.cli_helper import run_cli  # noqa: F401  (re-exported for the tests here)

# ESC and the other C0 controls but tab/newline, DEL, and C1 (U+0080-U+009F, UTF-8 C2 80-9F).
RAW_CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")


def raw_controls(data: bytes) -> list[bytes]:
    """The raw control bytes in `data` (empty when it is safe to print)."""
    return RAW_CONTROL.findall(data.replace(b"\r\n", b"\n"))


def leaked_secrets(data: bytes) -> list[str]:
    """The planted secrets found in `data`, raw or as JSON writes them."""
    return [
        secret
        for secret in PLANTED_SECRETS
        if secret.encode() in data or json.dumps(secret)[1:-1].encode() in data
    ]


@pytest.fixture
async def hostile_sandbox(tmp_path: Path) -> AsyncIterator[tuple[Sandbox, Path]]:
    """The sandbox in the hostile scenario, and a config for it (no database, no Redis)."""
    async with Sandbox(scenario="hostile", hosts=1) as sandbox:
        yield sandbox, sandbox.write_config(tmp_path / "input" / "config.toml")
