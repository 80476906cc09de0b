"""How a record becomes one line of the session file, with a fast path for log batches (issue 12).

A record is one compact JSON object (`json.dumps`, not ASCII-escaped) and a newline, as UTF-8.
Log batches are most of what a session writes (every line of a firehose, up to the cap), and
`json.dumps` walks every character of every line looking for what to escape: about a third of
the cost of recording a line. For a batch of plain ASCII lines the answer is known from one
`bytes.translate` over the batch (C speed, a few bytes out): when nothing but double quotes
needs escaping, the lines' JSON is the batch joined with `","` with its quotes escaped, which
is what `json.dumps` writes, byte for byte (tests/sessions/test_record_json.py). Anything else
(a backslash, a control character, non-ASCII text, an item that is not a string) goes through
`json.dumps` as before, so the file format does not change: readers cannot tell.
"""

from __future__ import annotations

import json
from typing import Any

# Bytes that JSON strings carry as they are: printable ASCII but the quote and the backslash
# (and DEL, which json.dumps does not escape either). Deleting them leaves what needs a look.
_PLAIN = bytes(byte for byte in range(0x20, 0x80) if byte not in b'"\\')
FAST_MIN_LINES = 16  # below this the plain json.dumps is as fast


def encode_record(record: dict[str, Any]) -> bytes:
    """The record as one line of the session file (JSON, a newline, UTF-8)."""
    lines = record.get("lines")
    if type(lines) is list and len(lines) >= FAST_MIN_LINES:
        inner = _lines_inner(lines)
        if inner is not None:
            around = _around_lines(record)
            if around is not None:
                return b"".join((around[0], inner, around[1]))
    return (_dumps(record) + "\n").encode("utf-8")


def lines_json(lines: list[str]) -> bytes | None:
    """`json.dumps(lines, ensure_ascii=False, separators=(",", ":"))` as UTF-8, the fast way;
    None when it does not apply (then json.dumps it is)."""
    inner = _lines_inner(lines) if lines else None
    return None if inner is None else b"".join((b'["', inner, b'"]'))


def _lines_inner(lines: list[str]) -> bytes | None:
    """The JSON of a non-empty list of plain ASCII strings without its `["` and `"]`, made
    without looking at each character in Python or in the JSON encoder; None when the fast
    way does not apply: not only strings, not ASCII, a backslash or a control character.

    Each big text made here is a fresh allocation that the kernel must map (a batch is
    hundreds of kilobytes): they cost more than the passes over them, so there are few."""
    try:
        body = '","'.join(lines)
    except TypeError:  # an item that is not a string
        return None
    if not body.isascii():
        return None
    data = body.encode("ascii")
    rest = data.translate(None, _PLAIN)  # the quotes, backslashes and control characters
    quotes = rest.count(b'"')
    if quotes != len(rest):
        return None  # a control character (a line break in a line) or a backslash
    if quotes == 2 * (len(lines) - 1):
        return data  # no quote but the separators: nothing to escape
    # Quotes in the lines themselves (request lines, JSON logs): escaped, as json.dumps does.
    return "\n".join(lines).replace('"', '\\"').replace("\n", '","').encode("ascii")


def _around_lines(record: dict[str, Any]) -> tuple[bytes, bytes] | None:
    """The record's JSON before and after the value of its "lines" key, the keys in the
    record's order, as `json.dumps` would write them; None for a key that is not a string
    (json.dumps would have turned it into one: left to it)."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    side = before
    for key, value in record.items():
        if type(key) is not str:
            return None
        if key == "lines":
            side = after
        else:
            side[key] = value
    head = _dumps(before)[:-1] + ("," if before else "") + '"lines":["'
    tail = '"]' + ("," + _dumps(after)[1:] if after else "}")
    return head.encode("utf-8"), (tail + "\n").encode("utf-8")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
