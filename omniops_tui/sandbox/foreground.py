"""`omniops-tui sandbox`: run the sandbox in the foreground until ctrl+c or SIGTERM.

Prints where everything is and how to use it, writes a config for it, and lets the user
switch scenarios by typing a name and Enter (the control endpoint works too, and switches
made through it are echoed). Stdin is read by a daemon thread with `os.read`, because stdin
may be a terminal, a pipe, a file or /dev/null (which asyncio cannot watch), and `os.read`
holds no interpreter lock at exit. Stopping removes the temporary folder, keys included.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
from pathlib import Path

from omniops_tui.sandbox.production import Sandbox
from omniops_tui.sandbox.scenarios import SCENARIOS

_SHOWN_HOSTS = 5


def _say(text: str = "") -> None:
    with contextlib.suppress(OSError, ValueError):
        print(text, flush=True)


def run_foreground(*, scenario: str, hosts: int, config_out: Path | None, answer_delay_ms: int = 0) -> None:
    """Blocking entry point for the CLI; returns after a clean stop."""
    asyncio.run(
        _serve(scenario=scenario, hosts=hosts, config_out=config_out, answer_delay_ms=answer_delay_ms)
    )


async def _serve(*, scenario: str, hosts: int, config_out: Path | None, answer_delay_ms: int) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    signals = [s for s in (signal.SIGINT, signal.SIGTERM) if _add_handler(loop, s, stop.set)]
    sandbox = Sandbox(scenario=scenario, hosts=hosts, answer_delay_ms=answer_delay_ms)
    try:
        await sandbox.start()
        config_path = sandbox.write_config(config_out or sandbox.workdir / "config.toml")
        _banner(sandbox, config_path)
        lines: asyncio.Queue[str] = asyncio.Queue()
        threading.Thread(target=_read_stdin, args=(loop, lines), name="sandbox-stdin", daemon=True).start()
        await _interact(sandbox, lines, stop)
    finally:
        await sandbox.stop()
        for sig in signals:
            loop.remove_signal_handler(sig)
    _say(f"sandbox stopped; removed {sandbox.workdir}")
    if config_out is not None:
        _say(f"note: {config_out} was kept, but the keys and ports it names are gone")


def _add_handler(loop: asyncio.AbstractEventLoop, sig: signal.Signals, callback: object) -> bool:
    try:
        loop.add_signal_handler(sig, callback)  # type: ignore[arg-type]
    except (NotImplementedError, RuntimeError, ValueError):
        return False
    return True


async def _interact(sandbox: Sandbox, lines: asyncio.Queue[str], stop: asyncio.Event) -> None:
    announced = sandbox.scenario
    stopper = asyncio.create_task(stop.wait())
    try:
        while not stop.is_set():
            getter = asyncio.create_task(lines.get())
            done, _ = await asyncio.wait({getter, stopper}, timeout=0.3, return_when=asyncio.FIRST_COMPLETED)
            if getter not in done:
                getter.cancel()
            else:
                command = getter.result().strip()
                if command in ("q", "quit", "exit"):
                    return
                if command in SCENARIOS:
                    sandbox.set_scenario(command)
                elif command in ("", "status"):
                    _say(f"scenario: {sandbox.scenario}")
                else:
                    _say(f"unknown scenario {command!r}; type one of: {', '.join(SCENARIOS)} (or quit)")
            if sandbox.scenario != announced:
                announced = sandbox.scenario
                _say(f"scenario: {announced}")
    finally:
        stopper.cancel()


def _read_stdin(loop: asyncio.AbstractEventLoop, lines: asyncio.Queue[str]) -> None:
    pending = b""
    while True:
        try:
            data = os.read(0, 4096)
        except OSError:
            return
        if not data:
            return  # EOF (e.g. started in the background): keep serving, just stop listening
        pending += data
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            try:
                loop.call_soon_threadsafe(lines.put_nowait, line.decode("utf-8", "replace"))
            except RuntimeError:  # the loop has closed: we are shutting down
                return


def _banner(sandbox: Sandbox, config_path: Path) -> None:
    _say(f"omniops-tui sandbox: scenario {sandbox.scenario}, {len(sandbox.hosts)} SSH host(s)")
    if sandbox.answer_delay_ms:
        _say(f"  every HTTP and SSH answer waits {sandbox.answer_delay_ms} ms (--answer-delay-ms)")
    _say(f"  http:    {sandbox.base_url}")
    for host in sandbox.hosts[:_SHOWN_HOSTS]:
        _say(f"  ssh:     {host.name} -> {host.host}:{host.port}")
    if len(sandbox.hosts) > _SHOWN_HOSTS:
        _say(f"  ssh:     … and {len(sandbox.hosts) - _SHOWN_HOSTS} more (see the ssh_config)")
    _say(f"  folder:  {sandbox.workdir}")
    _say(f"  config:  {config_path}")
    _say()
    _say("Try:")
    _say(f"  omniops-tui --config {config_path} check standard-release")
    _say(f"  omniops-tui --config {config_path}")
    _say(f"  curl {sandbox.base_url}/api/health/comprehensive")
    _say(f"  ssh -F {sandbox.ssh_config} {sandbox.hosts[0].name} 'tail -F /var/log/omniops/combined.log'")
    _say()
    _say(f"Switch scenario: type one of {', '.join(SCENARIOS)} and Enter, or")
    _say(f'  curl -X POST -d \'{{"scenario": "outage"}}\' {sandbox.base_url}/__sandbox/scenario')
    _say("ctrl+c stops the sandbox and removes its folder.")
