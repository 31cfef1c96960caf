"""Where a module's top-level statements and its classes' members start, without parso.

An incremental document opened lazily (:mod:`coro_ls.engine.incremental`) parses with parso
only the statements that mention ``await`` or ``async``; the others are kept as unparsed
line ranges until an edit or a request needs them.  This module finds those ranges with
CPython's own parser (:func:`ast.parse`, about the cost of ``compile()``), and only when it is
sure they are where a whole-file parso parse would start statements:

* the source parses with the running interpreter, so every statement it reports is
  complete: its brackets and strings are closed, and the next statement starts with the
  tokenizer in its neutral state and the parser between two statements of that body (a
  statement of valid code cannot start with ``else`` or another continuation, and a pending
  decorator belongs to the statement that follows it, so it is part of its range);
* before Python 3.12 an f-string cannot contain its own quote, so parso's tokenizer finds
  the same strings as CPython's; from 3.12 on (PEP 701) the source must have no f-string;
* each range starts at the beginning of a line (statements sharing a line through ``;`` are
  one range) and its first statement at the body's column with only spaces or tabs before
  it (parso counts a form feed as a column, CPython does not).

Anything else (a syntax error, a mismatch) answers None, and the caller parses in full.

A range holds a statement's leading comments and blank lines, as parso's prefix does: it
starts where the previous statement ends.  A class whose header line reads
``<indentation>class NAME`` and whose members each start a line of their own is described
member by member (recursively), so that a member can be parsed on its own later.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass, field

from coro_ls.engine.findings import Position

_F_STRING = re.compile(r"(?i)(?<![\w])(?:f|rf|fr)['\"]")
_HEADER = re.compile(r"([ \t]*)class([ \t]+)(\w+)")


@dataclass
class ClassShape:
    name: str
    header: str
    """The header line up to the end of the name."""
    body_column: int
    pointer: tuple[Position, Position]
    """``class NAME`` in the document (1-based line, code-point columns)."""
    members_start: int
    """The 0-based line where the first member's range starts."""
    members: list[Chunk]


@dataclass
class Chunk:
    first: int
    """The 0-based first line of the range."""
    stop: int
    """The 0-based line after the range."""
    leading: bool = False
    """A leading docstring or ``from __future__`` import (module-wide facts come from them)."""
    shape: ClassShape | None = field(default=None)
    """Set for a class kept as members."""


def split_statements(text: str, lines: list[str]) -> list[Chunk] | None:
    """The ranges of ``text``'s top-level statements (``lines`` are its lines with their
    endings, as parso splits them), or None when they cannot be found for sure."""
    if sys.version_info >= (3, 12) and _F_STRING.search(text):
        return None
    try:
        module = ast.parse(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    if not module.body:
        return None
    return _ranges(module.body, lines, 0, len(lines), "", top_level=True)


def _start(statement: ast.stmt) -> int:
    decorators = getattr(statement, "decorator_list", None)
    if decorators:
        return min(statement.lineno, *(d.lineno for d in decorators))
    return statement.lineno


def _ranges(
    body: list[ast.stmt], lines: list[str], first: int, stop: int, indent: str, *, top_level: bool
) -> list[Chunk] | None:
    chunks: list[Chunk] = []
    owners: list[list[ast.stmt]] = []
    end = 0  # 1-based last line of the previous statement
    for index, statement in enumerate(body):
        start = _start(statement)
        if chunks and start <= end:
            # Shares a line with the previous statement (``;``): the same range.
            end = max(end, statement.end_lineno or start)
            owners[-1].append(statement)
            chunks[-1].leading = chunks[-1].leading and _is_leading(statement, index)
            continue
        line = lines[start - 1] if start - 1 < len(lines) else ""
        if not line.startswith(indent) or line[len(indent) : len(indent) + 1] in ("", " ", "\t"):
            return None
        if "\x0c" in indent or statement.col_offset != len(indent.encode("utf-8")):
            return None
        chunks.append(
            Chunk(end if chunks else first, 0, top_level and _is_leading(statement, index))
        )
        owners.append([statement])
        end = statement.end_lineno or start
    for index, chunk in enumerate(chunks):
        chunk.stop = chunks[index + 1].first if index + 1 < len(chunks) else stop
        statements = owners[index]
        if len(statements) == 1 and isinstance(statements[0], ast.ClassDef):
            chunk.shape = _shape(statements[0], lines, chunk, indent)
    return chunks


def _shape(node: ast.ClassDef, lines: list[str], chunk: Chunk, indent: str) -> ClassShape | None:
    match = _HEADER.match(lines[node.lineno - 1])
    if match is None or match.group(1) != indent or match.group(3) != node.name:
        return None
    body = node.body
    first_line = lines[_start(body[0]) - 1]
    column = len(first_line) - len(first_line.lstrip(" \t"))
    member_indent = first_line[:column]
    if column <= len(indent) or _start(body[0]) <= node.lineno:
        return None
    # The members' ranges start after the header's last line: the line before the first
    # member's statement, or earlier where comments and blank lines precede it (those are
    # kept with the header: a lazy header is only ever parsed with its whole class).
    members_start = _start(body[0]) - 1
    members = _ranges(body, lines, members_start, chunk.stop, member_indent, top_level=False)
    if members is None:
        return None
    line = node.lineno
    return ClassShape(
        name=node.name,
        header=match.group(0),
        body_column=column,
        pointer=((line, len(indent)), (line, len(match.group(0)))),
        members_start=members_start,
        members=members,
    )


def _is_leading(statement: ast.stmt, index: int) -> bool:
    if isinstance(statement, ast.ImportFrom):
        return statement.module == "__future__"
    return (
        index == 0
        and isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )
