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
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from omniops_tui.runbooks.placeholder_catalogue import (
    CONTEXT_WINDOW,
    LEFT_GLUE,
    PLACEHOLDERS_FILE,
    RIGHT_GLUE,
    Catalogue,
    Rule,
    load_catalogue,
)

__all__ = ["PLACEHOLDERS_FILE", "Catalogue", "Parts", "Span", "Substitution", "load_catalogue", "substitute"]
DEFAULT_PORTS = {"http": 80, "https": 443}
_PORT_TOOLS = re.compile(r"\b(?:telnet|nc|ncat|netcat)\s+(?:-\S+\s+)*$")


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
        if match["scheme"] is None and start > 0 and LEFT_GLUE.match(text[start - 1]):
            continue
        if end < len(text) and RIGHT_GLUE.match(text, end):
            continue
        value, reason = _domain_value(match, parts)
        if match["scheme"] is None and match["port"] is None and not match["sub"]:
            pair = re.match(r"\s+\d+\b", text[end:])
            if pair and _PORT_TOOLS.search(text[max(0, start - CONTEXT_WINDOW) : start]):
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
