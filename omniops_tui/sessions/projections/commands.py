"""The runs of a session folded from `command_*` events: what the output pane and replay show.

Live and replay read the same `CommandHistory`, so a replayed run shows its output as it
streamed, its exit code and who stopped it. Output is kept per run and host up to
`OUTPUT_CHARS` (the newest part), so a long session replays in flat memory.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from omniops_tui.core.events import CommandFinished, CommandOutput, CommandRefused, CommandStarted

OUTPUT_CHUNKS = 400  # per host and run: the newest chunks (each up to 32 KiB)
RUNS_KEPT = 500


@dataclass
class RunRecord:
    """One run as recorded: what ran where, its output per host, and how each host ended."""

    started: CommandStarted
    output: dict[str, deque[str]] = field(default_factory=dict)
    finished: dict[str, CommandFinished] = field(default_factory=dict)
    capped: bool = False

    @property
    def run_id(self) -> str:
        return self.started.run_id

    @property
    def hosts(self) -> list[str]:
        return list(self.started.hosts) or [""]

    @property
    def done(self) -> bool:
        return all(host in self.finished for host in self.hosts)

    @property
    def exit_code(self) -> int | None:
        """0 when every host exited 0; the first other code; None while running."""
        if not self.done:
            return None
        for host in self.hosts:
            code = self.finished[host].exit_code
            if code != 0:
                return code if code is not None else 1
        return 0

    def text(self, host: str = "") -> str:
        return "".join(self.output.get(host, ()))

    def tail(self, host: str = "", lines: int = 5) -> str:
        return "\n".join(self.text(host).rstrip("\n").splitlines()[-lines:])

    def copy(self) -> RunRecord:
        return RunRecord(
            self.started,
            {host: deque(chunks, maxlen=OUTPUT_CHUNKS) for host, chunks in self.output.items()},
            dict(self.finished),
            self.capped,
        )


@dataclass
class CommandHistory:
    runs: dict[str, RunRecord] = field(default_factory=dict)
    refused: list[CommandRefused] = field(default_factory=list)

    def for_block(self, block_id: str) -> list[RunRecord]:
        return [run for run in self.runs.values() if run.started.block_id == block_id]

    def latest(self, block_id: str) -> RunRecord | None:
        found = self.for_block(block_id)
        return found[-1] if found else None

    def running(self) -> list[RunRecord]:
        return [run for run in self.runs.values() if not run.done]

    def snapshot(self) -> CommandHistory:
        return CommandHistory({key: run.copy() for key, run in self.runs.items()}, list(self.refused))


# The fold's handlers (registered in sessions/state.py).
def started(history: CommandHistory, event: CommandStarted) -> None:
    history.runs[event.run_id] = RunRecord(event)
    while len(history.runs) > RUNS_KEPT:
        history.runs.pop(next(iter(history.runs)))


def output(history: CommandHistory, event: CommandOutput) -> None:
    run = history.runs.get(event.run_id)
    if run is None:
        return
    chunks = run.output.get(event.host)
    if chunks is None:
        chunks = run.output[event.host] = deque(maxlen=OUTPUT_CHUNKS)
    chunks.append(event.text)
    run.capped = run.capped or event.capped


def finished(history: CommandHistory, event: CommandFinished) -> None:
    run = history.runs.get(event.run_id)
    if run is not None:
        run.finished[event.host] = event


def refused(history: CommandHistory, event: CommandRefused) -> None:
    history.refused.append(event)
