"""Live checks: small, async, bounded probes of the outside world (DESIGN principle 3).

No Textual here, and no client library at import time: httpx (Prometheus), asyncpg, boto3 and
asyncssh are imported by a kind's module the first time one of its checks runs; HTTP checks use
http.client in threads (http_client.py) and Redis checks their own RESP (resp.py). The UI's loop:

    context = CheckContext.from_config(config, env_name)       # once per screen
    specs = load_bindings(runbooks_path).specs_for_runbook(runbook_id)
    outcomes = await sweep(specs, context)                      # every interval
    events = [to_event(spec, result) for spec, result in outcomes]
    await context.aclose()                                      # when the screen closes
"""

from omniops_tui.probes.base import CheckResult, CheckSpec, Status, Threshold
from omniops_tui.probes.bindings import Bindings, load_bindings, specs_for_runbook
from omniops_tui.probes.context import CheckContext, context_for
from omniops_tui.probes.registry import KINDS, CheckKind
from omniops_tui.probes.runner import expand, run_check, sweep, to_event

__all__ = [
    "KINDS",
    "Bindings",
    "CheckContext",
    "CheckKind",
    "CheckResult",
    "CheckSpec",
    "Status",
    "Threshold",
    "context_for",
    "expand",
    "load_bindings",
    "run_check",
    "specs_for_runbook",
    "sweep",
    "to_event",
]
