"""Placeholder substitution: the document's example values, and nothing else, become the team's.

A runbook says `curl -f https://yourdomain.com/api/health` and `ssh production "pm2 status"`.
What `c` copies, `omniops-tui commands` prints and the runner runs must be the same command with
only those example values replaced. A find-and-replace over any text is wrong (it turned
`npm ci --production=false` into `--prod-1=false` and `s3://omniops-backups/production/` into a
host name), so the tokens are listed as data (`placeholders.toml`), matched at token boundaries
and only in the contexts where the document uses them as placeholders.

Values that must fit together come from the environment as parts (scheme, host, port of its
`base_url`): `https://yourdomain.com` becomes the environment's origin, `yourdomain.com:443` its
host and port, `telnet yourdomain.com 443` the same pair, the bare name its host. The result of
a substitution keeps the spans (where each placeholder was, what replaced it and whether it was
configured or typed), so a screen can highlight substituted values and show the original, and
the runner can ask for what is still unresolved.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from omniops_tui.core.errors import UserError

PLACEHOLDERS_FILE = "placeholders.toml"
FILLS = ("domain", "ssh_host", "redis_host", "value")
DEFAULT_PORTS = {"http": 80, "https": 443}
_LEFT_GLUE = re.compile(r"[\w.$@-]")  # a token right after one of these is part of a bigger word
_RIGHT_GLUE = re.compile(r"[\w-]|\.\w")
_PORT_TOOLS = re.compile(r"\b(?:telnet|nc|ncat|netcat)\s+(?:-\S+\s+)*$")
_CONTEXT_WINDOW = 240  # characters of text before a token searched for its context


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
            if _glued(text, start, end) or not self._in_context(text, start, end):
                continue
            found.append((start, end))
        return found

    def _in_context(self, text: str, start: int, end: int) -> bool:
        if self.preceded_by:
            before = text[max(0, start - _CONTEXT_WINDOW) : start]
            if not any(p.search(before) for p in self.preceded_by):
                return False
        if self.followed_by:
            after = text[end : end + _CONTEXT_WINDOW]
            if not any(p.match(after) for p in self.followed_by):
                return False
        return True


def _glued(text: str, start: int, end: int) -> bool:
    """Is text[start:end] part of a bigger word, flag, identifier or path segment?"""
    word_start = text[start].isalnum() or text[start] == "_"
    word_end = text[end - 1].isalnum() or text[end - 1] == "_"
    if word_start and start > 0 and _LEFT_GLUE.match(text[start - 1]):
        return True
    return word_end and end < len(text) and bool(_RIGHT_GLUE.match(text, end))


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


def _parse_file(path: Path) -> list[Rule]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"{path}: cannot read placeholders ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: invalid TOML: {exc}") from exc
    return parse_catalogue(data, str(path))


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


# ---------------------------------------------------------------------------- values
@dataclass(frozen=True, slots=True)
class Parts:
    """What an environment substitutes: its origin's parts, hosts, and configured values."""

    scheme: str = ""
    host: str = ""
    port: int | None = None
    ssh_host: str = ""
    redis_host: str = ""
    configured: Mapping[str, str] = field(default_factory=dict)

    @property
    def effective_port(self) -> int | None:
        return self.port or DEFAULT_PORTS.get(self.scheme)

    @property
    def origin(self) -> str:
        port = f":{self.port}" if self.port else ""
        return f"{self.scheme or 'https'}://{self.host}{port}"

    @classmethod
    def of(cls, config: Any, environment: Any, environ: Mapping[str, str] | None = None) -> Parts:
        """The parts of `environment` (None: only the config's values), reading `environ` now."""
        environ = os.environ if environ is None else environ
        configured: dict[str, str] = {}
        if config is not None:
            configured.update(config.placeholders_for(environment))
        scheme = host = ""
        port: int | None = None
        if environment is not None and environment.base_url:
            scheme, host, port = _split_origin(environment.base_url)
        domain = configured.get("yourdomain.com", "")
        if domain:  # a configured domain wins; a scheme it lacks comes from base_url
            d_scheme, host, port = _split_origin(domain if "://" in domain else f"//{domain}")
            scheme = d_scheme or scheme
        hosts = list(getattr(environment, "hosts", []) or [])
        redis = ""
        variable = getattr(environment, "redis_url_env", "") if environment is not None else ""
        if variable and environ.get(variable):
            _, r_host, r_port = _split_origin(environ[variable])
            redis = r_host + (f" -p {r_port}" if r_port and r_port != 6379 else "")
        return cls(
            scheme=scheme,
            host=host,
            port=port,
            ssh_host=hosts[0].name if hosts else "",
            redis_host=redis,
            configured=configured,
        )


def _split_origin(url: str) -> tuple[str, str, int | None]:
    try:
        parts = urlsplit(url)
        return parts.scheme, parts.hostname or "", parts.port
    except ValueError:
        return "", "", None


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host == "localhost"
    return True


# ---------------------------------------------------------------------------- substitution
@dataclass(frozen=True, slots=True)
class Span:
    """One placeholder in a command: where it is in the original and in the result."""

    start: int
    end: int
    out_start: int
    out_end: int
    token: str  # the text as written in the runbook (what a typed value is keyed by)
    value: str | None  # None: unresolved (the original stays in the output)
    source: str  # configured, typed, or "" when unresolved
    in_comment: bool = False
    reason: str = ""  # why it is unresolved

    @property
    def resolved(self) -> bool:
        return self.value is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "out_start": self.out_start,
            "out_end": self.out_end,
            "token": self.token,
            "value": self.value,
            "source": self.source,
            "in_comment": self.in_comment,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class Substitution:
    """A command before and after substitution, with the spans that differ."""

    original: str
    text: str
    spans: tuple[Span, ...]

    @property
    def unresolved(self) -> list[Span]:
        return [s for s in self.spans if not s.resolved]

    @property
    def required(self) -> list[str]:
        """Tokens that need a value before the command can run (comments need none)."""
        return list(dict.fromkeys(s.token for s in self.spans if not s.resolved and not s.in_comment))

    def values(self) -> list[dict[str, str]]:
        """What was substituted, for the record: placeholder, value, and whether configured or typed."""
        seen: dict[str, dict[str, str]] = {}
        for span in self.spans:
            if span.resolved and span.token not in seen:
                # "placeholder", not "token": the record's redactor blanks any field named token
                seen[span.token] = {
                    "placeholder": span.token,
                    "value": span.value or "",
                    "source": span.source,
                }
        return list(seen.values())

    def to_dict(self) -> dict[str, Any]:
        return {"original": self.original, "text": self.text, "spans": [s.to_dict() for s in self.spans]}


def substitute(
    text: str,
    parts: Parts | None = None,
    *,
    catalogue: Catalogue | None = None,
    typed: Mapping[str, str] | None = None,
) -> Substitution:
    """Replace the placeholders of `text` with the values of `parts` (and `typed` ones first)."""
    catalogue = catalogue or load_catalogue()
    parts = parts or Parts()
    typed = typed or {}
    found: list[tuple[int, int, str, str | None, str]] = []  # start, end, token, value, reason
    for rule in catalogue.rules:
        if rule.fill == "domain":
            found.extend(_domain_matches(text, rule.token, parts))
            continue
        for start, end in rule.occurrences(text):
            value, reason = _value_of(rule, text[start:end], parts)
            found.append((start, end, text[start:end], value, reason))
    out: list[str] = []
    spans: list[Span] = []
    cursor = 0
    for start, end, token, value, reason in _non_overlapping(found):
        source = "configured" if value is not None else ""
        if value is None and token in typed:  # typed values fill what the environment does not
            value, source, reason = typed[token], "typed", ""
        out.append(text[cursor:start])
        out_start = sum(map(len, out))
        replacement = value if value is not None else text[start:end]
        out.append(replacement)
        spans.append(
            Span(
                start,
                end,
                out_start,
                out_start + len(replacement),
                token,
                value,
                source,
                _in_comment(text, start),
                reason,
            )
        )
        cursor = end
    out.append(text[cursor:])
    return Substitution(text, "".join(out), tuple(spans))


def substitute_for(
    text: str,
    config: Any,
    environment: Any,
    *,
    typed: Mapping[str, str] | None = None,
    runbooks: Path | None = None,
) -> Substitution:
    """`substitute` with the parts of a config's environment and the catalogue for `runbooks`."""
    return substitute(text, Parts.of(config, environment), catalogue=load_catalogue(runbooks), typed=typed)


def _non_overlapping(
    found: list[tuple[int, int, str, str | None, str]],
) -> list[tuple[int, int, str, str | None, str]]:
    """Earliest first; at one start the longest wins; anything overlapping a kept span is dropped."""
    kept: list[tuple[int, int, str, str | None, str]] = []
    for item in sorted(found, key=lambda f: (f[0], -(f[1] - f[0]))):
        if kept and item[0] < kept[-1][1]:
            continue
        kept.append(item)
    return kept


def _value_of(rule: Rule, token: str, parts: Parts) -> tuple[str | None, str]:
    configured = parts.configured
    if rule.fill in ("ssh_host", "redis_host") and configured.get(rule.fill):
        return configured[rule.fill], ""
    if rule.fill in ("value", "ssh_host") and configured.get(token):
        return configured[token], ""
    if rule.fill == "ssh_host":
        return (parts.ssh_host, "") if parts.ssh_host else (None, "no SSH host in the environment")
    if rule.fill == "redis_host":
        if parts.redis_host:
            return parts.redis_host, ""
        return None, "no Redis URL in the environment (redis_url_env)"
    return None, f'no value: set [placeholders] "{token}" = "…" in the config'


def _domain_matches(text: str, token: str, parts: Parts) -> list[tuple[int, int, str, str | None, str]]:
    """Every use of the domain token with the value that fits it (origin, host:port, host)."""
    regex = re.compile(
        rf"(?P<scheme>\bhttps?://)?(?P<sub>(?:[A-Za-z0-9-]+\.)*){re.escape(token)}(?::(?P<port>\d+))?"
    )
    found: list[tuple[int, int, str, str | None, str]] = []
    for match in regex.finditer(text):
        start, end = match.span()
        if match["scheme"] is None and start > 0 and _LEFT_GLUE.match(text[start - 1]):
            continue
        if end < len(text) and _RIGHT_GLUE.match(text, end):
            continue
        value, reason = _domain_value(match, parts)
        if match["scheme"] is None and match["port"] is None and not match["sub"]:
            pair = re.match(r"\s+\d+\b", text[end:])
            if pair and _PORT_TOOLS.search(text[max(0, start - _CONTEXT_WINDOW) : start]):
                end += pair.end()
                port = parts.effective_port
                value = f"{parts.host} {port}" if parts.host and port else None
        found.append((start, end, text[start:end], value, reason if value is None else ""))
    return found


def _domain_value(match: re.Match[str], parts: Parts) -> tuple[str | None, str]:
    if not parts.host:
        return None, 'no base_url in the environment and no [placeholders] "yourdomain.com"'
    scheme, sub, port = match["scheme"], match["sub"], match["port"]
    if sub:
        if _is_address(parts.host):
            return None, f"{parts.host} is an address, so it has no subdomain '{sub.rstrip('.')}'"
        return f"{scheme or ''}{sub}{parts.host}{':' + port if port else ''}", ""
    if scheme:
        return parts.origin, ""
    if port:
        effective = parts.effective_port
        return (f"{parts.host}:{effective}", "") if effective else (None, "the environment has no port")
    return parts.host, ""


def _in_comment(text: str, position: int) -> bool:
    """Is `position` after a shell `#` comment start on its line (outside quotes)?"""
    line_start = text.rfind("\n", 0, position) + 1
    before = text[line_start:position]
    quote = ""
    for index, char in enumerate(before):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or before[index - 1].isspace()):
            return True
    return False


# ---------------------------------------------------------------------------- lint
def unresolved_problems(runbook_set: Any, config: Any = None, environment: Any = None) -> list[Any]:
    """Lint warnings: every command block placeholder without a value (file:line, block, token).

    Returns `runbooks.lint.Problem`s, so `lint` (or the runbooks screen) can list them as they are.
    """
    from omniops_tui.runbooks.lint import Problem
    from omniops_tui.runbooks.model import iter_blocks

    parts = Parts.of(config, environment)
    problems: list[Any] = []
    for runbook in runbook_set.runbooks:
        for block in runbook.command_blocks():
            result = substitute(block.code, parts)
            for token in result.required:
                problems.append(
                    Problem(runbook.source, block.line, f"{block.id}: placeholder '{token}' has no value")
                )
    for section in [*runbook_set.preamble, *runbook_set.appendix]:
        for block in iter_blocks(section.blocks):
            if getattr(block, "kind", "") == "command":
                for token in substitute(block.code, parts).required:
                    where = runbook_set.sources[0] if runbook_set.sources else ""
                    problems.append(
                        Problem(where, block.line, f"{block.id}: placeholder '{token}' has no value")
                    )
    return problems
