"""Text from outside is data: control characters are made visible before anyone shows it.

Log lines, HTTP bodies, command output, database rows, notes and session files can carry
terminal control sequences (`ESC ] 52` writes the clipboard, `ESC [ 2J` wipes the screen).
Every path that puts outside text on a terminal, in a widget or in an export calls
`visible()` first: C0 controls (ESC included), DEL and C1 controls become their visible
stand-ins (`␛`, `␡`, `\\x9b` as `⍰9b`), so nothing is interpreted and nothing is lost. Tab and
newline are text; a carriage return is shown too (it would otherwise overwrite a line).
"""

from __future__ import annotations

import re

# C0 (except tab and newline), DEL, and C1.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")
# Same, with newline too: for one-line fields (a summary, a header value, a table cell).
_CONTROL_OR_NEWLINE = re.compile("[\x00-\x1f\x7f\x80-\x9f]")


def _stand_in(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟ (ESC is ␛)
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"\u2370{code:02x}"  # ⍰9b: C1 controls have no picture of their own


def visible(text: str) -> str:
    """`text` with every control character but tab and newline made visible."""
    if not _CONTROL.search(text):  # the common case costs one scan
        return text
    return _CONTROL.sub(_stand_in, text)


def visible_line(text: str) -> str:
    """`text` for a one-line field: newlines and tabs are made visible too."""
    if not _CONTROL_OR_NEWLINE.search(text):
        return text
    return _CONTROL_OR_NEWLINE.sub(_stand_in, text)


def has_control(text: str) -> bool:
    return _CONTROL.search(text) is not None


# DEL and C1 (JSON escapes C0 itself): what `json.dumps(..., ensure_ascii=False)` leaves raw.
_JSON_RAW_CONTROL = re.compile("[\x7f-\x9f]")


def json_for_terminal(json_text: str) -> str:
    """JSON text (from `json.dumps(..., ensure_ascii=False)`) safe to print and faithful.

    JSON escapes C0 controls (ESC is written `\\u001b`) but leaves DEL and C1 (`\\x9b` is CSI
    on many terminals) raw; they can only occur inside strings, where `\\u009b` means the same,
    so the data a tool reads back is unchanged and nothing reaches the terminal raw.
    """
    if not _JSON_RAW_CONTROL.search(json_text):
        return json_text
    return _JSON_RAW_CONTROL.sub(lambda m: f"\\u{ord(m.group(0)):04x}", json_text)
