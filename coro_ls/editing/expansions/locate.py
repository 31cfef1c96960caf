"""Which ``async for`` / ``async with`` statements a document holds, and which one a range means.

parso 0.8.7 cannot parse the parenthesised form ``async with (A() as a, B() as b):`` (and reads
``async with (A(), B()):`` as one tuple, which CPython 3.9+ does not).  Those headers are found
in the token stream; the excerpt is then parsed once more with each such parenthesised group
replaced by ``(`` + its newlines + ``)``, which keeps every line of every body where it was.

Each function works on an :class:`~coro_ls.editing.excerpts.Excerpt` (``*_in``): one block of
a document, or the whole module; the functions taking ``source`` and ``module`` make the
whole module the excerpt.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

from parso.python import tree
from parso.python.token import PythonTokenTypes
from parso.python.tokenize import tokenize
from parso.tree import BaseNode, NodeOrLeaf
from parso.utils import parse_version_string, split_lines

from coro_ls.editing.excerpts import Excerpt, whole
from coro_ls.editing.expansions.text import Lines, to_document
from coro_ls.engine.findings import Position
from coro_ls.engine.versions import Version, format_version, grammar_for, running_version
from coro_ls.syntax.with_items import HeaderToken, WithItem, split_with_items

TITLES = {
    "for": "Inline expansion of 'async for'",
    "with": "Inline expansion of 'async with'",
}
"""The code actions' titles, by statement kind."""

_OPEN, _CLOSE = "([{", ")]}"


@dataclass(frozen=True)
class Statement:
    """One ``async for`` or ``async with`` statement (holds parso nodes: not to keep)."""

    kind: str
    """``"for"`` or ``"with"``."""
    start: Position
    """Where ``async`` starts."""
    header_end: Position
    """Just after the header's colon."""
    end: Position
    """The statement's exclusive end (column 0 of the line after its last newline, usually)."""
    last_token_end: Position
    """The end of its last token (before the final newline and any trailing comment)."""
    node: tree.PythonNode
    """The ``async_stmt`` node, in :attr:`tree_lines`' tree."""
    tree_lines: Lines
    """The text :attr:`node` was parsed from: the excerpt, or the excerpt with parenthesised
    ``async with`` items blanked out (same lines, same positions outside those headers)."""
    items: tuple[WithItem[str], ...] = ()
    """For ``with``: the items, in order."""
    header_comments: tuple[str, ...] = ()
    """Comments inside a parenthesised ``async with`` header (the items cannot carry them)."""
    blanked: bool = False
    """Whether :attr:`tree_lines` is a blanked text (some of its names are not in the tree)."""

    @property
    def title(self) -> str:
        return TITLES[self.kind]


@dataclass(frozen=True)
class _ParenHeader:
    """An ``async with ( ... ):`` whose parentheses hold items, not one expression."""

    async_pos: Position
    open_pos: Position
    close_end: Position
    colon_end: Position
    items: tuple[WithItem[str], ...]
    comments: tuple[str, ...]


@dataclass(frozen=True)
class _Readable:
    statements: Sequence[NodeOrLeaf]
    """The excerpt's top-level nodes, from a tree parso could read."""
    lines: Lines
    headers: dict[Position, _ParenHeader]
    """The parenthesised ``async with`` headers, by the position of their ``async``."""

    @property
    def blanked(self) -> bool:
        return bool(self.headers)


def _readable(excerpt: Excerpt) -> _Readable:
    """The tree to search: parso cannot parse parenthesised ``async with`` headers, so they
    are blanked and the excerpt parsed again (3.9+; before that they are not ``with`` items)."""
    text = excerpt.text
    headers = _paren_headers(text, excerpt.version) if excerpt.version >= (3, 9) else []
    if not headers:
        return _Readable(excerpt.statements, excerpt.lines, {})
    tree_source = _blank_headers(text, headers)
    depth = len(excerpt.headers)
    module = grammar_for(excerpt.version).parse("".join(excerpt.headers) + tree_source)
    lines = excerpt.first_line - 1 - depth
    if lines:
        # Parsed alone (under its class headers), the excerpt starts on the line after them:
        # its leaves move to the block's lines.
        for node in _walk(module):
            if not isinstance(node, BaseNode) and node.line > depth:  # type: ignore[attr-defined]
                node.line += lines  # type: ignore[attr-defined]
    headers = [_moved(header, excerpt.first_line - 1) for header in headers]
    statements = _members(module, depth)
    if statements is None:
        return _Readable(excerpt.statements, excerpt.lines, {})
    return _Readable(
        statements,
        Lines(tree_source, excerpt.first_line),
        {header.async_pos: header for header in headers},
    )


def _members(module: tree.Module, depth: int) -> list[NodeOrLeaf] | None:
    """The statements of the body ``depth`` classes deep; None where the excerpt did not
    parse as members of that body."""
    body: list[NodeOrLeaf] = list(module.children)
    for _ in range(depth):
        statements = [c for c in body if c.type not in ("newline", "endmarker")]
        if len(statements) != 1 or statements[0].type != "classdef":
            return None
        suite = statements[0].children[-1]  # type: ignore[attr-defined]
        if suite.type != "suite":
            return None
        body = list(suite.children[1:])
    return body


def _moved(header: _ParenHeader, lines: int) -> _ParenHeader:
    def move(position: Position) -> Position:
        return position[0] + lines, position[1]

    return replace(
        header,
        async_pos=move(header.async_pos),
        open_pos=move(header.open_pos),
        close_end=move(header.close_end),
        colon_end=move(header.colon_end),
    )


def iter_statements(
    source: str, module: tree.Module, *, version: Version | None = None
) -> Iterator[Statement]:
    """Every ``async for`` / ``async with`` statement of the document, outer before inner."""
    return iter_statements_in(whole(source, module, version or running_version()))


def iter_statements_in(excerpt: Excerpt) -> Iterator[Statement]:
    """Every ``async for`` / ``async with`` statement of the excerpt, outer before inner."""
    readable = _readable(excerpt)
    for statement in readable.statements:
        for node in _walk(statement, excerpt):
            if not _is_statement_node(node):
                continue
            found = _statement(
                node,  # type: ignore[arg-type]
                readable,
                excerpt.lines,
            )
            if found is not None:
                yield found


def find_expandable(
    source: str,
    module: tree.Module,
    start: Position,
    end: Position | None = None,
    *,
    version: Version | None = None,
) -> Statement | None:
    """:func:`find_expandable_in` the whole module."""
    return find_expandable_in(whole(source, module, version or running_version()), start, end)


def find_expandable_in(
    excerpt: Excerpt, start: Position, end: Position | None = None
) -> Statement | None:
    """The innermost statement whose header holds the range, or that the range covers
    (positions in the excerpt's tree coordinates).

    Only the ancestors of the leaf at the range's start are looked at (a code action request
    comes with every cursor move): the statement's header, or the indentation before it.
    """
    end = end or start
    if not excerpt.statements or not excerpt.contains(start[0]):
        return None
    readable = _readable(excerpt)
    if not readable.statements:
        return None
    root = readable.statements[0].get_root_node()
    try:
        leaf = root.get_leaf_for_position(start, include_prefixes=True)  # type: ignore[attr-defined]
    except ValueError:
        return None
    leaves = [leaf] if leaf is not None else []
    following = leaf.get_next_leaf() if leaf is not None else None
    if leaf is not None and leaf.end_pos <= start and following is not None:
        leaves.insert(0, following)  # parso's boundary quirk gave the earlier leaf
    for candidate in leaves:
        node = candidate.parent
        while node is not None:
            if _is_statement_node(node):
                statement = _statement(
                    node,  # type: ignore[arg-type]
                    readable,
                    excerpt.lines,
                )
                if statement is not None and _range_selects(statement, start, end):
                    return statement
            node = node.parent
    return None


def _range_selects(statement: Statement, start: Position, end: Position) -> bool:
    on_header = statement.start <= start and end <= statement.header_end
    line_start = (statement.start[0], 0)
    covers = line_start <= start <= statement.start and (
        statement.last_token_end <= end <= max(statement.end, statement.last_token_end)
    )
    return on_header or covers


def _is_statement_node(node: NodeOrLeaf) -> bool:
    return (
        isinstance(node, tree.PythonNode)
        and node.type == "async_stmt"
        and node.children[1].type in ("for_stmt", "with_stmt")
    )


def statement_at(
    source: str, module: tree.Module, position: Position, *, version: Version | None = None
) -> Statement | None:
    """The innermost statement that contains ``position`` (header or body)."""
    return statement_at_in(whole(source, module, version or running_version()), position)


def statement_at_in(excerpt: Excerpt, position: Position) -> Statement | None:
    return _innermost(excerpt, lambda s: s.start <= position <= s.last_token_end)


def line_statement_at(
    source: str, module: tree.Module, line: int, *, version: Version | None = None
) -> Statement | None:
    """The innermost statement whose lines include ``line``."""
    return line_statement_at_in(whole(source, module, version or running_version()), line)


def line_statement_at_in(excerpt: Excerpt, line: int) -> Statement | None:
    return _innermost(excerpt, lambda s: s.start[0] <= line <= s.last_token_end[0])


def _innermost(excerpt: Excerpt, holds: Callable[[Statement], bool]) -> Statement | None:
    """The statement starting last among those for which ``holds``: the innermost."""
    best: Statement | None = None
    for statement in iter_statements_in(excerpt):
        if holds(statement) and (best is None or statement.start > best.start):
            best = statement
    return best


def _walk(node: NodeOrLeaf, excerpt: Excerpt | None = None) -> Iterator[NodeOrLeaf]:
    """``node`` and its descendants, in order; with ``excerpt``, only those starting on its
    lines (a class header block's tree holds the class's whole body, whose members are
    blocks of their own)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if excerpt is not None and not excerpt.contains(current.start_pos[0]):
            if isinstance(current, BaseNode) and current.start_pos[0] < excerpt.first_line:
                stack.extend(reversed(current.children))  # starts before, may reach in
            continue
        yield current
        if isinstance(current, BaseNode):
            stack.extend(reversed(current.children))


def _statement(node: tree.PythonNode, readable: _Readable, document: Lines) -> Statement | None:
    header = readable.headers.get(node.start_pos)
    compound = node.children[1]
    async_line = readable.lines.line(node.start_pos[0])
    if async_line[: node.start_pos[1]].strip():
        return None  # not at the start of its line: nothing sensible to indent from
    if compound.type == "for_stmt":
        if len(compound.children) < 6 or compound.children[4] != ":":
            return None
        colon = compound.children[4]
        items: tuple[WithItem[str], ...] = ()
    else:
        colon = compound.children[-2]
        if colon != ":":
            return None
        if header is not None:
            items = header.items
        else:
            items = tuple(_parso_items(compound.children[1:-2]))
            if not items:
                return None
    header_end = colon.end_pos
    end = compound.end_pos
    last = compound.get_last_leaf()
    if last.type == "newline":
        last_end = last.start_pos
    else:
        last_end = last.end_pos
    if header is not None:
        header_end = header.colon_end
        end = to_document(end, readable.lines, document)
        last_end = to_document(last_end, readable.lines, document)
    return Statement(
        kind="for" if compound.type == "for_stmt" else "with",
        start=node.start_pos,
        header_end=header_end,
        end=end,
        last_token_end=last_end,
        node=node,
        tree_lines=readable.lines,
        items=items,
        header_comments=header.comments if header is not None else (),
        blanked=readable.blanked,
    )


def _parso_items(children: list[NodeOrLeaf]) -> Iterator[WithItem[str]]:
    for child in children:
        if child == ",":
            continue
        if isinstance(child, BaseNode) and child.type == "with_item":
            expression, _as, target = child.children
            yield WithItem(_code(expression), _code(target))
        else:
            yield WithItem(_code(child), None)


def _code(node: NodeOrLeaf) -> str:
    return node.get_code(include_prefix=False)


# --- parenthesised ``async with`` items, from the tokens ---------------------------------


_PAREN_HEADER = re.compile(r"\basync[ \t]+with[ \t]*\(")
_HEADER_TOKENS = 5000
"""Tokens read from an ``async with (`` before giving up on finding its colon."""


class _Token(NamedTuple):
    type: PythonTokenTypes
    string: str
    start_pos: Position
    end_pos: Position
    prefix: str


def _paren_headers(source: str, version: Version) -> list[_ParenHeader]:
    """Headers found by a cheap search, each then tokenized from its ``async`` only.

    A match inside a string or comment yields no statement: the tree has none there.
    """
    offsets = _line_offsets(source)
    found = []
    for match in _PAREN_HEADER.finditer(source):
        line = bisect.bisect_right(offsets, match.start())
        column = match.start() - offsets[line - 1]
        tokens = _tokens_from(source[match.start() :], (line, column), version)
        header = _paren_header(tokens, 0, source, offsets)
        if header is not None:
            found.append(header)
    return found


def _tokens_from(text: str, origin: Position, version: Version) -> list[_Token]:
    tokens: list[_Token] = []
    depth = 0
    stream = tokenize(text, version_info=parse_version_string(format_version(version)))
    for token in itertools.islice(stream, _HEADER_TOKENS):
        tokens.append(
            _Token(
                token.type,
                token.string,
                _shift(token.start_pos, origin),
                _shift(token.end_pos, origin),
                token.prefix,
            )
        )
        if token.type == PythonTokenTypes.OP:
            depth += (token.string in _OPEN) - (token.string in _CLOSE)
            if depth <= 0 and token.string == ":":
                break
    return tokens


def _shift(position: Position, origin: Position) -> Position:
    line, column = position
    if line == 1:
        return (origin[0], origin[1] + column)
    return (origin[0] + line - 1, column)


def _paren_header(tokens, index, source, offsets) -> _ParenHeader | None:  # type: ignore[no-untyped-def]
    open_token = tokens[index + 2]
    depth = 0
    inner = []
    close = None
    for position in range(index + 2, len(tokens)):
        token = tokens[position]
        if token.type in (PythonTokenTypes.ENDMARKER, PythonTokenTypes.INDENT):
            return None
        if token.type == PythonTokenTypes.NEWLINE:
            return None  # a logical line ended inside the parentheses: broken code
        if token.string in _OPEN and token.type == PythonTokenTypes.OP:
            depth += 1
        elif token.string in _CLOSE and token.type == PythonTokenTypes.OP:
            depth -= 1
            if depth == 0:
                close = position
                break
        if position > index + 2:
            inner.append((token, depth))
    if close is None or close + 1 >= len(tokens) or tokens[close + 1].string != ":":
        return None
    groups = split_with_items(
        [HeaderToken(t.string, d - 1, t.type == PythonTokenTypes.OP) for t, d in inner]
    )
    commas = len(groups) - 1
    if groups[-1].empty:
        groups.pop()  # a trailing comma
    if len(groups) < 2 and not any(group.as_tokens for group in groups) and not commas:
        return None  # one parenthesised expression: parso reads it right
    items = []
    for group in groups:
        tokens_of = inner[group.start : group.end]
        if not tokens_of:
            return None
        if tokens_of[0][0].string in ("*", "**", "yield"):
            return None
        if any(d == 1 and t.string in (":=", "for", "async") for t, d in tokens_of):
            return None
        if len(group.as_tokens) > 1:
            return None
        if group.as_tokens:
            split = group.as_tokens[0]
            expression, target = inner[group.start : split], inner[split + 1 : group.end]
            if not expression or not target:
                return None
            items.append(
                WithItem(_slice(source, offsets, expression), _slice(source, offsets, target))
            )
        else:
            items.append(WithItem(_slice(source, offsets, tokens_of), None))
    close_token = tokens[close]
    colon_token = tokens[close + 1]
    comments = tuple(
        line.strip()
        for token in tokens[index + 3 : close + 2]
        for line in token.prefix.splitlines()
        if line.strip().startswith("#")
    )
    return _ParenHeader(
        async_pos=tokens[index].start_pos,
        open_pos=open_token.start_pos,
        close_end=(close_token.start_pos[0], close_token.start_pos[1] + 1),
        colon_end=(colon_token.start_pos[0], colon_token.start_pos[1] + 1),
        items=tuple(items),
        comments=comments,
    )


def _slice(source: str, offsets: list[int], group: list) -> str:  # type: ignore[type-arg]
    first, last = group[0][0], group[-1][0]
    start = _offset(offsets, first.start_pos)
    end = _offset(offsets, last.end_pos)
    text = source[start:end]
    breaks_at_top = any(
        depth == 1 and following.start_pos[0] > token.end_pos[0]
        for (token, depth), (following, _) in itertools.pairwise(group)
    )
    if breaks_at_top:
        # Taken out of the brackets that let it span lines: its own parentheses keep it whole.
        text = f"({text})"
    return text


def _line_offsets(source: str) -> list[int]:
    offsets = [0]
    for line in split_lines(source, keepends=True):
        offsets.append(offsets[-1] + len(line))
    return offsets


def _offset(offsets: list[int], position: Position) -> int:
    return offsets[position[0] - 1] + position[1]


def _blank_headers(source: str, headers: list[_ParenHeader]) -> str:
    offsets = _line_offsets(source)
    pieces = []
    cursor = 0
    for header in headers:
        start = _offset(offsets, header.open_pos)
        end = _offset(offsets, header.close_end)
        region = source[start:end]
        newlines = "".join(line[len(line.rstrip("\r\n")) :] for line in split_lines(region, True))
        pieces.append(source[cursor:start])
        pieces.append("(" + newlines + ")")
        cursor = end
    pieces.append(source[cursor:])
    return "".join(pieces)
