"""The architecture holds: layers point down, nothing below the UI imports Textual, there are no
import cycles, and the type checker is clean. These run in the README's test command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def test_import_contracts_hold() -> None:
    """pyproject.toml's [tool.importlinter] contracts: layers, no Textual below ui, no cycles."""
    result = subprocess.run(
        [str(BIN / "lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_type_checker_is_clean() -> None:
    """mypy over everything but the screens (pyproject.toml [tool.mypy]), zero errors."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_engine_imports_without_textual() -> None:
    """The headless commands really run without Textual installed (not just by contract)."""
    modules = [
        "omniops_tui.cli",
        "omniops_tui.live.session",
        "omniops_tui.live.report",
        "omniops_tui.sessions.replay",
        "omniops_tui.sessions.export",
        "omniops_tui.runbooks.lint",
    ]
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'textual' or name.startswith('textual.'):\n"
        "            raise ImportError('textual is blocked in this test')\n"
        "sys.meta_path.insert(0, Block())\n" + "".join(f"import {m}\n" for m in modules)
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
