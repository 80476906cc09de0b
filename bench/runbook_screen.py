"""Open a 171-item checklist section and tick in it, several rounds; ONE JSON line with the
median and range of each (targets: open ≤ 300 ms, a tick shown ≤ 100 ms).

Reference in the same run: the bundled Standard Release's Prerequisites (18 items). The app is
the real one (`build_app`) at 80x24, headless; "open" is from showing the section to the
first frame with its rows laid out, "tick" from space (a key event given to the driver, as a
terminal's would be) to the row showing the tick with no refresh or layout left pending.
The waits poll the app without Pilot: `pilot.pause()` posts a message to every widget and
waits for each, which cost more than the tick itself with 500 rows (the old figures had it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

from textual import events

from omniops_tui.options import Options
from omniops_tui.ui.factory import build_app
from omniops_tui.ui.screens.runbook import RunbookScreen, SectionView
from omniops_tui.ui.widgets.runbook_rows import ChecklistItemRow

ITEMS = 171


def big_section(folder: Path) -> Path:
    lines = ["# Quarterly failover drill", "", "## Overview", "", "Read first.", "", "## Drill", ""]
    for n in range(ITEMS):
        lines.append(f"- [ ] Step {n}: confirm replica {n} of the cluster answers and lags under 5 s")
    path = folder / "drill.md"
    path.write_text("\n".join(lines) + "\n")
    return path


async def until(pilot, condition, timeout: float = 30.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.001)


def settled(app) -> bool:
    """No widget waits for a repaint and no layout is pending: the frame shows the change."""
    screen = app.screen
    pending = (
        screen._layout_required,
        screen._scroll_required,
        screen._repaint_required,
        screen._recompose_required,
        screen._dirty_widgets,
    )
    return not any(pending)


async def one_round(
    runbooks: Path | None, runbook_key: str, section_index: int, sessions: Path
) -> tuple[float, float]:
    app = build_app(Options(runbooks=runbooks, sessions_dir=sessions))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(runbook_key)
        await until(pilot, lambda: isinstance(app.screen, RunbookScreen))
        screen = app.screen
        section = screen.runbook.sections[section_index]
        start = time.perf_counter()
        screen.show_section(section.id)
        await until(pilot, lambda: screen.current_section is section and screen.current_view() is not None)
        view = screen.current_view()

        def painted() -> bool:  # the first frame with the section's rows laid out
            rows = [r for r in view.children if isinstance(r, ChecklistItemRow)]
            return bool(rows) and rows[0].region.height > 0

        await until(pilot, lambda: painted() and settled(app))
        opened = (time.perf_counter() - start) * 1000
        await pilot.pause()  # the rest of the rows arrive
        screen.action_focus_content()
        await until(pilot, lambda: isinstance(app.focused, SectionView))
        rows = list(view.query(ChecklistItemRow))
        view.index = list(view.children).index(rows[0])
        await pilot.pause()
        start = time.perf_counter()
        app._driver.send_message(events.Key("space", " "))
        await until(pilot, lambda: rows[0].has_class("done") and settled(app))
        ticked = (time.perf_counter() - start) * 1000
    return opened, ticked


def summary(values: list[float]) -> dict:
    return {
        "median_ms": round(statistics.median(values), 1),
        "min_ms": round(min(values), 1),
        "max_ms": round(max(values), 1),
        "rounds": len(values),
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        drill = big_section(folder)
        cases = {"bundled_18": (None, "1", 2), f"section_{ITEMS}": (drill, "1", 1)}
        for name, (runbooks, key, index) in cases.items():
            opened, ticked = [], []
            for _ in range(args.rounds):
                o, t = await one_round(runbooks, key, index, folder / "sessions")
                opened.append(o)
                ticked.append(t)
            results[f"{name}_open"] = summary(opened)
            results[f"{name}_tick"] = summary(ticked)
    print(json.dumps(results))


if __name__ == "__main__":
    asyncio.run(main())
