"""What the first screen needs, read before the terminal is taken over: runbooks and config.

The TUI paints its home screen before the engine is imported (issue 12: the engine's modules,
the checks' clients and the session's vocabulary cost more than Textual itself). So a live
start is split in two: `load_start(options)` reads only what home shows (the runbooks, from
the parse cache when warm) and the config, and raises the common user errors (a malformed
file, an unknown environment, an unset secret variable) as a `UserError` while the terminal is
still the user's; `live.setup.load_setup(options, start=...)` builds the rest (which decision
tree, criteria and bindings apply, then those and the redactor) from the same inputs once the
first frame is out.

Even those two are read after the first frame when a cache vouches that they load without an
error: the runbooks when home is drawn from its index (ui/home_index.py: the same files,
unchanged since they last loaded; `runbooks_later`), the config when its verdict holds
(config/verdict.py: the same file, code, `--env` and set secret variables; `config_later`).
Both are read at their first use (`StartInputs.loaded`, `.config`). This module imports the
runbook loader and the config's model only when it reads them: keep it that way, it is on the
path to the first paint.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from omniops_tui.core.errors import UserError
from omniops_tui.options import ensure_sessions_dir

if TYPE_CHECKING:
    from omniops_tui.config.model import Config, Environment
    from omniops_tui.options import Options
    from omniops_tui.runbooks.bundle import RunbookBundle
    from omniops_tui.runbooks.loader import LoadResult, Progress
    from omniops_tui.runbooks.model import RunbookSet


@dataclass
class StartInputs:
    """The inputs read before the first paint, reused as they are by the full set-up. The
    runbooks and the config are read at their first use when a cache vouched for them."""

    options: Options
    preloaded: LoadResult | None = None  # None: read at the first use of `loaded`
    preconfigured: tuple[Config, Environment | None] | None = None  # None: read at first use
    with_environment: bool = True
    environment_name: str = ""  # the chosen environment's, for the first frame

    @cached_property
    def loaded(self) -> LoadResult:
        """The runbooks as loaded before the first paint, or now (`runbooks_later`)."""
        if self.preloaded is not None:
            return self.preloaded
        from omniops_tui.runbooks.loader import load_runbook_files

        return load_runbook_files(self.options.runbooks)

    @cached_property
    def _configured(self) -> tuple[Config, Environment | None]:
        if self.preconfigured is not None:
            return self.preconfigured
        return read_config(self.options, self.with_environment)

    @property
    def config(self) -> Config:
        return self._configured[0]

    @property
    def environment(self) -> Environment | None:
        return self._configured[1]

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


def read_config(options: Options, with_environment: bool = True) -> tuple[Config, Environment | None]:
    """The config and its environment; `UserError` for anything wrong with them, including a
    secret variable the environment names but nobody set."""
    config = options.load_config()
    environment = config.environment(options.env) if with_environment else None
    if environment is not None:
        from omniops_tui.config.model import missing_secrets

        problems = missing_secrets(config, environment)
        if problems:
            raise UserError(problems[0])
    return config, environment


def load_start(
    options: Options,
    *,
    with_environment: bool = True,
    progress: Progress | None = None,
    runbooks_later: bool = False,
    config_later: bool = False,
) -> StartInputs:
    """Runbooks, config and environment; raises `UserError` (one line, exit 2) on anything wrong
    with them, including a secret variable the environment names but nobody set, and a
    sessions folder that is a file or cannot be made. `runbooks_later`: the runbooks are read
    at their first use instead (home's index showed they load). `config_later`: so is the
    config, when it loaded without an error last time and nothing it depends on changed
    (config/verdict.py); when it did change, it is read now and remembered for next time."""
    loaded = None
    if not runbooks_later:
        from omniops_tui.runbooks.loader import load_runbook_files

        loaded = load_runbook_files(options.runbooks, progress)
    if config_later and with_environment:
        from omniops_tui.config import verdict
        from omniops_tui.config.locations import default_config_path

        config_path = (options.config or default_config_path()).absolute()
        found = verdict.read(config_path, options.env)
        if found is not None:
            sessions = options.sessions_dir or (
                Path(found.sessions_dir).expanduser() if found.sessions_dir else None
            )
            ensure_sessions_dir(sessions or options.resolve_sessions_dir(None))
            return StartInputs(options, loaded, None, with_environment, found.environment)
        config, environment = read_config(options, with_environment)
        verdict.write(config_path, options.env, config, environment)
    else:
        config, environment = read_config(options, with_environment)
    ensure_sessions_dir(options.resolve_sessions_dir(config))  # the record needs it, first of all
    name = environment.name if environment is not None else ""
    return StartInputs(options, loaded, (config, environment), with_environment, name)
