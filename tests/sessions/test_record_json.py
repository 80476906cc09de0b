"""A log batch's fast JSON is json.dumps's, byte for byte, so every reader of old sessions reads
new ones (issue 12: the record path must get cheaper, not different)."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from omniops_tui.core.events import LogLines, from_record, to_record
from omniops_tui.sessions.record_json import FAST_MIN_LINES, encode_record, lines_json


def reference(record: dict[str, Any]) -> bytes:
    """What the recorder wrote before the fast path."""
    return (json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str) + "\n").encode("utf-8")


PIECES = ["INFO", " ", "GET /x", '"', '","', "\\", "\t", "\n", "\x00", "\x7f", "é", "☃", "[", "]", "{}", ":"]


@pytest.mark.parametrize("seed", range(30))
def test_log_batches_encode_as_json_dumps_does(seed: int) -> None:
    rng = random.Random(seed)
    weights = [30, 10, 10] + [1] * (len(PIECES) - 3)
    if seed % 3 == 0:  # plain ASCII with quotes: the fast path proper
        allowed = [p for p in PIECES if p.isascii() and p.isprintable() and "\\" not in p]
        weights = [30] * len(allowed)
    else:
        allowed = PIECES
    size = rng.choice([FAST_MIN_LINES - 1, FAST_MIN_LINES, 100, 2_000])
    lines = ["".join(rng.choices(allowed, weights, k=rng.randrange(0, 15))) for _ in range(size)]
    event = LogLines(source_id="app", host="prod-1", lines=lines, errors_only=seed % 2 == 0)
    event.seq, event.t, event.at = seed + 1, seed * 0.25, "2026-03-14T03:00:05.123Z"
    record = to_record(event)
    encoded = encode_record(record)
    assert encoded == reference(record)
    back = from_record(json.loads(encoded))
    assert isinstance(back, LogLines) and back.lines == lines


def test_the_fast_path_is_taken_for_plain_lines_and_only_then() -> None:
    plain = [f'10.0.0.{i} "GET /x" 200' for i in range(50)]
    assert lines_json(plain) == json.dumps(plain, separators=(",", ":")).encode()
    for odd in ("a\\b", "a\nb", "a\tb", "é"):
        assert lines_json([*plain, odd]) is None  # left to json.dumps
    assert lines_json([*plain, 3]) is None  # type: ignore[list-item]  # not only strings
    assert lines_json([]) is None


def test_other_records_are_left_to_json_dumps() -> None:
    records: list[dict[str, Any]] = [
        {"type": "note_added", "text": 'a "quoted" note', "t": 1.5},
        {"lines": ["x"] * 20},  # "lines" first
        {"type": "log_lines", "lines": ["x"] * 20, "when": object()},  # default=str after it
        {1: "a", "lines": ["x"] * 20},  # a key json.dumps turns into a string
        {"type": "x", "lines": "not a list"},
    ]
    for record in records:
        assert encode_record(record) == reference(record)
