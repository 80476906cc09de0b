"""DESIGN: only app.py and screens/ import Textual; the engine runs headless."""

from __future__ import annotations

import subprocess
import sys

ENGINE_MODULES = [
    "omniops_tui.cli",
    "omniops_tui.config.model",
    "omniops_tui.core.events",
    "omniops_tui.core.thresholds",
    "omniops_tui.logic.criteria",
    "omniops_tui.logic.decision",
    "omniops_tui.logic.metrics",
    "omniops_tui.live.sampler",
    "omniops_tui.probes.latency",
    "omniops_tui.runbooks.parser",
    "omniops_tui.runbooks.lint",
    "omniops_tui.runbooks.overview",
    "omniops_tui.sessions.recorder",
    "omniops_tui.sessions.reader",
    "omniops_tui.sessions.state",
    "omniops_tui.sessions.catalog",
]


def test_engine_imports_without_textual() -> None:
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'textual' or name.startswith('textual.'):\n"
        "            raise ImportError('textual is blocked in this test')\n"
        "sys.meta_path.insert(0, Block())\n" + "".join(f"import {m}\n" for m in ENGINE_MODULES)
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
