"""DESIGN: the sandbox is engine code; it must import (and run) without Textual."""

from __future__ import annotations

import subprocess
import sys

SANDBOX_MODULES = [
    "omniops_tui.sandbox",
    "omniops_tui.sandbox.production",
    "omniops_tui.sandbox.http_app",
    "omniops_tui.sandbox.http_server",
    "omniops_tui.sandbox.ssh_host",
    "omniops_tui.sandbox.host_runtime",
    "omniops_tui.sandbox.host_commands",
    "omniops_tui.sandbox.shell",
    "omniops_tui.sandbox.logs",
    "omniops_tui.sandbox.scenarios",
    "omniops_tui.sandbox.blackhole",
    "omniops_tui.sandbox.foreground",
]


def test_sandbox_imports_without_textual() -> None:
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'textual' or name.startswith('textual.'):\n"
        "            raise ImportError('textual is blocked in this test')\n"
        "sys.meta_path.insert(0, Block())\n"
        + "".join(f"import {m}\n" for m in SANDBOX_MODULES)
        + "from omniops_tui.sandbox import Sandbox, BlackholeServer, SandboxHost, SCENARIOS\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_scenarios_import_does_not_load_asyncssh() -> None:
    code = (
        "import sys\nfrom omniops_tui.sandbox import SCENARIOS\n"
        "assert 'asyncssh' not in sys.modules, 'asyncssh loaded eagerly'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
