"""A tiny `sh -c` for the sandbox hosts: lists, pipelines, redirections and text filters.

Runbook commands are shell one-liners (`tail -n 500 error.log | grep ERROR | head -20`,
`docker-compose ps || pm2 status`), so the SSH hosts need more than a command table. This
module parses a command line and runs its pipelines; what a command is (an async generator
of text chunks) and the built-in filters are in shell_builtins.py.

Supported: several lines (a script sent as one exec request), variables and `$(…)` (see
shell_expand.py), `;`, `&&`, `||`, `|`, `> /dev/null`, `2>/dev/null`, `2>&1`, a leading
`cd DIR`, `sudo`/`timeout N` prefixes, and the filters grep (-E -F -i -v -c), head, tail, sort (-r -n),
uniq (-c), wc (-l), cat. Anything else is looked up in the host's command table; unknown
commands answer like dash: `sh: 1: NAME: not found`, exit 127.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from omniops_tui.sandbox.shell_builtins import Builtins, Chunks, ExitShell, Files, Handler, Proc, Sink


@dataclass
class _Pipeline:
    stages: list[list[str]] = field(default_factory=list)
    discard_out: bool = False
    discard_err: bool = False
    merge_err: bool = False


_OPERATORS = {"&&", "||", ";", "|"}


def parse(command_line: str) -> list[tuple[str, _Pipeline]]:
    """`a | b && c` → [(";", a|b), ("&&", c)]; raises ValueError on unbalanced quotes."""
    lexer = shlex.shlex(command_line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    tokens = list(lexer)
    result: list[tuple[str, _Pipeline]] = []
    joiner = ";"
    pipeline = _Pipeline()
    words: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in _OPERATORS or token == "&":
            if words:
                pipeline.stages.append(words)
                words = []
            if token == "|":
                i += 1
                continue
            if pipeline.stages:
                result.append((joiner, pipeline))
            joiner, pipeline = (";" if token == "&" else token), _Pipeline()
        elif token in (">", ">>", ">&", "<"):
            fd = words.pop() if words and words[-1] in ("1", "2") else "1"
            target = tokens[i + 1] if i + 1 < len(tokens) else ""
            i += 1
            if token == ">&" and target == "1" and fd == "2":
                pipeline.merge_err = True
            elif token in (">", ">>"):
                if fd == "2":
                    pipeline.discard_err = True
                else:
                    pipeline.discard_out = True
        else:
            words.append(token)
        i += 1
    if words:
        pipeline.stages.append(words)
    if pipeline.stages:
        result.append((joiner, pipeline))
    return result


class Shell:
    """Runs command lines against a host's command table and files."""

    def __init__(self, commands: dict[str, Handler], files: Files) -> None:
        self.commands: dict[str, Handler] = {**Builtins(files).table(), **commands}
        self.files = files

    async def run(self, command_line: str, sink: Sink, variables: dict[str, str] | None = None) -> int:
        """Execute a command line or a multi-line script; returns the last pipeline's status.

        `variables` carries shell variables from one call to the next (a script fed line by line).
        """
        from omniops_tui.sandbox.shell_expand import CaptureSink, expand, logical_lines

        status = 0
        variables = {} if variables is None else variables

        async def capture(inner: str) -> str:
            captured = CaptureSink(sink.write_err)
            for joiner, pipeline in parse(inner):
                if joiner in ("&&", "||"):
                    continue
                await self._run_pipeline(pipeline, captured)
            return "".join(captured.out)

        for number, written in enumerate(logical_lines(command_line), 1):
            try:
                line = (
                    await expand(written, variables, capture) if "$" in written or "=" in written else written
                )
                if line is None:
                    status = 0
                    continue
                plan = parse(line)
            except ValueError as exc:
                sink.write_err(f"sh: {number}: Syntax error: {exc}\n")
                return 2
            try:
                for joiner, pipeline in plan:
                    if (joiner == "&&" and status != 0) or (joiner == "||" and status == 0):
                        continue
                    status = await self._run_pipeline(pipeline, sink)
            except ExitShell as exc:
                return exc.status
        return status

    async def _run_pipeline(self, pipeline: _Pipeline, sink: Sink) -> int:
        def err(text: str) -> None:
            if pipeline.merge_err and not pipeline.discard_out:
                sink.write(text)
            elif not pipeline.discard_err:
                sink.write_err(text)

        stream: Chunks | None = None
        procs: list[Proc] = []
        for words in pipeline.stages:
            words = self._strip_prefixes(words)
            proc = Proc(err)
            procs.append(proc)
            if not words:
                continue
            handler = self.commands.get(words[0])
            if handler is None:
                proc.fail(f"sh: 1: {words[0]}: not found", 127)
                stream = self._empty(stream)
                continue
            stream = handler(words[1:], stream, proc)
        if stream is not None:
            try:
                async for chunk in stream:
                    if chunk and not pipeline.discard_out:
                        sink.write(chunk)
                        await sink.drain()
            finally:
                await stream.aclose()
        return procs[-1].status if procs else 0

    @staticmethod
    def _strip_prefixes(words: list[str]) -> list[str]:
        while words and words[0] in ("sudo", "timeout", "nice", "command"):
            words = words[1:]
            while words and (words[0].startswith("-") or words[0].rstrip("smh").isdigit()):
                words = words[1:]
        return words

    @staticmethod
    async def _empty(inp: Chunks | None) -> Chunks:
        if inp is not None:
            await inp.aclose()
        return
        yield ""  # pragma: no cover - makes this an async generator
