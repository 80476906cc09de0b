"""A private tmux server for tests that need a real terminal: 80x24 panes running the real
program, keys sent, the screen captured, and what the terminal itself holds (its paste buffers,
each pane's title) read back."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


class Tmux:
    """A tmux server of its own (`-L`), so nothing the user runs is touched or seen.

    `options` are tmux commands run when the server starts, before any program draws (e.g.
    `set -s set-clipboard on`, which makes an OSC 52 sequence a paste buffer).
    """

    def __init__(self, options: tuple[str, ...] = ()) -> None:
        assert shutil.which("tmux"), "tmux is needed to run the real terminal"
        self.name = f"omniops-test-{uuid.uuid4().hex[:8]}"
        self.options = options
        self._config: Path | None = None

    def _tmux(self, *args: str) -> str:
        prefix = ["-f", str(self._config)] if self._config is not None else []
        return subprocess.run(
            ["tmux", "-L", self.name, *prefix, *args], capture_output=True, text=True, check=True
        ).stdout

    def start(self, argv: list[str], env: dict[str, str], *, window: str = "") -> int:
        """Run `argv` in a new 80x24 pane (the first one starts the server); its PID."""
        exports = " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
        command = f"cd {shlex.quote(str(REPO))} && exec env {exports} {shlex.join(argv)}"
        if self._config is None and self.options:
            self._config = Path(f"/tmp/{self.name}.conf")
            self._config.write_text("\n".join(self.options) + "\n", encoding="utf-8")
        if window:
            self._tmux("new-window", "-d", "-n", window, command)
        else:
            self._tmux("new-session", "-d", "-x", "80", "-y", "24", "-n", "main", command)
        return int(self.display("#{pane_pid}", window or "main"))

    def send(self, *keys: str, window: str = "main") -> None:
        self._tmux("send-keys", "-t", window, *keys)

    def screen(self, window: str = "main") -> str:
        return self._tmux("capture-pane", "-p", "-t", window)

    def screens(self) -> str:
        """Every window's screen, named: for a failing test's message."""
        names = self._tmux("list-windows", "-F", "#{window_name}").split()
        return "\n".join(f"--- {name}\n{self.screen(name)}" for name in names)

    def display(self, fmt: str, window: str = "main") -> str:
        """A tmux format about a pane: `#{pane_title}`, `#{pane_dead}` …"""
        return self._tmux("display-message", "-p", "-t", window, fmt).rstrip("\n")

    def buffers(self) -> list[str]:
        """The paste buffers (what an OSC 52 clipboard write becomes with set-clipboard on)."""
        return [line for line in self._tmux("list-buffers", "-F", "#{buffer_sample}").splitlines() if line]

    def kill_server(self) -> None:
        subprocess.run(["tmux", "-L", self.name, "kill-server"], capture_output=True, check=False)
        if self._config is not None:
            self._config.unlink(missing_ok=True)
