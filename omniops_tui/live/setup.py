"""Everything a session is built from, loaded once and checked before anything starts.

`load_setup(options)` reads the config, picks the environment, loads the runbooks and the logic
that belongs to them (decision tree, rollback criteria, check bindings) and builds the redactor;
every user error (a malformed file, an unset secret variable) surfaces here as a `UserError`,
before a terminal is taken over. `open_session` then creates (or resumes) the recording. The
TUI, the headless `check` and `run`, and the tests all go through these two functions.

Which logic applies: a team's own `decision-tree.toml` / `rollback-criteria.toml` beside its
runbooks; else the bundled ones, but only when the runbooks they name are loaded (the bundled
tree recommends the bundled runbooks; asking its questions over a team's runbooks would lie).
The session header records which files were used, with their content hash and a copy of the
small logic files, so a replay asks the same questions even if the files changed since.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omniops_tui.live.start import StartInputs, load_start
from omniops_tui.sessions.view import SessionBasis

if TYPE_CHECKING:
    from omniops_tui.config.model import Config, Environment
    from omniops_tui.logic.criteria import Criterion
    from omniops_tui.logic.decision import DecisionTree
    from omniops_tui.options import Options
    from omniops_tui.probes.bindings import Bindings
    from omniops_tui.runbooks.bundle import RunbookBundle
    from omniops_tui.runbooks.loader import Progress
    from omniops_tui.runbooks.model import RunbookSet
    from omniops_tui.sessions.recorder import Clock, SessionRecorder
    from omniops_tui.sessions.redact import Redactor
    from omniops_tui.sessions.state import SessionState

LOGIC_COPY_LIMIT = 256_000  # bytes of a logic file copied into the header


@dataclass
class LogicFile:
    """One logic file a session used: where it was, its hash, and (when small) its text."""

    kind: str
    path: str
    sha256: str
    text: str = ""

    def to_record(self) -> dict[str, Any]:
        return {"kind": self.kind, "path": self.path, "sha256": self.sha256, "text": self.text}


@dataclass
class LiveSetup:
    """The loaded, validated inputs of a session."""

    options: Options
    config: Config
    environment: Environment | None
    runbooks: RunbookSet
    tree: DecisionTree | None
    criteria: list[Criterion]
    bindings: Bindings | None
    redactor: Redactor
    logic_files: list[LogicFile] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def read_only(self) -> bool:
        return self.options.read_only or self.config.read_only

    @property
    def interval(self) -> float:
        return self.config.interval(self.environment)

    @property
    def basis(self) -> SessionBasis:
        return SessionBasis(
            runbooks=self.runbooks,
            tree=self.tree,
            criteria=tuple(self.criteria),
            environment=self.environment.name if self.environment else "",
            interval=self.interval,
            notices=tuple(self.notices),
            places=frozenset(
                place
                for spec in (self.bindings.checks.values() if self.bindings else ())
                for place in spec.places
            ),
        )


def load_setup(
    options: Options,
    *,
    with_environment: bool = True,
    progress: Progress | None = None,
    start: StartInputs | None = None,
) -> LiveSetup:
    """Read and check everything; raises `UserError` (one line, exit 2) on anything wrong.
    `progress(files read, files)` hears how far the runbooks are loaded. `start`: the runbooks
    and config the first screen was drawn from (live/start.py), not read a second time."""
    from omniops_tui.logic.criteria import load_criteria
    from omniops_tui.sessions.redact import build_redactor

    if start is None:
        start = load_start(options, with_environment=with_environment, progress=progress)
    bundle, config, environment = start.bundle, start.config, start.environment
    runbooks = bundle.runbooks
    notices: list[str] = []
    if options.runbooks is not None:
        if runbooks.loading is not None and not runbooks.loading.finished:  # a large file: in flight
            count = len(runbooks.loading.files)
            notices.append(f"Loading runbooks from {count} large file(s); home shows how far")
        else:
            notices.append(f"Loaded {bundle.summary}")  # a team's folder: what loaded, what did not
    files: list[LogicFile] = []
    tree = _tree(bundle, notices)
    criteria = load_criteria(bundle.criteria_path) if bundle.criteria_path is not None else []
    files.extend(
        logic_file(kind, path)
        for kind, path in (("tree", bundle.tree_path), ("criteria", bundle.criteria_path))
        if path is not None
    )
    files.extend(logic_file("runbook", Path(source), copy=False) for source in runbooks.sources)
    bindings = None
    if environment is not None:  # (its secrets were checked with the config: live/start.py)
        from omniops_tui.probes.bindings import load_bindings
        from omniops_tui.probes.config_commands import check_config_commands, command_check_warnings

        check_config_commands(config)  # the hosts' own commands must be read-only too
        bindings = load_bindings(options.runbooks, runbooks)
        notices.extend(command_check_warnings(options.runbooks))
    # Secrets never reach the record: every event is redacted before it is written.
    redactor = build_redactor(config, environment)
    notices.extend(f"secret '{name}' is not set, so it cannot be redacted" for name in redactor.unresolved)
    return LiveSetup(
        options=options,
        config=config,
        environment=environment,
        runbooks=runbooks,
        tree=tree,
        criteria=criteria,
        bindings=bindings,
        redactor=redactor,
        logic_files=files,
        notices=notices,
    )


def open_session(
    setup: LiveSetup, *, resume: Path | None = None, session_id: str = "", clock: Clock | None = None
) -> tuple[SessionRecorder, SessionState]:
    """Create the session file (or reopen one with `--resume`) and the state folded so far."""
    from omniops_tui.sessions.reader import read_session
    from omniops_tui.sessions.recorder import SessionRecorder
    from omniops_tui.sessions.state import SessionState

    state = SessionState()
    if resume is not None:
        session = read_session(resume)
        setup.notices.extend(session.notices)
        for event in session.events:
            state.apply(event)
        recorder = SessionRecorder.resume(
            resume,
            session.header,
            last_seq=session.last_seq,
            last_offset=session.last_offset,
            truncated_tail=session.truncated_tail,
            clock=clock,
            redactor=setup.redactor,
        )
        return recorder, state
    recorder = SessionRecorder.create(
        setup.options.resolve_sessions_dir(setup.config),
        setup.runbooks.sources,
        environment=setup.environment.name if setup.environment else "",
        session_id=session_id,
        clock=clock,
        redactor=setup.redactor,
        header_extra={"logic": [f.to_record() for f in setup.logic_files]},
    )
    return recorder, state


# ---------------------------------------------------------------------------- which logic applies
def _tree(bundle: RunbookBundle, notices: list[str]) -> DecisionTree | None:
    """The bundle's tree (a team's own, or the bundled one when its runbooks are loaded). A
    team's tree that names runbooks it does not have is said so once, at start; without a
    tree the wizard offers a search over the runbooks instead."""
    from omniops_tui.logic.decision import load_tree

    if bundle.tree_path is None:
        return None
    tree = load_tree(bundle.tree_path)
    missing = tree.runbook_ids() - {r.id for r in bundle.runbooks.runbooks}
    if missing:
        notices.append(
            f"{bundle.tree_path}: the decision tree recommends runbooks that are not loaded: "
            f"{', '.join(sorted(missing))}"
        )
    return tree


def logic_file(kind: str, path: Path, *, copy: bool = True) -> LogicFile:
    """`path` as the header records it: its hash, and its text when small (a runbook file's
    text is never copied: the header stays small)."""
    data = path.read_bytes()
    text = data.decode("utf-8", "replace") if copy and len(data) <= LOGIC_COPY_LIMIT else ""
    return LogicFile(kind, str(path), hashlib.sha256(data).hexdigest(), text)
