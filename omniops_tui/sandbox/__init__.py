"""The sandbox production: a simulated OmniOps production on loopback (DESIGN principle 5).

Real protocols, no mocks: an HTTP/1.1 app with the runbooks' health and smoke-test endpoints,
asyncssh hosts that answer the runbooks' read-only commands and stream generated logs, and
switchable incident scenarios (`SCENARIOS`) that change what all of them say. Used by the
tests, the benchmarks, `omniops-tui sandbox` and `omniops-tui demo`. No Textual here.

Units reported by the HTTP app: `errorRate` is a percent, `responseTime`/`p95` milliseconds.
Real hosts have no `omniops-probe`; checks must parse `cat /proc/loadavg`, `free -m`,
`df -P /`, `nproc` and `top -bn1`, which the sandbox prints in their standard formats.

The heavy classes are imported on first use, so `from omniops_tui.sandbox.scenarios import
SCENARIOS` (or validating a `--scenario` flag) does not load asyncssh.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from omniops_tui.sandbox.scenarios import SCENARIOS

if TYPE_CHECKING:
    from omniops_tui.sandbox.blackhole import BlackholeServer
    from omniops_tui.sandbox.production import Sandbox
    from omniops_tui.sandbox.ssh_host import SandboxHost

__all__ = ["SCENARIOS", "BlackholeServer", "Sandbox", "SandboxHost"]

_LAZY = {
    "Sandbox": "omniops_tui.sandbox.production",
    "SandboxHost": "omniops_tui.sandbox.ssh_host",
    "BlackholeServer": "omniops_tui.sandbox.blackhole",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
