"""bindings.toml: which checklist item is verified by which check, with which threshold.

DESIGN principle 2: what is logic rather than prose lives in small TOML files next to the
Markdown. The file sits beside the runbooks (the bundled data folder, or a `--runbooks` folder
that has its own); each `[checks.ID]` table defines a check once and lists the items it ticks
and the places (sections, steps) where it is shown. Every mistake is one line naming the
file:line and what to fix, raised as `UserError`.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from omniops_tui.core.errors import UserError
from omniops_tui.probes.base import CheckSpec, Threshold
from omniops_tui.probes.readonly import method_problem, refusal
from omniops_tui.probes.registry import KINDS, CheckKind
from omniops_tui.runbooks.model import RunbookSet

BINDINGS_FILE = "bindings.toml"
THRESHOLD_KEYS = ("below", "above", "warn_above", "warn_below")
RESERVED_KEYS = ("kind", "title", "timeout", "items", "places", *THRESHOLD_KEYS)


@dataclass(slots=True)
class Bindings:
    """The checks of a runbook set, and where each one applies."""

    path: Path | None
    checks: dict[str, CheckSpec]
    place_sections: dict[str, str] = field(default_factory=dict)

    def specs_for_runbook(self, runbook_id: str, section_id: str | None = None) -> list[CheckSpec]:
        """The checks to run while `runbook_id` (or one of its sections) is open.

        Each spec comes back with `item_ids` and `places` narrowed to that runbook/section, in
        file order; checks with nothing there are left out.
        """
        section = _qualify(runbook_id, section_id) if section_id else None
        chosen: list[CheckSpec] = []
        for spec in self.checks.values():
            items = tuple(i for i in spec.item_ids if _in(i, runbook_id, section))
            places = tuple(p for p in spec.places if _in(self.place_sections.get(p, p), runbook_id, section))
            if items or places:
                chosen.append(spec.with_items(items, places))
        return chosen

    def specs_for_item(self, item_id: str) -> list[CheckSpec]:
        return [spec for spec in self.checks.values() if item_id in spec.item_ids]

    def bound_item_ids(self) -> set[str]:
        return {item for spec in self.checks.values() for item in spec.item_ids}

    def runbook_ids(self) -> set[str]:
        ids = {item.split("/", 1)[0] for item in self.bound_item_ids()}
        ids |= {place.split("/", 1)[0] for spec in self.checks.values() for place in spec.places}
        return ids


def _qualify(runbook_id: str, section_id: str) -> str:
    section_id = section_id.strip("/")
    return section_id if section_id.startswith(runbook_id + "/") else f"{runbook_id}/{section_id}"


def _in(node_id: str, runbook_id: str, section: str | None) -> bool:
    if not node_id.startswith(runbook_id + "/"):
        return False
    return section is None or node_id == section or node_id.startswith(section + "/")


# ------------------------------------------------------------------------------ loading
def bindings_path(runbooks: Path | None) -> Path:
    """The bindings beside `--runbooks` when that folder has one, else the bundled file."""
    from omniops_tui.runbooks.loader import BUNDLED_DIR, logic_dir

    if runbooks is not None:
        candidate = logic_dir(runbooks) / BINDINGS_FILE
        if candidate.is_file():
            return candidate
    return BUNDLED_DIR / BINDINGS_FILE


def load_bindings(runbooks: Path | None = None, runbook_set: RunbookSet | None = None) -> Bindings:
    """Read and validate the bindings for the runbooks at `runbooks` (None: the bundled ones).

    Item and place ids are checked against `runbook_set` (loaded from `runbooks` when not
    given). A team's own bindings file must only name ids that exist; the bundled file, when
    used with a team's runbooks, keeps just the ids those runbooks share.
    """
    from omniops_tui.runbooks.loader import BUNDLED_DIR

    path = bindings_path(runbooks)
    if runbook_set is None:
        from omniops_tui.runbooks import load_runbooks

        runbook_set = load_runbooks(runbooks)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{path}: cannot read bindings ({exc.strerror})") from exc
    strict = runbooks is None or path.parent != BUNDLED_DIR
    return parse_bindings(text, path, runbook_set, strict=strict)


@lru_cache(maxsize=1)
def bundled_bindings() -> Bindings:
    """The bundled bindings against the bundled runbooks (parsed once per process)."""
    return load_bindings(None)


def specs_for_runbook(runbook_id: str, section_id: str | None = None) -> list[CheckSpec]:
    """Shortcut for the bundled runbooks: `bundled_bindings().specs_for_runbook(…)`."""
    return bundled_bindings().specs_for_runbook(runbook_id, section_id)


def parse_bindings(
    text: str, path: Path | None = None, runbook_set: RunbookSet | None = None, *, strict: bool = True
) -> Bindings:
    """Validate bindings TOML; `runbook_set` (when given) must know every item and place."""
    where = str(path) if path else "<bindings>"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        from omniops_tui.config.model import toml_error

        raise UserError(toml_error(where, exc, text)) from exc
    lines = _Lines(text, where)
    for key in data:
        if key not in ("version", "checks"):
            raise UserError(lines.top(key, f"{key} is not a known setting (version, [checks.ID])"))
    version = data.get("version", 1)
    if version != 1:
        raise UserError(lines.top("version", f"version {version!r} is not supported (1)"))
    raw_checks = data.get("checks", {})
    if not isinstance(raw_checks, dict):
        raise UserError(lines.top("checks", "checks must be tables: [checks.ID]"))
    items = runbook_set.items_by_id() if runbook_set is not None else None
    places = _places(runbook_set) if runbook_set is not None else None
    checks: dict[str, CheckSpec] = {}
    for check_id, raw in raw_checks.items():
        if not isinstance(raw, dict):
            raise UserError(lines.at(check_id, None, f"checks.{check_id} must be a table"))
        if "@" in check_id:
            raise UserError(lines.at(check_id, None, f"checks.{check_id}: '@' is reserved for hosts"))
        checks[check_id] = _build_spec(check_id, raw, lines, items, places, strict)
    return Bindings(path, checks, dict(places or {}))


def _places(runbook_set: RunbookSet) -> dict[str, str]:
    """Every section and step id, mapped to the section it belongs to."""
    from omniops_tui.runbooks.model import Step, iter_blocks

    mapping: dict[str, str] = {}
    for runbook in runbook_set.runbooks:
        for section in runbook.sections:
            mapping[section.id] = section.id
            for step in iter_blocks(section.blocks, Step):
                mapping[step.id] = section.id
    return mapping


def _build_spec(
    check_id: str,
    raw: dict[str, Any],
    lines: _Lines,
    items: dict[str, Any] | None,
    places: dict[str, str] | None,
    strict: bool,
) -> CheckSpec:
    name = f"checks.{check_id}"
    kind_name = raw.get("kind")
    if not isinstance(kind_name, str) or not kind_name:
        raise UserError(lines.at(check_id, None, f'{name} needs kind = "…" ({", ".join(sorted(KINDS))})'))
    kind = KINDS.get(kind_name)
    if kind is None:
        raise UserError(
            lines.at(
                check_id,
                "kind",
                f"{name}.kind '{kind_name}' is not a check kind" + _suggest(kind_name, KINDS),
            )
        )
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if key in RESERVED_KEYS:
            continue
        param = kind.params.get(key)
        if param is None:
            known = ", ".join(sorted(kind.params)) or "none"
            raise UserError(
                lines.at(
                    check_id,
                    key,
                    f"{name}.{key} is not a parameter of kind {kind_name}"
                    + (_suggest(key, kind.params) or f" (parameters: {known})"),
                )
            )
        if (isinstance(value, bool) and bool not in param.types) or not isinstance(value, param.types):
            raise UserError(lines.at(check_id, key, f"{name}.{key} must be {param.type_names}"))
        params[key] = value
    for key, param in kind.params.items():
        if param.required and key not in params:
            raise UserError(lines.at(check_id, None, f"{name} needs {key} (kind {kind_name}: {param.doc})"))
        params.setdefault(key, param.default)
    _check_read_only(name, check_id, kind_name, params, lines)
    return CheckSpec(
        id=check_id,
        kind=kind_name,
        title=_string(raw, "title", check_id, lines) or check_id,
        params=params,
        threshold=_threshold(raw, check_id, kind, lines),
        timeout=_number(raw, "timeout", check_id, lines, positive=True),
        item_ids=_ids(raw, "items", check_id, lines, items, strict),
        places=_ids(raw, "places", check_id, lines, places, strict),
        line=lines.header(check_id) or 0,
    )


def _check_read_only(name: str, check_id: str, kind: str, params: dict[str, Any], lines: _Lines) -> None:
    """Checks never change anything: a method other than GET/HEAD (POST only for a declared
    smoke test) or an SSH command off the read-only allow-list is refused here, at load."""
    if kind == "http":
        problem = method_problem(str(params["method"]), smoke_test=bool(params.get("smoke_test")))
        if problem:
            raise UserError(lines.at(check_id, "method", f"{name}: {problem}"))
    if kind == "ssh_command":
        problem = refusal(str(params["command"]))
        if problem:
            raise UserError(lines.at(check_id, "command", f"{name}.command refused: {problem}"))


def _threshold(raw: dict[str, Any], check_id: str, kind: CheckKind, lines: _Lines) -> Threshold | None:
    values = {key: _number(raw, key, check_id, lines) for key in THRESHOLD_KEYS if key in raw}
    if not values:
        return None
    if not kind.uses_threshold:
        key = next(iter(values))
        raise UserError(
            lines.at(
                check_id,
                key,
                f"checks.{check_id}.{key}: kind {kind.name} takes no "
                "threshold (it passes or fails on its own terms)",
            )
        )
    threshold = Threshold(**values)
    if threshold.below is not None and threshold.above is not None and threshold.above >= threshold.below:
        raise UserError(
            lines.at(
                check_id,
                "above",
                f"checks.{check_id}: above = {threshold.above:g} and "
                f"below = {threshold.below:g} leave nothing that passes",
            )
        )
    return threshold


def _number(
    raw: dict[str, Any], key: str, check_id: str, lines: _Lines, *, positive: bool = False
) -> float | None:
    if key not in raw:
        return None
    value = raw[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UserError(lines.at(check_id, key, f"checks.{check_id}.{key} must be a number"))
    if positive and value <= 0:
        raise UserError(lines.at(check_id, key, f"checks.{check_id}.{key} must be more than 0"))
    return float(value)


def _string(raw: dict[str, Any], key: str, check_id: str, lines: _Lines) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        raise UserError(lines.at(check_id, key, f"checks.{check_id}.{key} must be a string"))
    return value


def _ids(
    raw: dict[str, Any], key: str, check_id: str, lines: _Lines, known: dict[str, Any] | None, strict: bool
) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UserError(lines.at(check_id, key, f"checks.{check_id}.{key} must be a list of ids"))
    result: list[str] = []
    for node_id in value:
        if known is not None and node_id not in known:
            if not strict:
                continue  # bundled bindings used with a team's runbooks: keep what they share
            what = "checklist item" if key == "items" else "section or step"
            raise UserError(
                lines.at_text(
                    check_id,
                    node_id,
                    f"checks.{check_id}.{key}: unknown {what} "
                    f"'{node_id}'" + _suggest(node_id, known) + " (ids: omniops-tui runbooks --json)",
                )
            )
        if node_id not in result:
            result.append(node_id)
    return tuple(result)


def _suggest(word: str, options: Any) -> str:
    matches = difflib.get_close_matches(word, sorted(options), n=1, cutoff=0.6)
    return f" (did you mean '{matches[0]}'?)" if matches else ""


_HEADER = re.compile(r'^\s*\[\s*checks\.(?:"([^"]*)"|([^\s\]"]+))\s*\]')


class _Lines:
    """Finds where a table, a key in it, or a quoted id is, for file:line messages."""

    def __init__(self, text: str, where: str) -> None:
        self.lines = text.splitlines()
        self.where = where
        self._headers: dict[str, int] | None = None

    def header(self, check_id: str) -> int | None:
        """The line of `[checks.ID]`: every header indexed in one pass, on first use (a
        pattern compiled and every line scanned per check cost a one-shot `check` ~15 ms)."""
        if self._headers is None:
            self._headers = {}
            for number, line in enumerate(self.lines, 1):
                match = _HEADER.match(line)
                if match:
                    self._headers.setdefault(match.group(1) or match.group(2), number)
        return self._headers.get(check_id)

    def _table_range(self, check_id: str) -> tuple[int, int]:
        start = self.header(check_id)
        if start is None:
            return 1, len(self.lines)
        end = next(
            (n for n in range(start + 1, len(self.lines) + 1) if self.lines[n - 1].lstrip().startswith("[")),
            len(self.lines) + 1,
        )
        return start, end - 1

    def top(self, key: str, message: str) -> str:
        """A message about a top-level key (`version`, `checks`)."""
        line = next(
            (n for n, text in enumerate(self.lines, 1) if re.match(rf"^\s*\[?\s*{re.escape(key)}\b", text)),
            None,
        )
        return f"{self.where}:{line}: {message}" if line else f"{self.where}: {message}"

    def line_of(self, check_id: str, key: str | None) -> int | None:
        if key is None:
            return self.header(check_id)
        start, end = self._table_range(check_id)
        for number in range(start, end + 1):
            if re.match(rf'^\s*"?{re.escape(key)}"?\s*=', self.lines[number - 1]):
                return number
        return self.header(check_id)

    def at(self, check_id: str, key: str | None, message: str) -> str:
        line = self.line_of(check_id, key)
        return f"{self.where}:{line}: {message}" if line else f"{self.where}: {message}"

    def at_text(self, check_id: str, text: str, message: str) -> str:
        start, end = self._table_range(check_id)
        line = next(
            (n for n in range(start, end + 1) if f'"{text}"' in self.lines[n - 1]), self.header(check_id)
        )
        return f"{self.where}:{line}: {message}" if line else f"{self.where}: {message}"
