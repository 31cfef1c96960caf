"""The part of a document an editing function works on, and the module-wide facts it needs.

Expansions, quick fixes and hover look at one statement and its surroundings, so they work on
an :class:`Excerpt`: whole top-level statements (one block of an incremental document, or the
whole module) with their parso tree.  Positions are the tree's: ``document line = tree line +
shift``.  The few facts that concern the whole module — where ``import sys`` goes, whether a
name is bound or spelled anywhere, the line ending — come from a :class:`ModuleFacts`: read
off a whole-module tree, or found in an incremental document by a text search whose hits
are looked up in the block trees it already keeps (nothing is parsed).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from parso.python import tree
from parso.tree import NodeOrLeaf

from coro_ls.editing.lines import Lines, document_newline
from coro_ls.engine.block_views import BlockView
from coro_ls.engine.findings import Position
from coro_ls.engine.incremental import IncrementalDocument
from coro_ls.engine.versions import Version

Occurrence = tuple[tree.Name, int]
"""A name leaf and the shift of its tree (document line = tree line + shift)."""


class ModuleFacts:
    """Module-wide facts, in document coordinates."""

    newline: str = "\n"

    def names(self, value: str) -> list[Occurrence]:
        """Every name leaf spelled ``value`` in the module."""
        raise NotImplementedError

    def has_word(self, word: str) -> bool:
        """Whether ``word`` occurs as a word anywhere in the text (strings and comments too)."""
        raise NotImplementedError

    def import_position(self) -> Position:
        """Where an import goes: after the docstring and ``__future__`` imports, else at the
        first statement."""
        raise NotImplementedError


@dataclass(frozen=True)
class Excerpt:
    """Whole top-level statements of a document, with their tree."""

    lines: Lines
    """The excerpt's text; ``lines.first`` is the tree line of its first line."""
    statements: Sequence[NodeOrLeaf]
    shift: int
    version: Version
    facts: ModuleFacts
    whole: bool
    """The excerpt is the whole module (checking it alone needs no future-import head)."""

    @property
    def text(self) -> str:
        return self.lines.text

    @property
    def first_line(self) -> int:
        return self.lines.first

    def contains(self, line: int) -> bool:
        """Whether tree line ``line`` belongs to the excerpt."""
        return self.lines.has_line(line)

    def to_tree(self, position: Position) -> Position:
        return position[0] - self.shift, position[1]

    def to_document(self, position: Position) -> Position:
        return position[0] + self.shift, position[1]


# -- a whole module ----------------------------------------------------------------------------


class WholeModule(ModuleFacts):
    """The facts of a module parsed whole (``coro-ls expand`` on a small file, unit tests)."""

    def __init__(self, source: str, module: tree.Module) -> None:
        self._source = source
        self._module = module
        self._words: set[str] | None = None
        self.newline = document_newline(source)

    def names(self, value: str) -> list[Occurrence]:
        return [(name, 0) for name in self._module.get_used_names().get(value, ())]

    def has_word(self, word: str) -> bool:
        if self._words is None:
            from coro_ls.editing.expansions.names import document_names

            self._words = document_names(self._source)
        return word in self._words

    def import_position(self) -> Position:
        statements = [(child, 0) for child in self._module.children if child.type != "endmarker"]
        return _import_position(statements, self._module.end_pos)


def whole(source: str, module: tree.Module, version: Version) -> Excerpt:
    return Excerpt(
        lines=Lines(source),
        statements=module.children,
        shift=0,
        version=version,
        facts=WholeModule(source, module),
        whole=True,
    )


# -- an incremental document -------------------------------------------------------------------


class DocumentFacts(ModuleFacts):
    """The facts of an incremental document, from a text search and its block trees.

    Valid until the document's next edit."""

    def __init__(self, document: IncrementalDocument) -> None:
        self._document = document
        first = document.lines[0] if document.lines else ""
        self.newline = document_newline(first[len(first.rstrip("\r\n")) :])
        self._text: str | None = None
        self._offsets: list[int] | None = None
        self._names: dict[str, list[Occurrence]] = {}

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self._document.text
        return self._text

    def _words(self, word: str) -> Iterator[int]:
        """Offsets where ``word`` occurs as a word of :func:`names.document_names`."""
        text = self.text
        at = text.find(word)
        while at >= 0:
            end = at + len(word)
            if end >= len(text) or not _is_word_char(text[end]):
                # A word starts at its first letter or underscore: digits before it are not
                # part of it, letters are.
                back = at
                while back > 0 and _is_word_char(text[back - 1]):
                    back -= 1
                if text[back:at].isdigit() or back == at:
                    yield at
            at = text.find(word, end)

    def has_word(self, word: str) -> bool:
        return next(self._words(word), None) is not None

    def names(self, value: str) -> list[Occurrence]:
        found = self._names.get(value)
        if found is not None:
            return found
        found = []
        if self._offsets is None:
            self._offsets = [0, *itertools.accumulate(map(len, self._document.lines))]
        for offset in self._words(value):
            line = bisect.bisect_right(self._offsets, offset)
            column = offset - self._offsets[line - 1]
            leaf = self._leaf_at(line, column)
            if leaf is not None:
                found.append(leaf)
        self._names[value] = found
        return found

    def _leaf_at(self, line: int, column: int) -> Occurrence | None:
        view = self._view_at(line)
        position = (line - view.shift, column)
        for statement in view.statements:
            if statement.start_pos <= position < statement.end_pos:
                leaf = statement.get_leaf_for_position(position)  # type: ignore[attr-defined]
                if leaf is not None and leaf.type == "name" and leaf.start_pos == position:
                    return leaf, view.shift
                return None
        return None

    def _view_at(self, line: int) -> BlockView:
        # block_at parses an unparsed block (a lazily opened document) and only that one.
        block, shift = self._document.block_at(line)
        return BlockView(self._document, block, shift, self._document.blocks.index(block))

    def import_position(self) -> Position:
        statements: list[tuple[NodeOrLeaf, int]] = []
        for block, shift in self._document.iter_blocks():
            statements.extend((statement, shift) for statement in block.statements)
            if any(not _is_leading(statement) for statement in block.statements):
                break
        lines = self._document.lines
        end = (len(lines), len(lines[-1].rstrip("\r\n")) if lines else 0)
        return _import_position(statements, end)


def excerpt_of(view: BlockView, facts: ModuleFacts | None = None) -> Excerpt:
    """A block of an incremental document as an excerpt."""
    return Excerpt(
        lines=Lines(view.text, view.first_line),
        statements=view.statements,
        shift=view.shift,
        version=view.document.target,
        facts=facts or DocumentFacts(view.document),
        whole=len(view.document.blocks) == 1,
    )


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _is_leading(statement: NodeOrLeaf) -> bool:
    return _is_docstring(statement) or _is_future_import(statement)


def _import_position(statements: list[tuple[Any, int]], end: Position) -> Position:
    position = None
    for index, (child, shift) in enumerate(statements):
        if (index == 0 and _is_docstring(child)) or _is_future_import(child):
            position = (child.end_pos[0] + shift, child.end_pos[1])
            continue
        break
    if position is not None:
        return position
    if statements:
        child, shift = statements[0]
        return child.start_pos[0] + shift, 0
    return end


def _is_docstring(node: Any) -> bool:
    first = node.children[0] if node.type == "simple_stmt" else node
    return first.type in ("string", "strings") or (
        first.type == "atom" and all(c.type in ("string", "fstring") for c in first.children)
    )


def _is_future_import(node: Any) -> bool:
    first = node.children[0] if node.type == "simple_stmt" else node
    if not isinstance(first, tree.ImportFrom):
        return False
    return [n.value for n in first.get_from_names()] == ["__future__"]
