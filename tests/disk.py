"""A real full disk for the tests: a small tmpfs (we are root) and a way to fill it."""

from __future__ import annotations

import contextlib
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def small_tmpfs(parent: Path, size: str = "200k") -> Iterator[Path]:
    """A tmpfs of `size` mounted under `parent` for the block, unmounted after. Fails, never
    skips, where it cannot be mounted."""
    mount = parent / f"tmpfs-{uuid.uuid4().hex[:6]}"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], capture_output=True
    )
    assert done.returncode == 0, f"cannot mount a tmpfs (the test needs root): {done.stderr!r}"
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> Path:
    """Take every free page of the tmpfs; returns the filler to delete for room again. (A file
    already there keeps the slack of its last page: tmpfs allocates by pages.)"""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as handle, contextlib.suppress(OSError):
        while True:
            handle.write(b"\0" * 4096)
    return filler
