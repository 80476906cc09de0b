"""Run the command line in this process, as the user would, and get its exit status."""

from __future__ import annotations

from omniops_tui.cli import main


def run_cli(args: list[str]) -> int:
    """`omniops-tui ARGS` through `main()` (errors become one line and an exit code)."""
    try:
        main(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0
