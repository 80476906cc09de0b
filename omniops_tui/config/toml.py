"""Reading TOML files we did not write, with every mistake as one `file:line: what` line.

Shared by the config and by the other TOML loaders (bindings, decision tree, rollback
criteria): `read_toml` turns an unreadable file, bytes that are not UTF-8 and TOML syntax
errors into a `UserError` naming the file and line; `Locator` finds the line of a dotted key
(`env.production.hosts.1.port`, array-of-tables counted) for errors found after parsing; and
`build` checks a table against a dataclass (unknown keys, wrong types, missing required keys,
non-finite or out-of-range numbers) so a bad value is refused where it is written, never
discovered later as a crash.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
import tomllib
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omniops_tui.core.errors import UserError

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def read_toml(path: Path, what: str = "file") -> tuple[dict[str, Any], str]:
    """(data, text) of a TOML file; any problem is one `UserError` line naming file and line."""
    try:
        raw = path.read_bytes()
    except IsADirectoryError as exc:
        raise UserError(f"{path}: is a folder, not a {what}") from exc
    except OSError as exc:
        raise UserError(f"{path}: cannot read {what} ({exc.strerror})") from exc
    text = decode_utf8(raw, str(path))
    return parse_toml(text, str(path)), text


def decode_utf8(raw: bytes, where: str) -> str:
    """The bytes as text, or a `UserError` naming the line of the first byte that is not UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise UserError(
            f"{where}:{line}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at column {column}); "
            "save the file as UTF-8"
        ) from exc


def parse_toml(text: str, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(toml_error(where, exc, text)) from exc


def toml_error(where: str, exc: tomllib.TOMLDecodeError, text: str = "") -> str:
    """`file:line: invalid TOML: what` (Python 3.11's error only says the line in its text)."""
    line = getattr(exc, "lineno", None)
    message = getattr(exc, "msg", None) or str(exc)
    found = re.search(r"\s*\(at line (\d+), column \d+\)", message)
    if found:
        line = line or int(found.group(1))
        message = message.replace(found.group(0), "")
    elif "(at end of document)" in message:
        line = line or max(1, len(text.splitlines()))
        message = message.replace(" (at end of document)", " at the end of the file")
    return f"{where}:{line}: invalid TOML: {message}" if line else f"{where}: invalid TOML: {message}"


class Locator:
    """Finds the line of a dotted key in the TOML text, for `file:line` errors.

    Tables are named by their path; the N-th `[[a.b]]` is `a.b.N` (counted from 0), so
    `env.production.hosts.1.port` is the `port =` line of the second `[[env.production.hosts]]`.
    A key that is not written (a missing required one) is located at its table's header.
    """

    def __init__(self, text: str, where: str) -> None:
        self.lines = text.splitlines()
        self.where = where
        # (table path, first line of its body, line after its body), the root table first.
        self.tables: list[tuple[str, int, int]] = []
        counts: dict[str, int] = {}
        starts: list[tuple[str, int]] = [("", 0)]
        for index, line in enumerate(self.lines):
            match = _HEADER.match(line)
            if not match:
                continue
            name = ".".join(part.strip().strip("\"'") for part in match.group(2).split("."))
            if match.group(1) == "[[":
                number = counts.get(name, 0)
                counts[name] = number + 1
                name = f"{name}.{number}"
            starts.append((name, index))
        for position, (name, start) in enumerate(starts):
            end = starts[position + 1][1] if position + 1 < len(starts) else len(self.lines)
            self.tables.append((name, start, end))

    def line_of(self, dotted: str) -> int | None:
        """1-based line of `dotted`, of its table's header when the key is not written."""
        best: tuple[str, int, int] | None = None
        for name, start, end in self.tables:
            if name == dotted:
                return start + 1
            if (not name or dotted.startswith(name + ".")) and (best is None or len(name) > len(best[0])):
                best = (name, start, end)
        if best is None:
            return None
        name, start, end = best
        key = dotted[len(name) + 1 :] if name else dotted
        first = key.split(".")[0]
        pattern = re.compile(rf"^\s*[\"']?{re.escape(first)}[\"']?\s*[.=]")
        for index in range(start, end):
            if pattern.match(self.lines[index]):
                return index + 1
        return start + 1 if name else None

    def at(self, dotted: str, message: str) -> str:
        line = self.line_of(dotted)
        location = f"{self.where}:{line}" if line else self.where
        return f"{location}: {dotted} {message}"


@dataclass(frozen=True, slots=True)
class Bounds:
    """The values a number may take: `low`..`high` inclusive (`low` excluded when `above`)."""

    low: float | None = 0
    high: float | None = None
    above: bool = False

    def problem(self, value: float) -> str | None:
        if self.low is not None and (value <= self.low if self.above else value < self.low):
            if self.low == 0:
                return "must be more than 0" if self.above else "must not be negative"
            return f"must be {'more than' if self.above else 'at least'} {self.low:g}"
        if self.high is not None and value > self.high:
            return f"must be at most {self.high:g}"
        return None


NON_NEGATIVE = Bounds()


def build(
    cls: type,
    raw: dict[str, Any],
    prefix: str,
    locator: Locator,
    *,
    skip: set[str] | None = None,
    bounds: dict[str, Bounds] | None = None,
) -> Any:
    """An instance of dataclass `cls` from a TOML table, or a `UserError` naming the key.

    `bounds` maps `Class.field` to the allowed range of a number; other numbers only have to
    be finite and not negative. Nested dataclasses are built the same way.
    """
    skip = skip or set()
    bounds = bounds or {}
    hints = typing.get_type_hints(cls)
    fields = [f for f in dataclasses.fields(cls) if f.name not in skip]
    names = {f.name for f in fields}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        dotted = f"{prefix}.{key}" if prefix else key
        if key not in names:
            suggestion = _closest(key, names)
            hint = f" (did you mean '{suggestion}'?)" if suggestion else ""
            raise UserError(locator.at(dotted, f"is not a known setting{hint}"))
        limit = bounds.get(f"{cls.__name__}.{key}", NON_NEGATIVE)
        values[key] = _convert(hints[key], value, dotted, locator, limit, bounds)
    for f in fields:
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        if required and f.name not in values:
            line = locator.line_of(prefix) if prefix else None
            location = f"{locator.where}:{line}" if line else locator.where
            raise UserError(f'{location}: {prefix or "the file"} has no {f.name}; add {f.name} = "…"')
    return cls(**values)


def _convert(
    hint: Any, value: Any, dotted: str, locator: Locator, limit: Bounds, bounds: dict[str, Bounds]
) -> Any:
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _convert(options[0], value, dotted, locator, limit, bounds)
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise UserError(locator.at(dotted, f"must be a table, not {_kind(value)}"))
        return build(hint, value, dotted, locator, bounds=bounds)  # type: ignore[arg-type]
    if origin is list:
        (inner,) = typing.get_args(hint)
        if not isinstance(value, list):
            raise UserError(locator.at(dotted, f"must be a list, not {_kind(value)}"))
        return [_convert(inner, v, f"{dotted}.{i}", locator, limit, bounds) for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise UserError(locator.at(dotted, f"must be a table, not {_kind(value)}"))
        if not all(isinstance(v, str) for v in value.values()):
            raise UserError(locator.at(dotted, "values must all be strings"))
        return dict(value)
    if hint is float or hint is int:
        whole = hint is int
        if isinstance(value, bool) or not isinstance(value, int if whole else int | float):
            wanted = "a whole number" if whole else "a number"
            raise UserError(locator.at(dotted, f"must be {wanted}, not {_kind(value)}"))
        if isinstance(value, float) and not math.isfinite(value):
            raise UserError(locator.at(dotted, f"must be a finite number, not {value}"))
        problem = limit.problem(value)
        if problem:
            raise UserError(locator.at(dotted, f"{problem} (it is {value})"))
        return value if whole else float(value)
    if hint is bool:
        if not isinstance(value, bool):
            raise UserError(locator.at(dotted, f"must be true or false, not {_kind(value)}"))
        return value
    if hint is str:
        if not isinstance(value, str):
            raise UserError(locator.at(dotted, f"must be a string, not {_kind(value)}"))
        return value
    return value


def _kind(value: Any) -> str:
    return {
        dict: "a table",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


def _closest(key: str, names: set[str]) -> str | None:
    matches = difflib.get_close_matches(key, sorted(names), n=1, cutoff=0.6)
    return matches[0] if matches else None
