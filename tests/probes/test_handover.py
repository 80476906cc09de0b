"""The shorter switch interval lasts exactly as long as some worker-thread request is in flight."""

from __future__ import annotations

import sys

from omniops_tui.probes.handover import INTERVAL_S, quick_handover


def test_the_interval_is_short_while_any_user_is_inside_and_restored_after_the_last() -> None:
    before = sys.getswitchinterval()
    first, second = quick_handover(), quick_handover()
    first.__enter__()
    assert sys.getswitchinterval() == min(before, INTERVAL_S)
    second.__enter__()
    first.__exit__(None, None, None)  # overlapping, not nested: the other is still inside
    assert sys.getswitchinterval() == min(before, INTERVAL_S)
    second.__exit__(None, None, None)
    assert sys.getswitchinterval() == before
