"""Front matter: YAML (`---`) or TOML (`+++`) at the top of a runbook file.

It is parsed into metadata (PyYAML for YAML, tomllib for TOML) and never shown as text. The
well-known keys (title, duration, risk, owner/team, tags, severity, when to use) fill the
runbook's fields; every other key is kept as a metadata row. Front matter that does not parse
is kept as its raw text and reported by lint, never a reason to refuse the file.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from typing import Any

from omniops_tui.runbooks.model import Metadata

FENCES = {"---": ("---", "..."), "+++": ("+++",)}
TITLE_KEYS = ("title", "name")
METADATA_KEYS = {
    "duration": "duration",
    "estimated_duration": "duration",
    "risk": "risk",
    "risk_level": "risk",
    "rollback_difficulty": "rollback_difficulty",
    "best_time": "best_time",
    "minimum_team": "minimum_team",
    "minimum_team_size": "minimum_team",
    "owner": "owner",
    "owners": "owner",
    "team": "owner",
    "severity": "severity",
}
WHEN_KEYS = ("when_to_use", "when", "use_when")
TAG_KEYS = ("tags", "keywords", "labels", "categories")


@dataclass(slots=True)
class FrontMatter:
    """What the top of a file declared; `lines` is how many source lines it spans."""

    data: dict[str, Any] = field(default_factory=dict)
    raw: str = ""
    lines: int = 0
    error: str = ""  # why it did not parse ("" when it did or there was none)
    syntax: str = ""  # "yaml", "toml" or ""

    @property
    def title(self) -> str:
        for key in TITLE_KEYS:
            value = self.data.get(key)
            if isinstance(value, str | int | float) and str(value).strip():
                return str(value).strip()
        return ""


def split_front_matter(text: str) -> tuple[FrontMatter, str]:
    """(front matter, the text after it). Line numbers stay true: the caller offsets by
    `FrontMatter.lines`. No front matter: an empty one and the text unchanged."""
    first, _, rest = text.partition("\n")
    opener = first.rstrip()
    if opener not in FENCES:
        return FrontMatter(), text
    closers = FENCES[opener]
    body: list[str] = []
    lines = rest.split("\n")
    for index, line in enumerate(lines):
        if line.rstrip() in closers:
            raw = "\n".join(body)
            after = "\n".join(lines[index + 1 :])
            return _parse(raw, "yaml" if opener == "---" else "toml", index + 2), after
        body.append(line)
    return FrontMatter(), text  # never closed: not front matter (a thematic break, most likely)


def _parse(raw: str, syntax: str, lines: int) -> FrontMatter:
    import yaml  # only a file with front matter pays for the YAML parser (a first start parses)

    try:
        data = yaml.safe_load(raw) if syntax == "yaml" else tomllib.loads(raw)
    except (yaml.YAMLError, tomllib.TOMLDecodeError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return FrontMatter({}, raw, lines, f"{syntax.upper()} front matter does not parse: {reason}", syntax)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return FrontMatter({}, raw, lines, f"{syntax.upper()} front matter is not a table of keys", syntax)
    return FrontMatter({str(k): v for k, v in data.items()}, raw, lines, "", syntax)


def metadata_from(front: FrontMatter) -> tuple[Metadata | None, list[str], list[str]]:
    """(metadata, tags, when-to-use lines) from the front matter's keys."""
    if not front.data:
        return None, [], []
    metadata = Metadata()
    tags: list[str] = []
    when: list[str] = []
    for key, value in front.data.items():
        norm = key.strip().lower().replace("-", "_").replace(" ", "_")
        if norm in TITLE_KEYS:
            continue
        if norm in TAG_KEYS:
            tags.extend(_as_list(value))
        elif norm in WHEN_KEYS:
            when.extend(_as_list(value))
        elif norm in METADATA_KEYS:
            setattr(metadata, METADATA_KEYS[norm], ", ".join(_as_list(value)))
        else:
            metadata.extra[key] = _as_text(value)
    return metadata, tags, when


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [_as_text(v) for v in value]
    if isinstance(value, str) and "," in value and "\n" not in value:
        return [part.strip() for part in value.split(",") if part.strip()]
    return [_as_text(value)]


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)
