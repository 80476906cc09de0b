"""What the first screen needs, read before the terminal is taken over: runbooks and config.

The TUI paints its home screen before the engine is imported (issue 12: the engine's modules,
the checks' clients and the session's vocabulary cost more than Textual itself). So a live
start is split in two: `load_start(options)` reads only what home shows (the runbooks, from
the parse cache when warm) and the config, and raises the common user errors (a malformed
file, an unknown environment, an unset secret variable) as a `UserError` while the terminal is
still the user's; `live.setup.load_setup(options, start=...)` builds the rest (which decision
tree, criteria and bindings apply, then those and the redactor) from the same inputs once the
first frame is out.

This module imports only the runbook model and the config: keep it that way, it is on the
path to the first paint.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from omniops_tui.core.errors import UserError
from omniops_tui.options import ensure_sessions_dir
from omniops_tui.runbooks.loader import LoadResult, load_runbook_files

if TYPE_CHECKING:
    from omniops_tui.config.model import Config, Environment
    from omniops_tui.options import Options
    from omniops_tui.runbooks.bundle import RunbookBundle
    from omniops_tui.runbooks.loader import Progress
    from omniops_tui.runbooks.model import RunbookSet


@dataclass
class StartInputs:
    """The inputs read before the first paint, reused as they are by the full set-up."""

    options: Options
    loaded: LoadResult
    config: Config
    environment: Environment | None

    @property
    def runbooks(self) -> RunbookSet:
        """What home shows."""
        return self.loaded.runbook_set

    @cached_property
    def bundle(self) -> RunbookBundle:
        """The runbooks with the logic that belongs to them: chosen when the engine is built,
        after the first paint (it reads the decision tree, criteria and bindings files)."""
        from omniops_tui.runbooks.bundle import bundle_of

        return bundle_of(self.loaded, self.options.runbooks)


def load_start(
    options: Options, *, with_environment: bool = True, progress: Progress | None = None
) -> StartInputs:
    """Runbooks, config and environment; raises `UserError` (one line, exit 2) on anything wrong
    with them, including a secret variable the environment names but nobody set, and a
    sessions folder that is a file or cannot be made."""
    loaded = load_runbook_files(options.runbooks, progress)
    config = options.load_config()
    environment = config.environment(options.env) if with_environment else None
    if environment is not None:
        from omniops_tui.config.model import missing_secrets

        problems = missing_secrets(config, environment)
        if problems:
            raise UserError(problems[0])
    ensure_sessions_dir(options.resolve_sessions_dir(config))  # the record needs it, first of all
    return StartInputs(options, loaded, config, environment)
