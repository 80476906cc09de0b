"""What the first screen needs, read before the terminal is taken over: runbooks and config.

The TUI paints its home screen before the engine is imported (issue 12: the engine's modules,
the checks' clients and the session's vocabulary cost more than Textual itself). So a live
start is split in two: `load_start(options)` reads only what home shows (the runbooks, from
the parse cache when warm) and the config, and raises the common user errors (a malformed
file, an unknown environment, an unset secret variable) as a `UserError` while the terminal is
still the user's; `live.setup.load_setup(options, start=...)` builds the rest (decision tree,
criteria, bindings, redactor) from the same inputs once the first frame is out.

This module imports only the runbook model and the config: keep it that way, it is on the
path to the first paint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from omniops_tui.core.errors import UserError
from omniops_tui.options import ensure_sessions_dir
from omniops_tui.runbooks.bundle import RunbookBundle, load_runbook_bundle

if TYPE_CHECKING:
    from omniops_tui.config.model import Config, Environment
    from omniops_tui.options import Options
    from omniops_tui.runbooks.loader import Progress


@dataclass
class StartInputs:
    """The inputs read before the first paint, reused as they are by the full set-up."""

    options: Options
    bundle: RunbookBundle
    config: Config
    environment: Environment | None


def load_start(
    options: Options, *, with_environment: bool = True, progress: Progress | None = None
) -> StartInputs:
    """Runbooks, config and environment; raises `UserError` (one line, exit 2) on anything wrong
    with them, including a secret variable the environment names but nobody set, and a
    sessions folder that is a file or cannot be made."""
    bundle = load_runbook_bundle(options.runbooks, progress)
    config = options.load_config()
    environment = config.environment(options.env) if with_environment else None
    if environment is not None:
        from omniops_tui.config.model import missing_secrets

        problems = missing_secrets(config, environment)
        if problems:
            raise UserError(problems[0])
    ensure_sessions_dir(options.resolve_sessions_dir(config))  # the record needs it, first of all
    return StartInputs(options, bundle, config, environment)
