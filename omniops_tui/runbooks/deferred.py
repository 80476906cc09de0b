"""Large runbook files load in two steps: titles at once, the parsed model when it is ready.

The TUI must show home within 2 s even for a 50 MB file whose parse takes minutes. Inside
`deferring()` (the TUI's start), the loader gives such a file as a placeholder runbook named
after it and records it in the set's `Loading` (model.py): reading 50 MB costs milliseconds,
where even a line scan of it takes seconds on a busy machine. On a thread the App then runs
`scan_pending()` (the runbooks by title: `skeleton.py`) and `parse_pending()` (the
parsed-model cache, written and read in pieces so the UI never waits on it, makes a second
start quick); on its own thread it calls `apply_titles()` and `apply_parsed()`, which puts the
parsed runbooks where their skeletons were, in place: everything holding the `RunbookSet` sees
the full model from then on. Every other caller (`runbooks`, `check`, lint, the tests) loads
in full, as before.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from contextvars import ContextVar

from omniops_tui.runbooks.cache import ParsedFile
from omniops_tui.runbooks.model import Loading, PendingFile, Runbook, RunbookSet
from omniops_tui.runbooks.piece_cache import parse_in_pieces

DEFER_BYTES = 4_000_000  # a smaller file parses in about a second: it loads whole
_DEFERRING: ContextVar[bool] = ContextVar("omniops_defer_large_runbooks", default=False)


@contextlib.contextmanager
def deferring() -> Iterator[None]:
    """Within this block, large files load as skeletons (`RunbookSet.loading` says which)."""
    token = _DEFERRING.set(True)
    try:
        yield
    finally:
        _DEFERRING.reset(token)


def should_defer(size: int) -> bool:
    return _DEFERRING.get() and size >= DEFER_BYTES


class LoadCancelled(Exception):
    """Raised inside a parse whose `Loading` was cancelled: stops it at the next chunk."""


def scan_pending(loading: Loading) -> list[RunbookSet | None]:
    """Every pending file's runbooks by title (None: it could not be read); run on a worker
    thread, before `parse_pending`: seconds where the parse takes minutes."""
    from omniops_tui.runbooks.skeleton import skeleton  # the parser's modules: not at every start

    skeletons: list[RunbookSet | None] = []
    for pending in loading.files:
        if loading.cancelled:
            return []
        try:
            text = pending.path.read_bytes().decode("utf-8")
            skeletons.append(skeleton(text, str(pending.path), pending.namespace, pending.default_title))
        except (OSError, UnicodeDecodeError) as exc:
            loading.error = f"{pending.path}: {exc}"
            skeletons.append(None)
    return skeletons


def apply_titles(loading: Loading, runbook_set: RunbookSet, skeletons: list[RunbookSet | None]) -> None:
    """Put each file's runbook titles where its placeholder was (on the thread that shows the
    set); they stay titles only until `apply_parsed`."""
    if len(skeletons) != len(loading.files):  # cancelled
        return
    for pending, titles in zip(loading.files, skeletons, strict=True):
        if titles is None:
            continue
        _replace(runbook_set, pending, titles)
        loading.stubs.difference_update(id(stub) for stub in pending.stubs)
        pending.stubs = list(titles.runbooks)
        pending.document = titles.documents[0]
        loading.stubs.update(id(stub) for stub in pending.stubs)
    loading.titled = True


def parse_pending(loading: Loading) -> list[ParsedFile | None]:
    """The full model of every pending file (None: it could not be parsed); run on a worker
    thread. Progress goes to `loading.done_bytes` as each file's parse reports it; an empty
    list when `loading.cancelled` stopped it."""
    results: list[ParsedFile | None] = []
    before = 0
    for pending in loading.files:

        def progress(fraction: float, before: int = before, size: int = pending.size) -> None:
            if loading.cancelled:
                raise LoadCancelled
            loading.done_bytes = before + fraction * size
            # The model built so far lives as long as the session: out of the garbage
            # collector's sight. Otherwise each full collection walks all of it, holding the
            # interpreter longer as the model grows (0.33 s at 10 MB; bounded by a chunk's
            # objects now, 0.17 s); the cost is that cyclic garbage of this moment is kept.
            gc.freeze()

        try:
            data = pending.path.read_bytes()
            parsed = parse_in_pieces(pending.path, data, pending.namespace, pending.default_title, progress)
            results.append(parsed)
        except LoadCancelled:
            return []
        except Exception as exc:  # the skeleton stays; the App says why
            loading.error = f"{pending.path}: {exc}"
            results.append(None)
        before += pending.size
        loading.done_bytes = before
    return results


def apply_parsed(
    loading: Loading, runbook_set: RunbookSet, results: list[ParsedFile | None]
) -> list[Runbook]:
    """Put each parsed file where its skeleton was (call on the thread that shows the set);
    the runbooks now reachable are returned."""
    added: list[Runbook] = []
    if len(results) != len(loading.files):  # cancelled: nothing to apply
        return added
    for pending, parsed in zip(loading.files, results, strict=True):
        if parsed is None:
            continue
        _replace(runbook_set, pending, parsed.runbook_set)
        loading.stubs.difference_update(id(stub) for stub in pending.stubs)
        added.extend(parsed.runbook_set.runbooks)
    loading.finished = True
    return added


def _replace(merged: RunbookSet, pending: PendingFile, parsed: RunbookSet) -> None:
    stubs = {id(stub) for stub in pending.stubs}
    at = next((i for i, r in enumerate(merged.runbooks) if id(r) in stubs), len(merged.runbooks))
    kept = [r for r in merged.runbooks if id(r) not in stubs]
    merged.runbooks[:] = [*kept[:at], *parsed.runbooks, *kept[at:]]
    merged.overview = merged.overview or parsed.overview
    for index, document in enumerate(merged.documents):
        if document is pending.document:
            for new in parsed.documents:
                new.folder = document.folder
            merged.documents[index : index + 1] = parsed.documents
            break
    # In file order, as a whole load would have them (each file's document holds its own).
    merged.preamble[:] = [section for document in merged.documents for section in document.preamble]
    merged.appendix[:] = [section for document in merged.documents for section in document.appendix]
