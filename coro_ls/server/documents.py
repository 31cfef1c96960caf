"""The document store: every open document's own text, version, parso tree and findings.

The server keeps its own copy of each document instead of pygls' ``TextDocument``: pygls
splits lines with ``str.splitlines`` (form feeds, U+2028, ... end lines there) and then applies
LSP ranges to the wrong lines.  Here lines follow LSP's rule (only ``\\n``, ``\\r\\n``, ``\\r``)
through ``parso.utils.split_lines``, which is also what parso's diff parser consumes.

The tree is brought up to date lazily, when findings or the tree are asked for, by a diff
parser owned by the document (never parso's process-wide ``diff_cache``), with a full parse
as the fallback.  Edits are recorded as :class:`LineEdit` regions so that parsing and checking
can later be limited to what changed.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from lsprotocol import types
from parso.grammar import Grammar
from parso.python.diff import DiffParser
from parso.python.tree import Module
from parso.utils import split_lines

from coro_ls import engine
from coro_ls.findings import Finding
from coro_ls.findings import Position as ParsoPosition
from coro_ls.server import positions
from coro_ls.versions import Version, grammar_for, running_version

logger = logging.getLogger(__name__)

# One counter for the whole process: a revision identifies one (text, options) state of one
# document, so a pull-diagnostics result id can never be mistaken for another document's, nor
# for an earlier life of the same uri (close, then reopen at the same version).
_revisions = itertools.count(1)


@dataclass(frozen=True)
class LineEdit:
    """Lines ``[first, old_stop)`` of the previous text became lines ``[first, new_stop)``.

    Line numbers are 0-based indices into :attr:`Document.lines`.
    """

    first: int
    old_stop: int
    new_stop: int


class Document:
    """One open document.  Only the event-loop thread may touch it: the diff parser mutates
    the tree in place, so nodes must not be kept across edits either."""

    def __init__(
        self, uri: str, text: str, version: int, *, target: Version, top_level_await: bool
    ) -> None:
        self.uri = uri
        self.version = version
        self.target = target
        self.top_level_await = top_level_await
        self.revision = next(_revisions)
        self.fallbacks = 0
        """How often the diff parser failed and a full parse replaced it."""
        self.pending_edits: list[LineEdit] = []
        """Line regions edited since the tree was last brought up to date."""
        self._lines: list[str] = split_lines(text, keepends=True)
        self._text: str | None = text
        self._module: Module | None = None
        self._parsed_lines: list[str] = []
        self._parsed_grammar: Grammar | None = None
        self._findings: list[Finding] | None = None

    # --- text -------------------------------------------------------------------------------

    @property
    def lines(self) -> Sequence[str]:
        """The lines with their terminators; a final ``""`` follows a trailing line break."""
        return self._lines

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = "".join(self._lines)
        return self._text

    def replace_all(self, text: str) -> LineEdit:
        old_count = len(self._lines)
        self._lines = split_lines(text, keepends=True)
        self._text = text
        return self._edited(LineEdit(0, old_count, len(self._lines)))

    def replace(self, start: ParsoPosition, end: ParsoPosition, text: str) -> LineEdit:
        """Replace ``[start, end)`` (parso positions, clamped into the text) by ``text``."""
        start, end = self._clamp(start), self._clamp(end)
        if start > end:
            start, end = end, start
        first, last = start[0] - 1, end[0] - 1
        lines = self._lines
        head = lines[first][: start[1]]
        # ``end`` is clamped before the line terminator, so ``tail`` keeps it: the region
        # re-split below always ends where a line of the old text ended.
        tail = lines[last][end[1] :]
        region = head + text + tail
        # A "\r" ending the previous line and a "\n" now starting this region are one line
        # break, not two: take the previous line into the region so that they merge.
        if first > 0 and region.startswith("\n") and lines[first - 1].endswith("\r"):
            first -= 1
            region = lines[first] + region
        pieces = split_lines(region, keepends=True)
        if last < len(lines) - 1:
            pieces.pop()  # the empty piece after the region's final terminator
        # A new list, never an in-place splice: the diff parser needs the old lines intact.
        self._lines = lines[:first] + pieces + lines[last + 1 :]
        self._text = None
        return self._edited(LineEdit(first, last + 1, first + len(pieces)))

    def _clamp(self, position: ParsoPosition) -> ParsoPosition:
        if position[0] < 1:
            return 1, 0
        if position[0] > len(self._lines):
            return len(self._lines), len(positions.content(self._lines[-1]))
        length = len(positions.content(self._lines[position[0] - 1]))
        return position[0], min(max(position[1], 0), length)

    def apply_changes(
        self, changes: Sequence[types.TextDocumentContentChangeEvent], encoding: str
    ) -> None:
        """Apply LSP content changes in order (each one's range refers to the text after the
        previous one).  Out-of-range positions are clamped as LSP says, inverted ranges are
        reordered; both are logged, never silently corrupting the text."""
        for change in changes:
            if isinstance(change, types.TextDocumentContentChangePartial):
                start, start_exact = positions.from_lsp(self._lines, change.range.start, encoding)
                end, end_exact = positions.from_lsp(self._lines, change.range.end, encoding)
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

    def _edited(self, edit: LineEdit) -> LineEdit:
        self.pending_edits.append(edit)
        self._findings = None
        self.revision = next(_revisions)
        return edit

    # --- options ----------------------------------------------------------------------------

    def set_options(self, *, target: Version, top_level_await: bool) -> None:
        if (target, top_level_await) == (self.target, self.top_level_await):
            return
        self.target, self.top_level_await = target, top_level_await
        self._findings = None
        self.revision = next(_revisions)

    # --- tree and findings ------------------------------------------------------------------

    @property
    def module(self) -> Module:
        """parso's tree of :attr:`text` for :attr:`target`, brought up to date."""
        grammar = grammar_for(self.target)
        if self._module is None or grammar is not self._parsed_grammar:
            self._module = grammar.parse(self.text)
        elif self.pending_edits:
            self._module = self._diff_parse(grammar, self._module)
        self._parsed_grammar = grammar
        self._parsed_lines = self._lines
        self.pending_edits = []
        return self._module

    def _diff_parse(self, grammar: Grammar, module: Module) -> Module:
        try:
            parser = DiffParser(grammar._pgen_grammar, grammar._tokenizer, module)  # type: ignore[attr-defined]
            return parser.update(old_lines=self._parsed_lines, new_lines=self._lines)
        except Exception:
            # parso documents this failure mode ("There's an issue with the diff parser");
            # the old tree may be half-mutated, so it is dropped.
            logger.exception("%s v%s: diff parse failed; parsing in full", self.uri, self.version)
            self.fallbacks += 1
            return grammar.parse(self.text)

    def findings(self) -> list[Finding]:
        """The engine's findings for the current text and options (computed once per revision)."""
        if self._findings is None:
            module = self.module
            self._findings = engine.check_tree(
                module, self.text, target=self.target, top_level_await=self.top_level_await
            )
        return self._findings


class DocumentStore:
    """Open documents by uri (the uri exactly as the client sent it)."""

    def __init__(self, *, target: Version | None = None, top_level_await: bool = False) -> None:
        self.target = target or running_version()
        self.top_level_await = top_level_await
        self._documents: dict[str, Document] = {}

    def open(self, uri: str, text: str, version: int) -> Document:
        if uri in self._documents:
            logger.warning("%s opened again; the new text replaces the old", uri)
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
        if version <= document.version:
            logger.warning(
                "%s: version %s after version %s; applied anyway", uri, version, document.version
            )
        document.apply_changes(changes, encoding)
        document.version = version
        return document

    def close(self, uri: str) -> bool:
        return self._documents.pop(uri, None) is not None

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
