"""The checks' client libraries, imported off the event loop, once, when a sweep will use them.

asyncssh (with cryptography), httpx and asyncpg cost from ~20 to ~150 ms of CPU each to
import. The TUI's services `start()` them in a thread of their own before their first sweep
(on the event loop, the screen would freeze); a check awaits `imported(name)`, which returns at
once once it is done, so no check ever imports one on the loop while another is in flight.
A sweep with nothing preloaded (a one-shot `check`) `load()`s what it will use first, once.

asyncssh looks for liboqs with `ctypes.util.find_library`, which on Linux runs ldconfig, then
gcc and ld (~60 ms of child processes, far more on a loaded machine) for a library that is
rarely installed. During that import the search looks in the dynamic loader's folders instead;
a liboqs installed there is still found and used.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import importlib
import os
import sys
import sysconfig
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

_pending: dict[str, concurrent.futures.Future[None]] = {}
_lock = threading.Lock()
_LIBRARY_DIRS = ("/lib", "/usr/lib", "/lib64", "/usr/lib64", "/usr/local/lib", "/usr/local/lib64")


def start(*names: str) -> None:
    """Import `names`, in this order, in a thread of its own; returns at once."""
    with _lock:
        todo = [name for name in names if name not in _pending and name not in sys.modules]
        for name in todo:
            _pending[name] = concurrent.futures.Future()
    if todo:
        threading.Thread(target=_import_all, args=(todo,), name="client-imports", daemon=True).start()


def load(*names: str) -> None:
    """Import `names` now, on this thread, unless they are imported or being imported."""
    with _lock:
        todo = [name for name in names if name not in _pending and name not in sys.modules]
        for name in todo:
            _pending[name] = concurrent.futures.Future()
    _import_all(todo)


async def imported(name: str) -> None:
    """Return once `name` is imported, without importing it on the event loop.

    An import that failed raises here as it would have; the caller's own `import` then names it.
    """
    future = _pending.get(name)
    if future is None:
        if name in sys.modules:
            return
        start(name)
        future = _pending[name]
    if not future.done():
        # Not `asyncio.wrap_future`: a check cancelled (timed out) while waiting would cancel
        # the shared import's future for every other waiter.
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()

        def settle() -> None:
            if not waiter.done():
                waiter.set_result(None)

        def wake(_done: concurrent.futures.Future[None]) -> None:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody waits
                loop.call_soon_threadsafe(settle)

        future.add_done_callback(wake)
        await waiter
    future.result()


def _import_all(names: list[str]) -> None:
    for name in names:
        future = _pending[name]
        try:
            with _quick_library_search() if name == "asyncssh" else contextlib.nullcontext():
                importlib.import_module(name)
        except BaseException as exc:  # handed to whoever awaits it
            future.set_exception(exc)
        else:
            future.set_result(None)


@contextlib.contextmanager
def _quick_library_search() -> Iterator[None]:
    """`ctypes.util.find_library("oqs")` answered from the loader's folders, not by a compiler."""
    import ctypes.util

    if not sys.platform.startswith("linux"):
        yield
        return
    original: Callable[[str], str | None] = ctypes.util.find_library

    def find(name: str) -> str | None:
        return loader_search(name) if name in ("oqs", "liboqs") else original(name)

    setattr(ctypes.util, "find_library", find)  # noqa: B010 (its stub's signature is narrower)
    try:
        yield
    finally:
        setattr(ctypes.util, "find_library", original)  # noqa: B010


def loader_search(name: str) -> str | None:
    """The path of `lib{name}.so*` in LD_LIBRARY_PATH or the loader's usual folders, or None."""
    folders = [f for f in os.environ.get("LD_LIBRARY_PATH", "").split(":") if f]
    arch = sysconfig.get_config_var("MULTIARCH") or ""
    for folder in _LIBRARY_DIRS:
        folders.append(folder)
        if arch:
            folders.append(f"{folder}/{arch}")
    for folder in folders:
        with contextlib.suppress(OSError):
            found = sorted(Path(folder).glob(f"lib{name}.so*"))
            if found:
                return str(found[0])
    return None
