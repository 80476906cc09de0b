"""Scripts, variables and `$(…)` for the sandbox shell: what the runbooks' remote scripts need.

Emergency Rollback hands `ssh production` a script such as

    PREVIOUS_TAG=$(git tag --sort=-v:refname | head -2 | tail -1)
    git checkout $PREVIOUS_TAG

so a sandbox host must keep variables across lines and run command substitutions. Expansion
is textual and happens before a line is parsed: `$NAME`, `${NAME}` and `$(command)` are
replaced outside single quotes (an unknown variable is empty, as in sh); a line made only of
`NAME=value` assignments sets variables instead of running anything. `logical_lines` splits a
script sent as one exec request into its command lines.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

_ASSIGNMENT = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)=(\S*|\"[^\"]*\"|'[^']*')\s*$")
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")

Capture = Callable[[str], Awaitable[str]]


class CaptureSink:
    """A Sink that keeps stdout (what `$(…)` substitutes) and passes stderr on."""

    def __init__(self, err: Callable[[str], None]) -> None:
        self.out: list[str] = []
        self._err = err

    def write(self, text: str) -> None:
        self.out.append(text)

    def write_err(self, text: str) -> None:
        self._err(text)

    async def drain(self) -> None:
        return None


def logical_lines(script: str) -> list[str]:
    """A script's command lines: newlines end a line except inside quotes or after a backslash."""
    lines: list[str] = []
    current: list[str] = []
    quote = ""
    i = 0
    while i < len(script):
        char = script[i]
        if char == "\\" and i + 1 < len(script) and quote != "'":
            if script[i + 1] == "\n":
                i += 2
                continue
            current.append(script[i : i + 2])
            i += 2
            continue
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "\n":
            lines.append("".join(current))
            current = []
            i += 1
            continue
        current.append(char)
        i += 1
    lines.append("".join(current))
    return [line for line in lines if line.strip() and not line.strip().startswith("#")]


async def expand(line: str, variables: dict[str, str], capture: Capture) -> str | None:
    """The line with variables and substitutions expanded; None when it only assigned variables."""
    parts = _split_assignments(line)
    if parts is not None:
        for name, value in parts:
            variables[name] = await _expand_text(_unquote(value), variables, capture)
        return None
    return await _expand_text(line, variables, capture)


def _split_assignments(line: str) -> list[tuple[str, str]] | None:
    """`A=1 B=$(x)` → [(A, 1), (B, $(x))]; None when the line is not only assignments."""
    found: list[tuple[str, str]] = []
    rest = line.strip()
    while rest:
        match = re.match(r"([A-Za-z_][A-Za-z0-9_]*)=", rest)
        if match is None:
            return None
        end = _value_end(rest, match.end())
        found.append((match.group(1), rest[match.end() : end]))
        rest = rest[end:].lstrip()
    return found or None


def _value_end(text: str, start: int) -> int:
    """Where a word starting at `start` ends (quotes and $(…) nesting respected)."""
    depth, quote, i = 0, "", start
    while i < len(text):
        char = text[i]
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif text.startswith("$(", i):
            depth += 1
            i += 1
        elif char == ")" and depth:
            depth -= 1
        elif char.isspace() and not depth:
            return i
        i += 1
    return i


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


async def _expand_text(text: str, variables: dict[str, str], capture: Capture) -> str:
    out: list[str] = []
    i, quote = 0, ""
    while i < len(text):
        char = text[i]
        if char == "'" and quote != '"':
            quote = "" if quote == "'" else "'"
        elif char == '"' and quote != "'":
            quote = "" if quote == '"' else '"'
        if quote != "'" and text.startswith("$(", i):
            end = _closing(text, i + 2)
            inner = await _expand_text(text[i + 2 : end], variables, capture)
            out.append((await capture(inner)).rstrip("\n"))
            i = end + 1
            continue
        if quote != "'" and char == "$":
            match = _VARIABLE.match(text, i)
            if match:
                out.append(variables.get(match.group(1) or match.group(2), ""))
                i = match.end()
                continue
        out.append(char)
        i += 1
    return "".join(out)


def _closing(text: str, start: int) -> int:
    depth, quote = 1, ""
    for i in range(start, len(text)):
        char = text[i]
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i
    return len(text)
