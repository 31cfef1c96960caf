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
import re
import weakref
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from parso.python import tree
from parso.tree import NodeOrLeaf
from parso.utils import split_lines

from coro_ls.editing.lines import (
    Lines,
    chosen_unit,
    document_newline,
    indentation_unit,
    indentation_votes,
)
from coro_ls.engine.block_views import (
    BlockView,
    block_index,
    block_starts,
    class_headers,
    view_at,
)
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

    def binding_candidates(self, value: str) -> list[Occurrence]:
        """The name leaves spelled ``value`` that may bind it (at least those; uses that
        cannot, such as ``value.x`` or ``value(...)``, may be left out)."""
        return self.names(value)

    def has_word(self, word: str) -> bool:
        """Whether ``word`` occurs as a word anywhere in the text (strings and comments too)."""
        raise NotImplementedError

    def import_position(self) -> Position:
        """Where an import goes: after the docstring and ``__future__`` imports, else at the
        first statement."""
        raise NotImplementedError

    def indentation_unit(self, lines: Lines) -> str:
        """The file's indentation step (``lines`` are the excerpt's)."""
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
    headers: tuple[str, ...] = ()
    """For members of a class body: the lines (``class NAME:``) the excerpt's tree was parsed
    under, outermost first, taking its tree's first lines; the excerpt parses alone under
    them as it does in the document."""

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

    def standalone(self, future_annotations: bool) -> tuple[str, int]:
        """The excerpt as a module of its own (under its class headers, after the future
        import when the document has it), and the lines its positions move by there."""
        head = "from __future__ import annotations\n" if future_annotations else ""
        headers = "".join(self.headers)
        lines = (1 if head else 0) + len(self.headers)
        return head + headers + self.text, lines - (self.first_line - 1)


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

    def indentation_unit(self, lines: Lines) -> str:
        return indentation_unit(lines)  # the excerpt is the whole module


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
        self._starts: list[int] | None = None
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
        if found is None:
            found = self._names[value] = self._occurrences(value, may_bind=False)
        return found

    def binding_candidates(self, value: str) -> list[Occurrence]:
        found = self._names.get(value)
        if found is None:
            found = self._occurrences(value, may_bind=True)
        return found

    def _occurrences(self, value: str, *, may_bind: bool) -> list[Occurrence]:
        """The name leaves at the hits of a text search.  A hit in a block not parsed yet
        (the engine parses lazily) is parsed, unless ``may_bind`` and its text shows it
        cannot bind the name (an attribute, a call, a subscript)."""
        found = []
        if self._offsets is None:
            self._offsets = [0, *itertools.accumulate(map(len, self._document.lines))]
        for offset in self._words(value):
            line = bisect.bisect_right(self._offsets, offset)
            column = offset - self._offsets[line - 1]
            if may_bind and self._unparsed(line) and _cannot_bind(self.text, offset, value):
                continue
            leaf = self._leaf_at(line, column)
            if leaf is not None:
                found.append(leaf)
        return found

    def _unparsed(self, line: int) -> bool:
        if self._starts is None:
            self._starts = block_starts(self._document)
        return self._document.blocks[block_index(self._starts, line)].lazy

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
        """The block holding ``line``; only an unparsed block holding a hit is parsed."""
        document = self._document
        if self._starts is None:
            self._starts = block_starts(document)
        index = block_index(self._starts, line)
        block = document.blocks[index]
        if block.lazy:
            self._starts = None  # parsing it may regroup blocks
            return view_at(document, line)
        return BlockView(document, block, self._starts[index] - block.tree_line, index)

    def import_position(self) -> Position:
        statements: list[tuple[NodeOrLeaf, int]] = []
        lines = self._document.lines
        line = 1
        # The leading blocks only (a docstring, future imports): usually one or two.
        while line <= len(lines):
            view = view_at(self._document, line)
            statements.extend((statement, view.shift) for statement in view.statements)
            if view.block.context or any(not _is_leading(s) for s in view.statements):
                break
            line = max(view.document_lines.stop, line + 1)
        end = (len(lines), len(lines[-1].rstrip("\r\n")) if lines else 0)
        return _import_position(statements, end)

    def indentation_unit(self, lines: Lines) -> str:
        # Each block's votes are kept (by its text and the header line before it), so only
        # blocks an edit replaced are read again.
        known = _votes.get(self._document, {})
        kept: dict[tuple[str, str | None], tuple[Counter[str], str | None]] = {}
        total: Counter[str] = Counter()
        previous: str | None = None
        # Read from the text: unparsed blocks stay unparsed.
        text = self._document.lines
        start = 0
        for block in self._document.blocks:
            key = ("".join(text[start : start + block.count]), previous)
            start += block.count
            found = known.get(key)
            if found is None:
                found = indentation_votes(split_lines(key[0], keepends=True), previous)
            kept[key] = found
            total.update(found[0])
            previous = found[1]
        _votes[self._document] = kept
        return chosen_unit(total)


_votes: weakref.WeakKeyDictionary[
    IncrementalDocument, dict[tuple[str, str | None], tuple[Counter[str], str | None]]
] = weakref.WeakKeyDictionary()


def excerpt_of(
    document: IncrementalDocument, view: BlockView, facts: ModuleFacts | None = None
) -> Excerpt:
    """A block of an incremental document as an excerpt."""
    return Excerpt(
        lines=Lines(view.text, view.first_line),
        statements=view.statements,
        shift=view.shift,
        version=document.target,
        facts=facts or DocumentFacts(document),
        whole=len(document.blocks) == 1,
        headers=tuple(class_headers(view)),
    )


def excerpt_at(document: IncrementalDocument, line: int) -> tuple[Excerpt, BlockView]:
    view = view_at(document, line)
    return excerpt_of(document, view), view


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


_DEFINES = re.compile(r"\b(?:def|class)\s+$")


def _cannot_bind(text: str, at: int, word: str) -> bool:
    """Whether the text around the word at offset ``at`` shows it is no binding of a name
    spelled so: an attribute (``x.word``), or a name called, subscripted or with an
    attribute taken (``word(``, ``word[``, ``word.``) outside ``def``/``class``/``import``/
    ``del``."""
    if at and text[at - 1] == ".":
        return True
    end = at + len(word)
    while end < len(text) and text[end] in " \t":
        end += 1
    if end >= len(text) or text[end] not in "([.":
        return False
    line_start = max(text.rfind("\n", 0, at), text.rfind("\r", 0, at)) + 1
    before = text[line_start:at]
    # ``del word[i]`` counts as rebinding it (see names._is_binding).
    return not any(k in before for k in ("import", "del")) and _DEFINES.search(before) is None


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
