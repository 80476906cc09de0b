"""Which lines of a batch could hold a secret: the redactor's fast path for log batches (issue 12).

Every log line is redacted before it is recorded, and a firehose brings close to a million
lines a second: the redactor's regex (sessions/redact.py) is far too slow to try on every
line, so it only sees the lines that contain a trigger word (`TRIGGERS`), a literal secret, or
an "@" in a batch that has a "://" somewhere. This module answers "which lines?" for a whole
batch at once, at C speed, and never answers too few: a line it leaves out holds no trigger,
so the regex could not match it (every pattern needs a trigger; see redact.py).

How, for a batch that is ASCII (the common case):

- the batch is joined with "\\n" and put through one `bytes.translate` that lowers the case
  and deletes every byte that is not a letter of some trigger (digits, punctuation, spaces,
  the letters no trigger has) but keeps the "\\n"s. What is left is about half the text;
- each trigger is searched in that (`bytes.find`, one pass each; the three of case-sensitive
  patterns only if the batch has their capital letter). Deleting bytes can only
  *join* letters, never part them: a trigger in a line is still there, whole, after the
  squeeze (and a few false ones may appear, "p-as-s", which only cost a regex run on a line
  that the regex then leaves alone). The kept "\\n"s say which line each hit is in;
- literal secrets are searched in the squeezed copy too, or not at all when they hold a
  trigger themselves (`plan_literals`); the "@" of a URL is searched in the joined text.

That is about 60 % of the old cost per clean line, which lowered a copy of the batch and
searched every trigger in all of it (0.57 against 0.94 us on the sandbox's lines, load ~10,
bench/redact.py `redact_us_per_line` against the same lines through the older code).

A batch that is not ASCII (lower() may change lengths, and the regex folds some non-ASCII
letters into ASCII ones) or whose lines hold a "\\n" themselves (the squeezed "\\n"s would not
say the line) goes the older way: `lines_by_lowered`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from itertools import accumulate
from typing import AnyStr, NamedTuple

# Every pattern of the redactor needs one of these (in lower case) in the text, or "@" and
# "://" both (a URL with a password): a string without any of them, and without any literal,
# is clean. Substring tests run at C speed, unlike a regex tried at every position.
TRIGGERS = (
    "pass",
    "pwd",
    "secret",
    "token",
    "key",
    "authoriz",
    "bearer",
    "cookie",
    "credential",
    "signature",
    "identified",
    "eyj",
    "akia",
    "asia",
)
# The triggers of the case-sensitive patterns (a JWT starts "eyJ", an AWS key id "AKIA" or
# "ASIA"), with a capital each needs: a batch without that capital (one memchr) cannot hold
# one, so its trigger is not searched for. Logs seldom have a "J" or a "K".
_CAPITAL_OF = {"eyj": "J", "akia": "K", "asia": "S"}
_TRIGGER_BYTES = tuple((trigger.encode("ascii"), _CAPITAL_OF.get(trigger, "")) for trigger in TRIGGERS)
_KEPT = frozenset("".join(TRIGGERS))
# Lower-case every ASCII letter; delete every byte that no trigger has, except the line breaks.
_LOWER = bytes(byte + 32 if 65 <= byte <= 90 else byte for byte in range(256))
_DELETE = bytes(byte for byte in range(256) if byte != 10 and chr(byte).lower() not in _KEPT)
_MIN_SQUEEZED_LITERAL = 5


class LiteralPlan(NamedTuple):
    """How the fast path looks for a redactor's literal secrets in an ASCII batch (`plan_literals`)."""

    squeezed: tuple[bytes, ...]  # searched in the squeezed batch, like the triggers
    raw: tuple[str, ...]  # searched in the batch itself


def plan_literals(literals: Iterable[str]) -> LiteralPlan:
    """Where each literal secret is looked for in an ASCII batch, the cheapest way that never
    misses it. A line holding a literal holds its squeezed form in its squeezed copy, so:

    - a literal that is not ASCII cannot be in an ASCII batch: not looked for;
    - one whose squeezed form holds a trigger that is always searched (not a capital-gated
      one), or that holds both "@" and "://" (a DSN: its line has an "@" in a batch with a
      "://"), makes its line suspect anyway: not looked for;
    - one whose squeezed form is long enough to be rare is searched in the squeezed copy
      (half the text), the others in the batch itself.
    """
    squeezed: list[bytes] = []
    raw: list[str] = []
    always = [needle for needle, capital in _TRIGGER_BYTES if not capital]
    for value in literals:
        if not value.isascii():
            continue
        short = value.encode("ascii").translate(_LOWER, _DELETE)
        if any(needle in short for needle in always) or ("@" in value and "://" in value):
            continue
        if len(short) >= _MIN_SQUEEZED_LITERAL:
            squeezed.append(short)
        else:
            raw.append(value)
    return LiteralPlan(tuple(squeezed), tuple(raw))


def suspect_lines(lines: list[str], joined: str, literals: LiteralPlan) -> Iterable[int] | None:
    """The indexes of the lines of `lines` (joined with "\\n": `joined`) that may hold a secret,
    or None when this batch needs the older way (`lines_by_lowered`): it is not ASCII, or a
    line holds a "\\n". An empty answer means the whole batch is clean."""
    if not joined.isascii():
        return None
    squeezed = joined.encode("ascii").translate(_LOWER, _DELETE)
    hits = [
        position
        for needle, capital in _TRIGGER_BYTES
        if capital in joined  # "" is in every text
        for position in _find_all(squeezed, needle, b"\n")
    ]
    hits += [p for needle in literals.squeezed for p in _find_all(squeezed, needle, b"\n")]
    at_literals = [p for needle in literals.raw for p in _find_all(joined, needle, "\n")]
    if "@" in joined and "://" in joined:
        at_literals += _find_all(joined, "@", "\n")
    if not hits and not at_literals:
        return ()
    found: set[int] = set()
    if hits:
        if squeezed.count(b"\n") != len(lines) - 1:
            return None  # a line holds a line break: the squeezed ones would not say which line
        hits.sort()
        line, previous = 0, 0
        for position in hits:
            line += squeezed.count(b"\n", previous, position)
            previous = position
            found.add(line)
    if at_literals:
        starts = line_starts(lines)
        found.update(bisect_right(starts, position) - 1 for position in at_literals)
    return found


def lines_by_lowered(lines: list[str], joined: str, literals: Iterable[str]) -> Iterable[int] | None:
    """The older way, for a batch that is not ASCII: the triggers are searched in the joined
    batch lowered (one pass each). None when lower() changed a length (rare non-ASCII letters):
    then only line by line can tell."""
    lower = fold_case(joined)
    if len(lower) != len(joined):
        return None
    hits = [position for needle in TRIGGERS for position in _find_all(lower, needle, "\n")]
    hits += [p for needle in literals for p in _find_all(joined, needle, "\n")]
    if "@" in joined and "://" in joined:
        hits += _find_all(joined, "@", "\n")
    if not hits:
        return ()
    starts = line_starts(lines)
    return {bisect_right(starts, position) - 1 for position in hits}


def fold_case(text: str) -> str:
    """`text` in lower case, with the non-ASCII letters that the regex's case-insensitive parts
    take for ASCII ones made ASCII first: "ı" and "İ" match `i`, "ſ" matches `s` (and "K",
    the Kelvin sign, which lower() makes a `k`). Without it "paſsword=x" would not look
    suspect, and the regex that redacts it would never see it. Same length as `text` unless
    lower() changes one (the callers check)."""
    if not text.isascii():
        text = text.replace("\u0130", "i").replace("\u0131", "i").replace("\u017f", "s")
    return text.lower()


def line_starts(lines: list[str]) -> list[int]:
    """Where each line starts in the lines joined with one separator character."""
    return list(accumulate((len(line) + 1 for line in lines[:-1]), initial=0))


def _find_all(text: AnyStr, needle: AnyStr, newline: AnyStr) -> list[int]:
    """Where `needle` is in `text`: the first place of each line that has it (a line is
    rewritten once however often it matches)."""
    found: list[int] = []
    at = text.find(needle)
    while at >= 0:
        found.append(at)
        end = text.find(newline, at)
        if end < 0:
            break
        at = text.find(needle, end)
    return found
