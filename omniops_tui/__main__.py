"""`python -m omniops_tui` and the installed `omniops-tui` command.

A plain start (no arguments, the usual one) opens the TUI without importing click or building
the command tree (launch.py, issue 12); any argument goes to the CLI (cli.py).
"""

import sys

from omniops_tui import launch


def main() -> None:
    if sys.argv[1:]:
        from omniops_tui.cli import main as cli_main

        cli_main()
    else:
        launch.run_process(launch.plain_start)


if __name__ == "__main__":
    main()
