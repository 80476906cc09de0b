"""The parsed-model cache for a large file parsed beside the UI, written and read in pieces.

`cache.py` pickles a file's model in one call. For a 50 MB file that one call holds the
interpreter for seconds (~1.7 s per 10 MB on a busy machine) while the TUI's thread waits for
it: a frozen screen at the end of the first start and again on the second. Here each runbook,
each document and each of a document's sections is its own pickle in one file, so the thread
writing or reading it lets the UI run between pieces. Same key as `cache.py` (content, id
namespace, tool and parser version), its own suffix.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from omniops_tui.runbooks import cache
from omniops_tui.runbooks.cache import ParsedFile
from omniops_tui.runbooks.model import Document, RunbookSet

SUFFIX = ".pieces"


def parse_in_pieces(
    file: Path,
    data: bytes,
    namespace: str | None,
    default_title: str,
    progress: Callable[[float], None] | None = None,
) -> ParsedFile:
    """The parsed model of `data` (the bytes of `file`), from the piecewise cache when it has
    it; `UserError` when it is not UTF-8."""
    return cache.cached_parse(
        file, data, namespace, default_title, progress, suffix=SUFFIX, load=_load, dump=_dump
    )


def _dump(parsed: ParsedFile, handle: IO[bytes]) -> None:
    model = parsed.runbook_set

    def put(thing: Any) -> None:
        pickle.dump(thing, handle, protocol=pickle.HIGHEST_PROTOCOL)

    put((model.overview, model.sources, parsed.warnings, len(model.runbooks), len(model.documents)))
    for runbook in model.runbooks:
        put(runbook)
    for document in model.documents:
        put(Document(document.id, document.source, document.title, document.folder, document.runbook_ids))
        put((document.front_matter, document.appendix_title, len(document.preamble), len(document.appendix)))
        for section in [*document.preamble, *document.appendix]:
            put(section)


def _load(path: Path) -> ParsedFile:
    with open(path, "rb") as handle:
        overview, sources, warnings, runbooks, documents = pickle.load(handle)
        model = RunbookSet(
            runbooks=[pickle.load(handle) for _ in range(runbooks)], overview=overview, sources=sources
        )
        for _ in range(documents):
            document: Document = pickle.load(handle)
            document.front_matter, document.appendix_title, preamble, appendix = pickle.load(handle)
            document.preamble = [pickle.load(handle) for _ in range(preamble)]
            document.appendix = [pickle.load(handle) for _ in range(appendix)]
            model.documents.append(document)
    # A file's preamble and appendix are its documents' (as the parser builds them).
    model.preamble = [section for document in model.documents for section in document.preamble]
    model.appendix = [section for document in model.documents for section in document.appendix]
    return ParsedFile(model, warnings)
