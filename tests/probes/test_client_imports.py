"""Client libraries are imported off the event loop, once, without running a compiler.

asyncssh asks `ctypes.util.find_library("oqs")`, which on Linux runs gcc and ld when ldconfig
does not know the library: child processes on every one-shot `check` (issue 12).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from omniops_tui.probes import client_imports

IMPORT_ASYNCSSH = """
import asyncio, sys
from omniops_tui.probes import client_imports
assert "asyncssh" not in sys.modules
asyncio.run(client_imports.imported("asyncssh"))
import asyncssh
print(asyncssh.__name__)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="find_library runs gcc on Linux only")
def test_asyncssh_is_imported_without_running_gcc_or_ld(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in ("gcc", "cc", "ld", "objdump"):
        script = tools / tool
        script.write_text(f"#!/bin/sh\necho {tool} >> {marker}\nexit 1\n")
        script.chmod(0o755)
    env = {**os.environ, "PATH": f"{tools}:{os.environ['PATH']}"}
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_ASYNCSSH], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "asyncssh"
    assert not marker.exists(), marker.read_text()


def test_a_library_in_ld_library_path_is_still_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "liboqs.so.5").write_bytes(b"")
    monkeypatch.setenv("LD_LIBRARY_PATH", str(tmp_path))
    assert client_imports.loader_search("oqs") == str(tmp_path / "liboqs.so.5")
    assert client_imports.loader_search("no-such-library-here") is None


async def test_imported_waits_for_the_import_and_reports_a_failure() -> None:
    await client_imports.imported("json")  # already there: at once
    await client_imports.imported("tests.probes.fixture_module_for_imports")
    assert "tests.probes.fixture_module_for_imports" in sys.modules
    with pytest.raises(ModuleNotFoundError):
        await client_imports.imported("omniops_tui.no_such_module")


async def test_a_waiter_cancelled_meanwhile_does_not_cancel_the_import_for_the_others() -> None:
    """A check that times out while waiting for a client library leaves the import running
    for the other checks (it once cancelled the shared future)."""
    import asyncio

    name = "tests.probes.fixture_slow_module_for_imports"
    client_imports.start(name)
    first = asyncio.ensure_future(client_imports.imported(name))
    second = asyncio.ensure_future(client_imports.imported(name))
    await asyncio.sleep(0)
    first.cancel()
    await asyncio.wait_for(second, 60)
    assert name in sys.modules
