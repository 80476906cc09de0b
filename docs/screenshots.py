"""Regenerate the README's SVG screenshots from the real app at 80x24.

    .venv/bin/python docs/screenshots.py

Each shot is the app driven by keys, exactly like a Pilot test, into a throwaway session.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from omniops_tui.app import build_app  # noqa: E402
from omniops_tui.cli import Options  # noqa: E402

OUT = Path(__file__).parent / "screenshots"
SHOTS: dict[str, list[str]] = {
    "home": [],
    "runbook-checklist": ["enter", "down", "down", "enter", "down", "space", "down", "space", "down"],
    "runbook-step": ["4", "down", "down", "down", "down", "down", "enter", "down", "down"],
    "wizard": ["w", "y", "n"],
    "help": ["question_mark"],
}


async def shoot(name: str, keys: list[str], sessions: Path) -> None:
    app = build_app(Options(None, sessions, None, None, False), session_id=f"docs-{name}")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
        await pilot.pause(0.3)
        app.save_screenshot(str(OUT / f"{name}.svg"))
        await pilot.press("ctrl+q")


async def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, keys in SHOTS.items():
            await shoot(name, keys, Path(tmp))
            print(OUT / f"{name}.svg")


if __name__ == "__main__":
    asyncio.run(main())
