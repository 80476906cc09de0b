"""Inline Markdown the model keeps as text: plain titles, reference links, literal placeholders.

The parser keeps a runbook's prose verbatim; these helpers make what it keeps read right:
a title without its `**`, a reference-style link with its URL even when the definition sits
at the end of the file, and `deployment/<service>` shown as written rather than taken for an
HTML tag (which a Markdown renderer silently drops).
"""

from __future__ import annotations

import re

from markdown_it.common.normalize_url import normalizeLink
from markdown_it.common.utils import normalizeReference

# `[text][label]`, `[label][]` and the shortcut `[label]` (not an inline link or image).
REFERENCE_LINK = re.compile(r"(?<![\\!])\[(?P<text>[^\]\n]+)\](?:\[(?P<label>[^\]\n]*)\])?(?![(:\[])")
# `<service>`, `<internal/external-id>`: angle brackets around a word, not an autolink.
PLACEHOLDER = re.compile(
    r"<(?!/?(?:br|hr|img|a|b|i|em|strong|code|pre|details|summary|sup|sub|kbd|p|div|span|html|head"
    r"|body|title|meta|link|script|style|h[1-6]|ul|ol|li|table|tr|td|th)\b)"
    r"(?![a-zA-Z][a-zA-Z0-9+.-]*:)(?![!?/\s=-])[^<>\n`]*[A-Za-z_][^<>\n`]*(?<!\s)>"
)
BOLD = re.compile(r"\*\*(.+?)\*\*")
CODE_SPAN = re.compile(r"(?P<ticks>`+)(?:.+?)(?P=ticks)", re.S)
_CODE_OR_PLACEHOLDER = re.compile(f"(?P<code>{CODE_SPAN.pattern})|{PLACEHOLDER.pattern}")


def plain(text: str) -> str:
    """Inline Markdown to the text a user reads (`**x**` -> x, keeps `code` backticks)."""
    return BOLD.sub(r"\1", text)


def used_references(text: str, references: dict[str, dict[str, str]]) -> dict[str, str]:
    """The definitions (label -> URL) of the reference links `text` uses."""
    if not references or "[" not in text:
        return {}
    used: dict[str, str] = {}
    for match in REFERENCE_LINK.finditer(_without_code(text)):
        label = match.group("label") or match.group("text")
        key = normalizeReference(label)
        if key in references:
            used[label] = references[key].get("href", "")
    return used


def resolve_links(text: str, references: dict[str, dict[str, str]]) -> str:
    """`[here][etcd-defrag]` -> `[here](https://…)`: the URL stays with the words that use it."""
    if not references or "[" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        label = match.group("label") or match.group("text")
        found = references.get(normalizeReference(label))
        if found is None:
            return match.group(0)
        return f"[{match.group('text')}]({normalizeLink(found.get('href', ''))})"

    return REFERENCE_LINK.sub(replace, text)


def display_markdown(text: str, references: dict[str, str]) -> str:
    """What a Markdown renderer should be given for a kept block of prose."""
    shown = _escape_placeholders(text)
    if references:
        definitions = "\n".join(f"[{label}]: <{url}>" for label, url in references.items())
        shown = f"{shown}\n\n{definitions}"
    return shown


def _escape_placeholders(text: str) -> str:
    """`<service>` -> `\\<service>` outside code spans and fences, so it is shown literally."""
    if "<" not in text:
        return text
    out: list[str] = []
    in_fence = ""
    for line in text.split("\n"):
        stripped = line.lstrip()
        marker = stripped[:3]
        if marker in ("```", "~~~"):
            in_fence = "" if in_fence == marker else (in_fence or marker)
            out.append(line)
            continue
        if in_fence or "<" not in line:
            out.append(line)
            continue
        out.append(_CODE_OR_PLACEHOLDER.sub(_escape_one, line))
    return "\n".join(out)


def _escape_one(match: re.Match[str]) -> str:
    """A code span stays as written; a placeholder gets its brackets escaped."""
    if match.group("code") is not None:
        return match.group(0)
    return "\\" + match.group(0)[:-1] + "\\>"


def _without_code(text: str) -> str:
    return CODE_SPAN.sub("", text)
