"""`python -m omniops_tui` behaves exactly like the `omniops-tui` command."""

from omniops_tui.cli import main

if __name__ == "__main__":
    main()
