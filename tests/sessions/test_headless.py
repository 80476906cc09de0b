"""Replay, redaction, exports, sharing and diagnostics run headless: no Textual, ever."""

from __future__ import annotations

import subprocess
import sys

MODULES = [
    "omniops_tui.sessions.player",
    "omniops_tui.sessions.redact",
    "omniops_tui.sessions.export",
    "omniops_tui.sessions.postmortem",
    "omniops_tui.sessions.incident",
    "omniops_tui.sessions.share",
    "omniops_tui.live.diagnostics",
    "omniops_tui.cli_sessions",
]


def test_session_tooling_imports_without_textual_or_boto3() -> None:
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('textual', 'boto3', 'botocore'):\n"
        "            raise ImportError(name + ' is blocked in this test')\n"
        "sys.meta_path.insert(0, Block())\n" + "".join(f"import {m}\n" for m in MODULES)
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
