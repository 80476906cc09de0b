"""Parse the bundled runbook document several times; print the median in one JSON line.

Target (issue 2): well under 100 ms.
"""

from __future__ import annotations

import json
import statistics
import time

from omniops_tui.runbooks.loader import BUNDLED_DOCUMENT
from omniops_tui.runbooks.parser import parse_markdown


def main(runs: int = 15) -> None:
    text = BUNDLED_DOCUMENT.read_text(encoding="utf-8")
    parse_markdown(text, str(BUNDLED_DOCUMENT))  # warm up imports and the markdown-it instance
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        result = parse_markdown(text, str(BUNDLED_DOCUMENT))
        timings.append((time.perf_counter() - start) * 1000)
    assert len(result.runbooks.all_items()) == 222
    print(
        json.dumps(
            {
                "parse_ms": round(statistics.median(timings), 2),
                "runs": runs,
                "min_ms": round(min(timings), 2),
                "max_ms": round(max(timings), 2),
            }
        )
    )


if __name__ == "__main__":
    main()
