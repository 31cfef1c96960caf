"""The document store: every open document's own text, version, parso tree and findings.

The server keeps its own copy of each document instead of pygls' ``TextDocument``: pygls
splits lines with ``str.splitlines`` (form feeds, U+2028, ... end lines there) and then applies
LSP ranges to the wrong lines.  Here lines follow LSP's rule (only ``\\n``, ``\\r\\n``, ``\\r``)
through ``parso.utils.split_lines``, which is also what parso's diff parser consumes.

Findings come from a per-document incremental engine that re-parses and re-checks only the
top-level blocks an edit touches.  Requests (code actions, hover) work on the block holding
their position (:meth:`Document.view_at`): its tree is the engine's, its analysis cached per
block; no request parses or analyses the whole file.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import logging
from collections.abc import Iterator, Sequence

from lsprotocol import types

from coro_ls.editing.excerpts import DocumentFacts, Excerpt, excerpt_of
from coro_ls.engine.block_views import BlockView, view_at, views
from coro_ls.engine.findings import Finding
from coro_ls.engine.findings import Position as ParsoPosition
from coro_ls.engine.incremental import IncrementalDocument
from coro_ls.engine.versions import Version, running_version
from coro_ls.server import positions

logger = logging.getLogger(__name__)

# One counter for the whole process: a revision identifies one (text, options) state of one
# document, so a pull-diagnostics result id can never be mistaken for another document's, nor
# for an earlier life of the same uri (close, then reopen at the same version).
_revisions = itertools.count(1)


class UnappliableEdit(ValueError):
    """A change whose range lies beyond the end of the document: the client's text and ours
    have diverged, and no clamping can tell what the client meant."""


class Document:
    """One open document.  Only the event-loop thread may touch it: its trees are updated in
    place, so nodes must not be kept across edits either.

    The text and the findings live in an :class:`~coro_ls.engine.incremental.IncrementalDocument`,
    which re-parses and re-checks only the top-level blocks an edit touches.  Features see
    its blocks through :meth:`view_at` / :meth:`excerpt_at`, valid until the next edit.
    """

    def __init__(
        self, uri: str, text: str, version: int, *, target: Version, top_level_await: bool
    ) -> None:
        self.uri = uri
        self.version = version
        self.target = target
        self.top_level_await = top_level_await
        self.revision = next(_revisions)
        self.broken = False
        """An edit could not be applied: the text is the last good one, and diagnostics are
        not published until the document is opened again."""
        self._incremental = IncrementalDocument(
            text, target=target, top_level_await=top_level_await
        )
        self._text: str | None = text
        self._findings: list[Finding] | None = None
        self._facts: tuple[int, DocumentFacts] | None = None

    # --- text -------------------------------------------------------------------------------

    @property
    def lines(self) -> Sequence[str]:
        """The lines with their terminators; a final ``""`` follows a trailing line break."""
        return self._incremental.lines

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self._incremental.text
        return self._text

    def replace_all(self, text: str) -> None:
        self._incremental = IncrementalDocument(
            text, target=self.target, top_level_await=self.top_level_await
        )
        self._edited()
        self._text = text

    def replace(self, start: ParsoPosition, end: ParsoPosition, text: str) -> None:
        """Replace ``[start, end)`` (parso positions, clamped into the text) by ``text``."""
        start, end = self._clamp(start), self._clamp(end)
        if start > end:
            start, end = end, start
        self._incremental.replace(start, end, text)
        self._edited()

    def _clamp(self, position: ParsoPosition) -> ParsoPosition:
        lines = self.lines
        if position[0] < 1:
            return 1, 0
        if position[0] > len(lines):
            return len(lines), len(positions.content(lines[-1]))
        length = len(positions.content(lines[position[0] - 1]))
        return position[0], min(max(position[1], 0), length)

    def apply_changes(
        self, changes: Sequence[types.TextDocumentContentChangeEvent], encoding: str
    ) -> None:
        """Apply LSP content changes in order (each one's range refers to the text after the
        previous one).  A character past the end of a line means the end of that line (LSP)
        and inverted ranges are reordered, both logged; a range starting on a line the
        document does not have raises :class:`UnappliableEdit` before anything of that
        change is applied."""
        for change in changes:
            if isinstance(change, types.TextDocumentContentChangePartial):
                self._check_lines(change.range)
                lines = self.lines
                start, start_exact = positions.from_lsp(lines, change.range.start, encoding)
                end, end_exact = positions.from_lsp(lines, change.range.end, encoding)
                if not (start_exact and end_exact):
                    logger.warning(
                        "%s v%s: change range %s clamped into the text (%s..%s in code points)",
                        self.uri,
                        self.version,
                        change.range,
                        start,
                        end,
                    )
                if start > end:
                    logger.warning(
                        "%s v%s: inverted change range %s applied with its ends swapped",
                        self.uri,
                        self.version,
                        change.range,
                    )
                self.replace(start, end, change.text)
            else:
                self.replace_all(change.text)

    def _check_lines(self, change_range: types.Range) -> None:
        # Line count in LSP terms: "a\n" has lines 0 and 1.  Some clients address the end
        # of the document as (line count, 0); anything further is not this document.
        count = len(self.lines)
        for position in (change_range.start, change_range.end):
            if position.line > count or (position.line == count and position.character > 0):
                raise UnappliableEdit(
                    f"change range {change_range} is beyond the document's {count} lines"
                )

    def _edited(self) -> None:
        self._text = None
        self._findings = None
        self.revision = next(_revisions)

    # --- options ----------------------------------------------------------------------------

    def set_options(self, *, target: Version, top_level_await: bool) -> None:
        if (target, top_level_await) == (self.target, self.top_level_await):
            return
        if target != self.target:
            self._incremental = IncrementalDocument(
                self.text, target=target, top_level_await=top_level_await
            )
        else:
            self._incremental.set_top_level_await(top_level_await)
        self.target, self.top_level_await = target, top_level_await
        self._findings = None
        self.revision = next(_revisions)

    def touch(self) -> None:
        """A new revision for the same text and options: what is shown of the findings
        changed (settings such as ``select`` or ``severity``), so a pull must not be told
        "unchanged"."""
        self.revision = next(_revisions)

    # --- blocks and findings ----------------------------------------------------------------

    @property
    def incremental(self) -> IncrementalDocument:
        return self._incremental

    def view_at(self, line: int) -> BlockView:
        """The block holding (parso) line ``line``, as the engine keeps it."""
        return view_at(self._incremental, line)

    def views(self, first: int, last: int) -> list[BlockView]:
        """The blocks overlapping (parso) lines ``first..last``."""
        return list(views(self._incremental, first, last))

    def excerpt(self, view: BlockView) -> Excerpt:
        """A block with the document-wide facts editing needs (found once per revision)."""
        if self._facts is None or self._facts[0] != self.revision:
            self._facts = (self.revision, DocumentFacts(self._incremental))
        return excerpt_of(self._incremental, view, self._facts[1])

    def block_findings(self, view: BlockView) -> list[tuple[Finding, Finding]]:
        """The block's findings in its tree's coordinates (what the editing functions speak),
        each with the same finding as published (pointers to enclosing classes on their real
        headers)."""
        raw = view.findings()
        if not any(finding.related for finding in raw):
            return [(finding, finding.shifted(view.shift)) for finding in raw]
        published = {(f.code, f.message, f.start, f.end): f for f in self.findings()}
        pairs = []
        for finding in raw:
            placed = finding.shifted(view.shift)
            key = (placed.code, placed.message, placed.start, placed.end)
            pairs.append((finding, published.get(key, placed)))
        return pairs

    def excerpt_at(self, line: int) -> tuple[Excerpt, BlockView]:
        view = self.view_at(line)
        return self.excerpt(view), view

    def findings(self) -> list[Finding]:
        """The engine's findings for the current text and options (computed once per revision;
        only the blocks an edit touched are parsed and checked again)."""
        if self._findings is None:
            self._findings = self._incremental.findings()
        return self._findings


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Parse a whole document without the cyclic garbage collector, then freeze what exists.

    A parse allocates a node per token, which makes the collector run its full passes over
    everything alive again and again (about a third of a large parse); and afterwards each
    full pass would walk every tree on some unlucky keystroke.  Trees hold no garbage while
    their document is open, so they are frozen (``gc.freeze``) until a document closes.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        # Garbage left by earlier edits (replaced block trees) must not be frozen with the
        # new tree, or it would stay until the next close.
        gc.collect()
        gc.freeze()


class DocumentStore:
    """Open documents by uri (the uri exactly as the client sent it)."""

    def __init__(self, *, target: Version | None = None, top_level_await: bool = False) -> None:
        self.target = target or running_version()
        self.top_level_await = top_level_await
        self._documents: dict[str, Document] = {}

    def open(self, uri: str, text: str, version: int) -> Document:
        if uri in self._documents:
            logger.warning("%s opened again; the new text replaces the old", uri)
        with _collector_paused():
            document = Document(
                uri, text, version, target=self.target, top_level_await=self.top_level_await
            )
        self._documents[uri] = document
        return document

    def change(
        self,
        uri: str,
        version: int,
        changes: Sequence[types.TextDocumentContentChangeEvent],
        encoding: str,
    ) -> Document | None:
        document = self._documents.get(uri)
        if document is None:
            logger.warning("change to %s, which is not open: ignored", uri)
            return None
        if document.broken:
            logger.warning("change to %s v%s ignored: its text was lost earlier", uri, version)
            return None
        if version <= document.version:
            logger.warning(
                "%s: version %s after version %s; applied anyway", uri, version, document.version
            )
        try:
            document.apply_changes(changes, encoding)
        except UnappliableEdit as error:
            logger.error("%s v%s: %s; keeping the last good text", uri, version, error)
            document.broken = True
            raise
        finally:
            document.version = version
        return document

    def close(self, uri: str) -> bool:
        closed = self._documents.pop(uri, None) is not None
        if closed:
            # Frozen trees are never collected: thaw them so the closed document's tree
            # (parent and child links form cycles) can be freed.
            gc.unfreeze()
        return closed

    def set_options(self, *, target: Version | None = None, top_level_await: bool = False) -> None:
        """Change the target version / top-level-await mode of every document, open or future."""
        self.target = target or running_version()
        self.top_level_await = top_level_await
        for document in self._documents.values():
            document.set_options(target=self.target, top_level_await=top_level_await)

    def get(self, uri: str) -> Document | None:
        return self._documents.get(uri)

    def __getitem__(self, uri: str) -> Document:
        return self._documents[uri]

    def __contains__(self, uri: object) -> bool:
        return uri in self._documents

    def __iter__(self) -> Iterator[Document]:
        return iter(list(self._documents.values()))

    def __len__(self) -> int:
        return len(self._documents)
