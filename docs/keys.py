"""Print the README's keys table from the bindings themselves (one source of truth).

.venv/bin/python docs/keys.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def keys_table() -> str:
    from omniops_tui.ui.screens.help import key_label, screen_groups

    lines = ["| Key | What it does |", "|---|---|"]
    for title, bindings, extras in screen_groups():
        lines.append(f"| **{title}** | |")
        seen: set[str] = set()
        for binding in bindings:
            if binding.action in seen:
                continue
            seen.add(binding.action)
            description = binding.description + (f": {binding.tooltip}" if binding.tooltip else "")
            lines.append(f"| `{key_label(binding.key)}` | {description} |")
        for keys, description in extras:
            lines.append(f"| `{keys}` | {description} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(keys_table())
