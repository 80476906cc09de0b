"""What a sandbox shell command is, and the built-in ones: grep, head, tail, sort, uniq, wc, cat.

A command is an async generator of text chunks that may read the previous stage's chunks
(`Handler`); `Proc` carries its exit status and its stderr. That one shape serves finite
commands (one chunk), endless ones (`tail -F`, streamed until the channel closes) and filters
on endless streams (`tail -f … | grep ERROR`); `head` closes its input early, which is what
ends an endless producer. The parser and the pipeline runner are in shell.py; the host's
own commands (uptime, df, docker …) in host_runtime.py.
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
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


class Builtins:
    """The text filters every host has, reading the host's files or the previous stage."""

    def __init__(self, files: Files) -> None:
        self.files = files

    def table(self) -> dict[str, Handler]:
        return {
            "grep": self.grep,
            "head": self.head,
            "tail": self.tail,
            "sort": self.sort,
            "uniq": self.uniq,
            "wc": self.wc,
            "cat": self.cat,
            "echo": self.echo,
            "true": self.true,
            "false": self.false,
            "cd": self.true,
            "exit": self.exit,
        }

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
    async def grep(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
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

    async def head(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
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

    async def tail(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
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

    async def sort(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
        flags, files = split_flags(args)
        lines = await self._lines_of(files, inp, proc, "sort")
        if "n" in flags:
            lines.sort(key=_numeric_key, reverse="r" in flags)
        else:
            lines.sort(reverse="r" in flags)
        if lines:
            yield "\n".join(lines) + "\n"

    async def uniq(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
        flags, files = split_flags(args)
        groups: list[list[object]] = []
        for line in await self._lines_of(files, inp, proc, "uniq"):
            if groups and groups[-1][1] == line:
                groups[-1][0] = int(groups[-1][0]) + 1  # type: ignore[call-overload]
            else:
                groups.append([1, line])
        if groups:
            yield "".join(f"{n:>7} {line}\n" if "c" in flags else f"{line}\n" for n, line in groups)

    async def wc(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
        _, files = split_flags(args)
        lines = await self._lines_of(files, inp, proc, "wc")
        yield f"{len(lines)}\n"

    async def cat(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
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

    async def echo(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
        newline = not (args and args[0] == "-n")
        yield " ".join(args[1:] if not newline else args) + ("\n" if newline else "")

    async def true(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
        return
        yield ""  # pragma: no cover

    async def false(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
        proc.status = 1
        return
        yield ""  # pragma: no cover

    async def exit(self, args: list[str], inp: Chunks | None, proc: Proc) -> Chunks:
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
