"""The benches' terminal (bench/_terminal.py) shows exactly what pyte shows: its faster drawing
and sequence matching change how long the emulation takes, never the screen a key is timed to."""

from __future__ import annotations

import sys
from pathlib import Path

import pyte
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from _terminal import TextScreen, TextStream

ESC = "\x1b"
# What a full-screen app writes (alternate screen, cursor moves, truecolor and plain SGR, private
# modes), and what it rarely does: text that wraps, wide and combining characters, the VT100
# graphics charset, a title, erases, scrolling, insert mode, sequences the fast path leaves to pyte.
OUTPUT = "".join(
    [
        f"{ESC}[?1049h{ESC}[?25l{ESC}[H{ESC}[2J",
        f"{ESC}[1;1H{ESC}[38;2;224;224;224;48;2;30;30;30m omniops-tui › Logs {ESC}[0m",
        f"{ESC}[2;5H{ESC}[1;31mERROR{ESC}[m db pool exhausted │ ╸━━━╺ ▊▔▁▎",
        f"{ESC}[3;70H0123456789ABCDEFwrapped onto the next line",
        f"{ESC}[5;1H wide: 日本語 and e\u0301 combined, {ESC}[4h insert {ESC}[4l",
        f"{ESC}]2;a title{ESC}\\",
        f"{ESC}(0lqqk{ESC}(B plain again",
        f"{ESC}[7;10H{ESC}[K{ESC}[8;1H{ESC}[1J{ESC}[?7l{ESC}[9;75Hno wrap past the edge",
        f"{ESC}[24;1H\n\n{ESC}[10;3r{ESC}[M{ESC}[2@{ESC}[;5H{ESC}[1?h{ESC}[5X{ESC}[3`",
        "\r\n".join(f"line {n}" for n in range(30)),
        f"{ESC}[?25h{ESC}[?1049l",
    ]
)


def state(screen: pyte.Screen) -> tuple[object, ...]:
    cells = [[screen.buffer[y][x] for x in range(screen.columns)] for y in range(screen.lines)]
    return cells, screen.cursor.x, screen.cursor.y, screen.cursor.attrs, screen.mode, screen.title


@pytest.mark.parametrize("piece", [3, 7, 64, 1 << 16])
def test_the_bench_screen_equals_pyte_in_any_pieces(piece: int) -> None:
    data = OUTPUT.encode()
    reference, fast = pyte.Screen(80, 24), TextScreen(80, 24)
    reference_stream, fast_stream = pyte.ByteStream(reference), TextStream(fast)
    for start in range(0, len(data), piece):
        reference_stream.feed(data[start : start + piece])
        fast_stream.feed(data[start : start + piece])
        assert fast.text() == "\n".join(reference.display)
    assert state(fast) == state(reference)
    assert "line 29" in fast.text() and "日本語" not in fast.text()  # scrolled off
