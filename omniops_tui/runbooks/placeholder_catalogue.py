"""The placeholder catalogue: which tokens of the runbooks are placeholders, and where.

`placeholders.toml` (bundled, plus a team's beside its runbooks) lists the document's example
values: a literal token with the contexts where it counts (`production` only after `ssh`, before
`:/` in rsync, after `redis-cli -h`), or a regex for a family (`YOUR_*`, `<service>`). A token
never counts inside a bigger word, flag, identifier or path segment. placeholders.py substitutes.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from omniops_tui.core.errors import UserError

PLACEHOLDERS_FILE = "placeholders.toml"
FILLS = ("domain", "ssh_host", "redis_host", "value")
LEFT_GLUE = re.compile(r"[\w.$@-]")  # a token right after one of these is part of a bigger word
RIGHT_GLUE = re.compile(r"[\w-]|\.\w")
CONTEXT_WINDOW = 240  # characters of text before a token searched for its context


@dataclass(frozen=True, slots=True)
class Rule:
    """One placeholder of the catalogue: a literal token with its contexts, or a regex family."""

    token: str
    fill: str = "value"
    preceded_by: tuple[re.Pattern[str], ...] = ()
    followed_by: tuple[re.Pattern[str], ...] = ()
    doc: str = ""
    pattern: re.Pattern[str] | None = None

    def occurrences(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of every occurrence of the token that stands alone in its context."""
        regex = self.pattern or re.compile(re.escape(self.token))
        found: list[tuple[int, int]] = []
        for match in regex.finditer(text):
            start, end = match.span()
            if self.fill == "domain":
                continue  # the domain has its own, richer matcher
            if glued(text, start, end) or not self._in_context(text, start, end):
                continue
            found.append((start, end))
        return found

    def _in_context(self, text: str, start: int, end: int) -> bool:
        if self.preceded_by:
            before = text[max(0, start - CONTEXT_WINDOW) : start]
            if not any(p.search(before) for p in self.preceded_by):
                return False
        if self.followed_by:
            after = text[end : end + CONTEXT_WINDOW]
            if not any(p.match(after) for p in self.followed_by):
                return False
        return True


def glued(text: str, start: int, end: int) -> bool:
    """Is text[start:end] part of a bigger word, flag, identifier or path segment?"""
    word_start = text[start].isalnum() or text[start] == "_"
    word_end = text[end - 1].isalnum() or text[end - 1] == "_"
    if word_start and start > 0 and LEFT_GLUE.match(text[start - 1]):
        return True
    return word_end and end < len(text) and bool(RIGHT_GLUE.match(text, end))


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Every placeholder rule, bundled first and a team's file's after (same token: replaced)."""

    rules: tuple[Rule, ...]
    sources: tuple[str, ...] = ()

    def doc_for(self, token: str) -> str:
        for rule in self.rules:
            if rule.token == token or (rule.pattern is not None and rule.pattern.fullmatch(token)):
                return rule.doc
        return "the domain" if "." in token else ""


# ---------------------------------------------------------------------------- the catalogue
def catalogue_path_for(runbooks: Path | None) -> Path | None:
    """A team's placeholders.toml beside `--runbooks` (a file's folder, or the folder itself)."""
    from omniops_tui.runbooks.loader import BUNDLED_DIR

    if runbooks is None:
        return None
    folder = runbooks if runbooks.is_dir() else runbooks.parent
    if folder.resolve() == BUNDLED_DIR.resolve():
        return None
    candidate = folder / PLACEHOLDERS_FILE
    return candidate if candidate.is_file() else None


def load_catalogue(runbooks: Path | None = None) -> Catalogue:
    """The bundled placeholders, plus (and overridden by) the team's file beside `runbooks`."""
    from omniops_tui.runbooks.loader import BUNDLED_DIR

    team = catalogue_path_for(runbooks)
    return _load(str(BUNDLED_DIR / PLACEHOLDERS_FILE), str(team) if team else "")


@lru_cache(maxsize=8)
def _load(bundled: str, team: str) -> Catalogue:
    rules = list(_parse_file(Path(bundled)))
    sources = [bundled]
    if team:
        extra = _parse_file(Path(team))
        replaced = {rule.token for rule in extra if rule.pattern is None}
        rules = [r for r in rules if r.token not in replaced] + list(extra)
        sources.append(team)
    return Catalogue(tuple(rules), tuple(sources))


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """A logic file beside the runbooks, parsed; unreadable or invalid is one UserError line."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"{path}: cannot read {what} ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: invalid TOML: {exc}") from exc


def _parse_file(path: Path) -> list[Rule]:
    return parse_catalogue(read_toml(path, "placeholders"), str(path))


def parse_catalogue(data: Mapping[str, Any], where: str = "<placeholders>") -> list[Rule]:
    """Rules from parsed TOML; a bad entry is a UserError naming it."""
    rules: list[Rule] = []
    for index, entry in enumerate(data.get("placeholder", [])):
        name = f"{where}: placeholder #{index + 1}"
        if not isinstance(entry, dict) or not isinstance(entry.get("token"), str) or not entry["token"]:
            raise UserError(f'{name} needs a token = "…"')
        fill = entry.get("fill", "value")
        if fill not in FILLS:
            raise UserError(f"{name} ({entry['token']}): fill must be one of {', '.join(FILLS)}")
        rules.append(
            Rule(
                token=entry["token"],
                fill=fill,
                preceded_by=_regexes(entry.get("preceded_by", []), name, r"(?:{})$"),
                followed_by=_regexes(entry.get("followed_by", []), name, "{}"),
                doc=str(entry.get("doc", "")),
            )
        )
    for index, entry in enumerate(data.get("pattern", [])):
        name = f"{where}: pattern #{index + 1}"
        if not isinstance(entry, dict) or not isinstance(entry.get("regex"), str):
            raise UserError(f"{name} needs a regex = '…'")
        (regex,) = _regexes([entry["regex"]], name, "{}")
        rules.append(Rule(token=entry["regex"], pattern=regex, doc=str(entry.get("doc", ""))))
    return rules


def _regexes(values: Any, name: str, shape: str) -> tuple[re.Pattern[str], ...]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise UserError(f"{name}: contexts must be a list of regex strings")
    try:
        return tuple(re.compile(shape.format(v)) for v in values)
    except re.error as exc:
        raise UserError(f"{name}: bad regex ({exc})") from exc
