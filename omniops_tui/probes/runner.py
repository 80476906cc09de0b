"""Run checks: each under its timeout, all of a sweep concurrently, never raising.

DESIGN principle 3: a dead host costs one timeout, never a frozen screen. `run_check` turns
every exception into an `error` result and a timeout into an `error` saying so; `sweep` starts
them all at once so N checks with one dead target still finish in about one timeout.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

from omniops_tui.core.errors import UserError
from omniops_tui.probes import client_imports
from omniops_tui.probes.base import CheckResult, CheckSpec, Stopwatch, error_text, truncate
from omniops_tui.probes.context import CheckContext
from omniops_tui.probes.host_keys import SSHHostKeyError
from omniops_tui.probes.readonly import CommandRefused
from omniops_tui.probes.registry import KINDS, CheckKind

if TYPE_CHECKING:
    from omniops_tui.core.events import CheckResultEvent

ResultCallback = Callable[[CheckSpec, CheckResult], Any | Awaitable[Any]]
Outcome = tuple[CheckSpec, CheckResult]


CLIENT_MODULES = ("httpx", "asyncssh", "asyncpg", "ssl")  # Redis: resp.py, nothing to import


async def preload_clients() -> None:
    """Import the client libraries in a thread before the first sweep.

    They are imported lazily to keep start-up fast, but a first import costs about half a
    second of CPU; done on the event loop, that would freeze the screen on the first sweep.
    """
    names = (*CLIENT_MODULES, *sorted({kind.module for kind in KINDS.values()}))
    client_imports.start(*names)
    for name in names:
        await client_imports.imported(name)


def clients_for(specs: Iterable[CheckSpec], context: CheckContext) -> list[str]:
    """The client libraries these checks will use against this environment, longest chain
    first (SSH: import, handshake, then the commands); none for what is not configured."""
    targets = {KINDS[spec.kind].target for spec in specs if spec.kind in KINDS}
    environment = context.environment
    if environment is None:
        return []
    wanted = [
        ("asyncssh", "ssh" in targets and bool(environment.hosts)),
        ("httpx", "prometheus" in targets and bool(environment.prometheus)),  # http checks: http_client.py
        ("asyncpg", "postgres" in targets and bool(environment.database_url_env)),
    ]
    return [name for name, used in wanted if used]


async def wait_or_wake(wake: asyncio.Event, interval: float) -> None:
    """Sleep `interval` seconds, or less when `wake` is set (the engineer asked for it now).

    A wake set before the call (during the sweep that just ended) returns at once: clearing it
    first lost a re-run asked for mid-sweep. The wake is consumed (cleared) when it is seen.
    """
    try:
        async with asyncio.timeout(interval):
            await wake.wait()
    except TimeoutError:
        pass
    wake.clear()


def timeout_for(spec: CheckSpec, context: CheckContext) -> float:
    """The binding's own timeout, else the environment's (5 s by default). What is configured
    holds: no kind gets a longer minimum of its own (issue 10 §4)."""
    return spec.timeout or context.timeout


def expand(specs: Iterable[CheckSpec], context: CheckContext) -> list[CheckSpec]:
    """One spec per configured host for SSH kinds (`id@host`), the others unchanged.

    An SSH check with no host configured stays as it is and answers "not configured".
    """
    expanded: list[CheckSpec] = []
    for spec in specs:
        kind = KINDS.get(spec.kind)
        if kind is None or not kind.per_host or spec.host:
            expanded.append(spec)
            continue
        wanted = spec.param("hosts")
        hosts = [h.name for h in context.hosts if not wanted or h.name in wanted]
        if not hosts:
            expanded.append(spec)
        else:
            expanded.extend(spec.for_host(name) for name in hosts)
    return expanded


async def run_check(spec: CheckSpec, context: CheckContext) -> CheckResult:
    """Run one check under its timeout; every failure becomes a result, never an exception."""
    watch = Stopwatch()
    kind: CheckKind | None = KINDS.get(spec.kind)
    limit = timeout_for(spec, context)
    try:
        if kind is None:
            result = CheckResult.error(f"unknown check kind '{spec.kind}'")
        else:
            await client_imports.imported(kind.module)  # not on the loop: it may import httpx
            function = kind.load()
            async with asyncio.timeout(limit):
                result = await function(spec, context)
    except TimeoutError:
        result = CheckResult.error(
            f"timed out after {limit:g} s",
            asked=describe_target(spec, context),
            answer=f"no answer within {limit:g} s",
        )
    except SSHHostKeyError as exc:
        result = CheckResult.error(str(exc), asked=describe_target(spec, context), answer="refused")
    except CommandRefused as exc:  # a host command override that is not read-only: never sent
        result = CheckResult.error(f"refused: {exc}", asked=describe_target(spec, context), answer="not sent")
    except UserError as exc:
        result = CheckResult.error(exc.message, asked=describe_target(spec, context))
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # a check must never take the sweep (or the UI) down
        result = CheckResult.error(
            error_text(exc),
            asked=describe_target(spec, context),
            answer=truncate(f"{type(exc).__name__}: {exc}"),
        )
    result.duration_ms = watch.ms
    return result


async def sweep(
    specs: Iterable[CheckSpec],
    context: CheckContext,
    *,
    on_result: ResultCallback | None = None,
    concurrent: bool = True,
) -> list[Outcome]:
    """Run every spec (SSH ones once per host) concurrently, each under its own timeout.

    Results come back in the order of the expanded specs. `on_result` is called as each one
    arrives (the UI stops a spinner); it may be a plain function or a coroutine function.
    HTTP clients and SSH connections are the context's, kept for the next sweep (keep-alive,
    no set-up per sweep). `concurrent=False` runs them one after another (for the benchmark).
    """
    run_context = context.fork()
    expanded = expand(specs, run_context)
    # What the checks will use, imported now if nothing imported it yet (the TUI's services
    # preload it all in a thread; a one-shot `check` imports here). Not in threads beside the
    # checks: with the GIL, every answer the loop awaited then waited for the importing
    # thread's switch interval (the SSH chains got slower) and the latency probe's threads
    # counted those waits as latency.
    clients = clients_for(expanded, run_context)
    modules = sorted({KINDS[spec.kind].module for spec in expanded if spec.kind in KINDS})
    latency = any(spec.kind == "http_latency" for spec in expanded)
    if run_context.probe_process and run_context.base_url and latency:
        # The latency probe's process (latency_client.py) is spawned first, so it starts up
        # (~50 ms of its own CPU) while this one imports.
        from omniops_tui.probes.latency_client import context_worker

        await context_worker(run_context)
    client_imports.load(*clients, *modules)

    async def one(spec: CheckSpec) -> Outcome:
        result = await run_check(spec, run_context)
        if on_result is not None:
            outcome = on_result(spec, result)
            if inspect.isawaitable(outcome):
                await outcome
        return spec, result

    if concurrent:
        return list(await asyncio.gather(*(one(spec) for spec in expanded)))
    return [await one(spec) for spec in expanded]


def to_event(spec: CheckSpec, result: CheckResult) -> CheckResultEvent:
    """The session event for one result (stamps are set by the recorder)."""
    from omniops_tui.core.events import CheckResultEvent  # ~20 ms: a one-shot table needs none

    return CheckResultEvent(
        check_id=spec.id,
        kind=spec.kind,
        target=spec.host or _target_name(spec),
        status=result.status,
        value=_plain(result.value),
        unit=result.unit,
        summary=result.summary,
        evidence=_plain(result.evidence),
        duration_ms=round(result.duration_ms, 1),
        item_ids=list(spec.item_ids),
        places=list(spec.places),
        title=spec.title,
    )


def describe_target(spec: CheckSpec, context: CheckContext) -> str:
    """A short "what was asked" for results that never got an answer."""
    kind = KINDS.get(spec.kind)
    target = kind.target if kind else "?"
    if target == "http":
        path = spec.param("path") or (spec.param("paths") or [""])[0]
        return f"{spec.kind} {context.url(path) if path else context.base_url}"
    if target == "ssh":
        return f"ssh {spec.host or '?'}: {spec.kind}"
    return f"{spec.kind} ({target})"


def _target_name(spec: CheckSpec) -> str:
    kind = KINDS.get(spec.kind)
    return kind.target if kind else ""


def _plain(value: Any) -> Any:
    """JSON-safe copy: the record is JSONL."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
