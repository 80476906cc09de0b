"""The latency probe's own process: runs `latency.measure` for its parent, one JSON line each way.

Why a process: in a sweep the probe's 50 requests (~0.2-0.3 ms of CPU each, in threads) were
most of our interpreter's CPU, so checks swept concurrently could not finish sooner than one
after another (issue 12), and every request's time could include a wait for our GIL (issue 9's
rule: the probe measures the network and the server). Here the requests are timed by threads
of a process that does nothing else; the parent's event loop only writes a line and reads one.

Started by `latency_client.py` as `python -I -S <this file>`: no site-packages, no environment
variables, nothing of the request in argv (`ps` shows argv; headers may hold a secret one day).
It imports only the standard library and the probe's own modules (its package's `__init__`,
which imports the whole engine, ~200 ms, is skipped). It ends when its stdin ends (the parent
closed it, or died: the kernel closes the pipe even after SIGKILL) or when its parent is gone.

Requests, one JSON object per line on stdin:
    {"id": 1, "url": ..., "requests": 50, "concurrency": 10, "timeout": 5.0,
     "headers": {...}, "max_bytes": ..., "verify": true, "cafile": null}
    {"id": 1, "stop": true}          # cancelled: end after the requests in flight
Answers on stdout: {"id": 1, "times_ms": [...], "errors": [...], "timeouts": 0, "sent": 50},
or {"id": 1, "failed": "..."} when the run itself raised.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import threading
import time
import types
from pathlib import Path
from typing import Any, TextIO

PARENT_POLL_S = 0.5


def _import_probe() -> types.ModuleType:
    """`omniops_tui.probes.latency` without running `omniops_tui/probes/__init__.py`."""
    probes = Path(__file__).resolve().parent
    sys.path.insert(0, str(probes.parents[1]))
    if "omniops_tui.probes" not in sys.modules:
        package = types.ModuleType("omniops_tui.probes")
        package.__path__ = [str(probes)]
        sys.modules["omniops_tui.probes"] = package
    import importlib

    return importlib.import_module("omniops_tui.probes.latency")


def serve(source: TextIO, sink: TextIO) -> None:
    """Answer the requests read from `source` until it ends; each run in a thread of its own."""
    latency = _import_probe()
    write_lock = threading.Lock()
    stops: dict[Any, threading.Event] = {}

    def answer(line: dict[str, Any]) -> None:
        with write_lock:
            sink.write(json.dumps(line) + "\n")
            sink.flush()

    def run(message: dict[str, Any], stop: threading.Event) -> None:
        ident = message.get("id")
        try:
            cafile = message.get("cafile")
            verify: Any = bool(message.get("verify", True))
            if verify and cafile:
                import ssl

                verify = lambda: ssl.create_default_context(cafile=cafile)  # noqa: E731
            request = latency.LatencyRequest(
                str(message["url"]),
                int(message["requests"]),
                int(message["concurrency"]),
                float(message["timeout"]),
                verify=verify,
                headers=dict(message.get("headers") or {}),
                max_bytes=int(message.get("max_bytes") or (1 << 20)),
            )
            with latency.quick_handover():
                outcome = latency.measure(request, stop)
            answer(
                {
                    "id": ident,
                    "times_ms": outcome.times_ms,
                    "errors": outcome.errors,
                    "timeouts": outcome.timeouts,
                    "sent": outcome.sent,
                }
            )
        except Exception as exc:  # said to the parent, which reports it as the check's error
            answer({"id": ident, "failed": f"{type(exc).__name__}: {exc}"})
        finally:
            stops.pop(ident, None)

    for text in source:
        try:
            message = json.loads(text)
        except ValueError:
            continue
        if not isinstance(message, dict):
            continue
        if message.get("stop"):
            if (event := stops.get(message.get("id"))) is not None:
                event.set()
            continue
        stop = stops[message.get("id")] = threading.Event()
        threading.Thread(target=run, args=(message, stop), name="latency-run", daemon=True).start()
    for event in list(stops.values()):
        event.set()


def _watch_parent(parent: int) -> None:
    """Exit when the parent is gone, even if something else still holds our stdin open."""
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_S)
    os._exit(0)


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C in the terminal is the parent's to handle
    threading.Thread(target=_watch_parent, args=(os.getppid(),), name="parent-watch", daemon=True).start()
    with contextlib.suppress(BrokenPipeError):
        serve(sys.stdin, sys.stdout)
    os._exit(0)  # the runs still in flight (daemon threads) end with us: nobody reads them


if __name__ == "__main__":
    main()
