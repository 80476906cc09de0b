"""A tiny `sh -c` for the sandbox hosts: lists, pipelines, redirections and text filters.

Runbook commands are shell one-liners (`tail -n 500 error.log | grep ERROR | head -20`,
`docker-compose ps || pm2 status`), so the SSH hosts need more than a command table. Each
command is an async generator of text chunks that may read the previous stage's chunks; that
one shape serves finite commands (one chunk), endless ones (`tail -F`, streamed until the
channel closes) and filters on endless streams (`tail -f … | grep ERROR`). `head` closes
its input early, which is what ends an endless producer.

Supported: several lines (a script sent as one exec request), variables and `$(…)` (see
shell_expand.py), `;`, `&&`, `||`, `|`, `> /dev/null`, `2>/dev/null`, `2>&1`, a leading
`cd DIR`, `sudo`/`timeout N` prefixes, and the filters grep (-E -F -i -v -c), head, tail, sort (-r -n),
uniq (-c), wc (-l), cat. Anything else is looked up in the host's command table; unknown
commands answer like dash: `sh: 1: NAME: not found`, exit 127.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from typing import Protocol

Chunks = AsyncGenerator[str, None]


class Sink(Protocol):
    """Where a command's output goes (an SSH channel, or a buffer in tests)."""

    def write(self, text: str) -> None: ...
    def write_err(self, text: str) -> None: ...
    async def drain(self) -> None: ...


@dataclass
class Proc:
    """One running stage: its exit status and a way to complain on stderr."""

    err: Callable[[str], None]
    status: int = 0

    def fail(self, message: str, status: int = 1) -> None:
        self.err(message if message.endswith("\n") else message + "\n")
        self.status = status


Handler = Callable[[list[str], Chunks | None, Proc], Chunks]


class Files(Protocol):
    """The host's readable files: whole contents, and endless follow streams."""

    def read(self, path: str) -> list[str] | None: ...
    def follow(self, path: str) -> Chunks | None: ...


class ExitShell(Exception):
    """`exit N`: stops the command line with status N."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


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
        self.commands: dict[str, Handler] = {**self._builtins(), **commands}
        self.files = files

    def _builtins(self) -> dict[str, Handler]:
        return {
            "grep": self._grep,
            "head": self._head,
            "tail": self._tail,
            "sort": self._sort,
            "uniq": self._uniq,
            "wc": self._wc,
            "cat": self._cat,
            "echo": self._echo,
            "true": self._true,
            "false": self._false,
            "cd": self._true,
            "exit": self._exit,
        }

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

    # ------------------------------------------------------------------ input helpers
    async def _lines_of(self, files: list[str], inp: Chunks | None, proc: Proc, tool: str) -> list[str]:
        """All input lines: from the named files, else from the previous stage."""
        if files:
            lines: list[str] = []
            for path in files:
                content = self.files.read(path)
                if content is None:
                    proc.fail(f"{tool}: {path}: No such file or directory", 2 if tool == "grep" else 1)
                    continue
                lines.extend(content)
            return lines
        return [line async for line in _split_lines(inp)]

    # ------------------------------------------------------------------ filters
    async def _grep(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
        flags, rest = split_flags(args, with_value=("e", "m", "A", "B", "C"))
        if not rest and "e" not in flags:
            proc.fail("Usage: grep [OPTION]... PATTERNS [FILE]...", 2)
            return
        pattern = flags.get("e") or rest.pop(0)
        try:
            if "F" in flags:
                regex = re.compile(re.escape(pattern), re.I if "i" in flags else 0)
            else:
                source = pattern if "E" in flags else _bre_to_python(pattern)
                regex = re.compile(source, re.I if "i" in flags else 0)
        except re.error as exc:
            proc.fail(f"grep: invalid pattern: {exc}", 2)
            return
        invert, count_only = "v" in flags, "c" in flags
        matched = 0
        if rest:
            source_lines: Chunks | None = _chunk_lines(await self._lines_of(rest, None, proc, "grep"))
            if proc.status == 2 and not rest[1:]:
                return
        else:
            source_lines = inp
        try:
            async for chunk in _iter(source_lines):
                hits = [ln for ln in chunk.splitlines() if bool(regex.search(ln)) != invert]
                matched += len(hits)
                if hits and not count_only:
                    yield "\n".join(hits) + "\n"
        finally:
            if source_lines is not None:
                await source_lines.aclose()
        if count_only:
            yield f"{matched}\n"
        proc.status = 0 if matched else 1

    async def _head(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
        count, files = _count_arg(args, default=10)
        if files:
            lines = await self._lines_of(files, None, proc, "head")
            if lines[:count]:
                yield "\n".join(lines[:count]) + "\n"
            return
        remaining = count
        if inp is None or remaining <= 0:
            return
        try:
            async for chunk in inp:
                lines = chunk.splitlines()
                take = lines[:remaining]
                remaining -= len(take)
                if take:
                    yield "\n".join(take) + "\n"
                if remaining <= 0:
                    break
        finally:
            await inp.aclose()

    async def _tail(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
        follow = any(a in ("-f", "-F", "--follow", "--follow=name", "--retry") for a in args)
        args = [a for a in args if a not in ("-f", "-F", "--follow", "--follow=name", "--retry", "-q")]
        count, files = _count_arg(args, default=10)
        if not files:
            lines = [line async for line in _split_lines(inp)]
            if count and lines[-count:]:
                yield "\n".join(lines[-count:]) + "\n"
            return
        path = files[0]
        content = self.files.read(path)
        if content is None:
            proc.fail(f"tail: cannot open '{path}' for reading: No such file or directory")
            return
        if count and content[-count:]:
            yield "\n".join(content[-count:]) + "\n"
        if follow:
            stream = self.files.follow(path)
            if stream is None:
                return
            try:
                async for chunk in stream:
                    yield chunk
            finally:
                await stream.aclose()

    async def _sort(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
        flags, files = split_flags(args)
        lines = await self._lines_of(files, inp, proc, "sort")
        if "n" in flags:
            lines.sort(key=_numeric_key, reverse="r" in flags)
        else:
            lines.sort(reverse="r" in flags)
        if lines:
            yield "\n".join(lines) + "\n"

    async def _uniq(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
        flags, files = split_flags(args)
        groups: list[list[object]] = []
        for line in await self._lines_of(files, inp, proc, "uniq"):
            if groups and groups[-1][1] == line:
                groups[-1][0] = int(groups[-1][0]) + 1  # type: ignore[call-overload]
            else:
                groups.append([1, line])
        if groups:
            yield "".join(f"{n:>7} {line}\n" if "c" in flags else f"{line}\n" for n, line in groups)

    async def _wc(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
        _, files = split_flags(args)
        lines = await self._lines_of(files, inp, proc, "wc")
        yield f"{len(lines)}\n"

    async def _cat(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
        _, files = split_flags(args)
        if not files:
            async for chunk in _iter(inp):
                yield chunk
            return
        for path in files:
            content = self.files.read(path)
            if content is None:
                proc.fail(f"cat: {path}: No such file or directory")
            elif content:
                yield "\n".join(content) + "\n"

    async def _echo(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
        newline = not (args and args[0] == "-n")
        yield " ".join(args[1:] if not newline else args) + ("\n" if newline else "")

    async def _true(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
        return
        yield ""  # pragma: no cover

    async def _false(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
        proc.status = 1
        return
        yield ""  # pragma: no cover

    async def _exit(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
        raise ExitShell(int(args[0]) if args and args[0].isdigit() else 0)
        yield ""  # pragma: no cover


# ---------------------------------------------------------------------------- helpers
async def _iter(inp: Chunks | None) -> Chunks:
    if inp is None:
        return
    async for chunk in inp:
        yield chunk


async def _chunk_lines(lines: list[str]) -> Chunks:
    if lines:
        yield "\n".join(lines) + "\n"


async def _split_lines(inp: Chunks | None) -> AsyncGenerator[str, None]:
    if inp is None:
        return
    try:
        async for chunk in inp:
            for line in chunk.splitlines():
                yield line
    finally:
        await inp.aclose()


def split_flags(args: list[str], with_value: tuple[str, ...] = ()) -> tuple[dict[str, str], list[str]]:
    """`-rn -e X file` → ({"r": "", "n": "", "e": "X"}, ["file"])."""
    flags: dict[str, str] = {}
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg.startswith("--") and len(arg) > 2:
            name, _, value = arg[2:].partition("=")
            flags[name] = value
        elif arg.startswith("-") and len(arg) > 1 and not arg[1:].isdigit():
            for j, letter in enumerate(arg[1:]):
                if letter in with_value:
                    value = arg[j + 2 :] or (args[i + 1] if i + 1 < len(args) else "")
                    if not arg[j + 2 :]:
                        i += 1
                    flags[letter] = value
                    break
                flags[letter] = ""
        else:
            rest.append(arg)
        i += 1
    return flags, rest


def _count_arg(args: list[str], default: int) -> tuple[int, list[str]]:
    """head/tail line counts: `-n 20`, `-n20`, `-20`, `--lines=20`, `-n +1` → (count, files)."""
    count = default
    files: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("-n", "--lines") and i + 1 < len(args):
            count = _int(args[i + 1], default)
            i += 1
        elif arg.startswith("--lines="):
            count = _int(arg.split("=", 1)[1], default)
        elif arg.startswith("-n"):
            count = _int(arg[2:], default)
        elif arg.startswith("-") and arg[1:].isdigit():
            count = int(arg[1:])
        elif not arg.startswith("-"):
            files.append(arg)
        i += 1
    return count, files


def _int(text: str, default: int) -> int:
    text = text.lstrip("+")
    return int(text) if text.isdigit() else default


def _numeric_key(line: str) -> float:
    match = re.match(r"\s*(-?\d+(?:\.\d+)?)", line)
    return float(match.group(1)) if match else 0.0


def _bre_to_python(pattern: str) -> str:
    """POSIX basic regex → Python: `\\|` `\\(` `\\)` are operators, bare `( ) | + ? { }` literal."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            out.append(nxt if nxt in "|(){}+?" else "\\" + nxt)
            i += 2
            continue
        out.append("\\" + char if char in "|(){}+?" else char)
        i += 1
    return "".join(out)
