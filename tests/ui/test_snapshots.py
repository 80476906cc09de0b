"""SVG snapshots of the screens people look at, at 80x24 (pytest-textual-snapshot).

Update after an intended visual change with `pytest tests/ui/test_snapshots.py --snapshot-update`
and review the SVGs in the diff.
"""

from __future__ import annotations


def test_home(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24))


def test_runbook_prerequisites(snap_compare, make_app) -> None:
    assert snap_compare(
        make_app(), terminal_size=(80, 24), press=["enter", "down", "down", "enter", "down", "space", "down"]
    )


def test_runbook_step_with_command(snap_compare, make_app) -> None:
    assert snap_compare(
        make_app(),
        terminal_size=(80, 24),
        press=["4", "down", "down", "down", "down", "down", "enter", "down", "down"],
    )


def test_wizard_mid_path(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24), press=["w", "n", "y"])


def test_wizard_recommendation(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24), press=["w", "y", "n"])
