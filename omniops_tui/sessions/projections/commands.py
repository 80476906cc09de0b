"""The runs of a session folded from `command_*` events: what the output pane and replay show.

Live and replay read the same `CommandHistory`, so a replayed run shows its output as it
streamed, its exit code and who stopped it. Output is kept per run and host up to
`OUTPUT_CHUNKS` chunks and `OUTPUT_CHARS` characters (the newest part), so a long session
replays in flat memory and a live flood (output past the record's cap is folded, not written)
costs at most that much. `received` counts every chunk folded, so the output pane reads only
the chunks it has not shown yet (`chunks_since`), at its own rate.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from omniops_tui.core.events import CommandFinished, CommandOutput, CommandRefused, CommandStarted

OUTPUT_CHUNKS = 400  # per host and run: the newest chunks (each up to 32 KiB)
OUTPUT_CHARS = 1 << 20  # per host and run: the newest characters kept (the record caps a run at 256 KiB)
RUNS_KEPT = 500


@dataclass
class RunRecord:
    """One run as recorded: what ran where, its output per host, and how each host ended."""

    started: CommandStarted
    output: dict[str, deque[str]] = field(default_factory=dict)
    finished: dict[str, CommandFinished] = field(default_factory=dict)
    capped: bool = False
    received: dict[str, int] = field(default_factory=dict)  # chunks folded so far, per host
    kept_chars: dict[str, int] = field(default_factory=dict)  # characters in `output`, per host

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

    def chunks_since(self, host: str, seen: int) -> tuple[list[str], int]:
        """The chunks folded after the first `seen` of `host`, and how many of those are no
        longer kept (a reader that fell behind a flood shows what is left and counts the rest)."""
        new = self.received.get(host, 0) - seen
        chunks = self.output.get(host)
        if new <= 0 or not chunks:
            return [], max(0, new)
        kept = min(new, len(chunks))
        return [chunks[i] for i in range(len(chunks) - kept, len(chunks))], new - kept

    def copy(self) -> RunRecord:
        return RunRecord(
            self.started,
            {host: deque(chunks) for host, chunks in self.output.items()},
            dict(self.finished),
            self.capped,
            dict(self.received),
            dict(self.kept_chars),
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
    host = event.host
    chunks = run.output.get(host)
    if chunks is None:
        chunks = run.output[host] = deque()
    chunks.append(event.text)
    size = run.kept_chars.get(host, 0) + len(event.text)
    while len(chunks) > 1 and (len(chunks) > OUTPUT_CHUNKS or size > OUTPUT_CHARS):
        size -= len(chunks.popleft())
    run.kept_chars[host] = size
    run.received[host] = run.received.get(host, 0) + 1
    run.capped = run.capped or event.capped


def finished(history: CommandHistory, event: CommandFinished) -> None:
    run = history.runs.get(event.run_id)
    if run is not None:
        run.finished[event.host] = event


def refused(history: CommandHistory, event: CommandRefused) -> None:
    history.refused.append(event)
