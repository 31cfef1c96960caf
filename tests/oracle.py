"""CPython as the oracle for the rule engine: every coroutine-placement error it reports.

``compile()`` stops at the first SyntaxError, so the errors are found one by one: compile, record
the error, rewrite the construct CPython pointed at into a legal one *without moving any other
column*, compile again.  Only errors of rows 1-9 of the reference's rule table
(shared/reference/cpython-coroutine-rules.md) are expected; anything else means the source is
not a usable test case (:class:`ForeignSyntaxError`) or that a rewrite broke the source
(:class:`NeutraliseError`, a bug here).
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

OracleFinding = tuple[int, int, str, str]
"""(line 1-based, column 0-based in code points, rule code, CPython's message)."""

MESSAGE_CODES: dict[str, str] = {
    "'await' outside function": "CORO101",
    "'await' outside async function": "CORO101",
    "'async for' outside async function": "CORO102",
    "'async with' outside async function": "CORO103",
    "asynchronous comprehension outside of an asynchronous function": "CORO104",
    "'yield from' inside async function": "CORO105",
    "'return' with value in async generator": "CORO106",
}
# Rows 8 and 9: the scope named at the end of the message varies by version and by slot.
_AWAIT_IN_ANNOTATION_SCOPE = re.compile(
    r"('await expression' can not|await expression cannot) be used within .+"
)

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_MAX_ROUNDS = 10_000  # a safety net: each rewrite removes one construct


class ForeignSyntaxError(Exception):
    """The source has a SyntaxError that is not a coroutine-placement error (rows 1-9)."""


class NeutraliseError(Exception):
    """Rewriting a reported construct did not give parsable, still-failing-elsewhere source."""


def code_for(message: str) -> str | None:
    """The CORO code of a CPython SyntaxError message, ``None`` for any other message."""
    if message in MESSAGE_CODES:
        return MESSAGE_CODES[message]
    if _AWAIT_IN_ANNOTATION_SCOPE.fullmatch(message):
        return "CORO107"
    return None


def cpython_findings(source: str, top_level_await: bool = False) -> list[OracleFinding]:
    """Every rows-1-9 error the running CPython reports for ``source``, in discovery order."""
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT if top_level_await else 0
    found: list[OracleFinding] = []
    current = source
    for _ in range(_MAX_ROUNDS):
        error = _first_error(current, flags)
        if error is None:
            return found
        code = code_for(error.msg)
        if code is None:
            detail = f"{error.msg} at {error.lineno}:{error.offset}"
            if current != source:
                detail += f" (after rewriting {len(found)} findings:\n{current})"
            raise ForeignSyntaxError(detail)
        if not error.lineno or error.offset is None:
            # 3.8/3.9 report row 5 at line 0 (reference §5); locating the comprehension in
            # compile order is left to the cross-version checks (issue 7).
            raise NotImplementedError(f"{error.msg!r} reported without a position")
        text = SourceLines(current)
        column = text.char_column(error.lineno, error.offset - 1)
        found.append((error.lineno, column, code, error.msg))
        rewritten = _neutralise(current, text, code, error.lineno, error.offset - 1)
        try:
            ast.parse(rewritten)
        except SyntaxError as broken:
            raise NeutraliseError(f"{broken.msg} in rewritten source:\n{rewritten}") from None
        current = rewritten
    raise NeutraliseError(f"still failing after {_MAX_ROUNDS} rewrites:\n{current}")


def _first_error(source: str, flags: int) -> SyntaxError | None:
    with warnings.catch_warnings():
        # SyntaxWarnings (e.g. "'int' object is not callable") must not become errors.
        warnings.simplefilter("ignore")
        try:
            compile(source, "<case>", "exec", flags=flags, dont_inherit=True)
        except SyntaxError as error:
            return error
    return None


class SourceLines:
    """Line-based view of a source with CPython's line breaks (``\\n``, ``\\r\\n``, ``\\r``)."""

    def __init__(self, source: str) -> None:
        self.lines = [m.group() for m in _LINE.finditer(source)]
        self.starts: list[int] = []
        offset = 0
        for line in self.lines:
            self.starts.append(offset)
            offset += len(line)

    def char_column(self, line: int, byte_column: int) -> int:
        """``ast``/SyntaxError UTF-8 byte column -> code-point column."""
        encoded = self.lines[line - 1].encode("utf-8")
        return len(encoded[:byte_column].decode("utf-8"))

    def index(self, line: int, byte_column: int) -> int:
        """Absolute code-point index of an ``ast`` position."""
        return self.starts[line - 1] + self.char_column(line, byte_column)


@dataclass(frozen=True)
class _Edit:
    start: int
    old: str
    new: str


def _neutralise(source: str, text: SourceLines, code: str, line: int, byte_column: int) -> str:
    tree = ast.parse(source)
    wanted: tuple[type[ast.AST], ...] = {
        "CORO101": (ast.Await,),
        "CORO102": (ast.AsyncFor,),
        "CORO103": (ast.AsyncWith,),
        "CORO104": (ast.ListComp, ast.SetComp, ast.DictComp),
        "CORO105": (ast.YieldFrom,),
        "CORO106": (ast.Return,),
        "CORO107": (ast.Await,),
    }[code]
    nodes = [
        node
        for node in ast.walk(tree)
        if isinstance(node, wanted) and _position(node) == (line, byte_column)
    ]
    if len(nodes) != 1:
        raise NeutraliseError(f"{len(nodes)} {wanted} nodes at {line}:{byte_column}:\n{source}")
    node = nodes[0]
    if isinstance(node, ast.Await):
        return _rewrite_await(source, text, node)
    if isinstance(node, (ast.AsyncFor, ast.AsyncWith)):
        keyword = "for" if isinstance(node, ast.AsyncFor) else "with"
        return _apply(source, _drop_async_keywords(source, text.index(line, byte_column), keyword))
    if isinstance(node, (ast.ListComp, ast.SetComp)):
        return _apply(source, _to_generator_expression(source, text, node))
    if isinstance(node, ast.DictComp):
        return _apply(source, _drop_asyncness(source, text, node))
    if isinstance(node, ast.YieldFrom):
        start = text.index(line, byte_column)
        _expect(source, start, "yield")
        at = _skip_blanks(source, start + len("yield"))
        _expect(source, at, "from")
        return _apply(source, [_Edit(at, "from", "    ")])
    start = text.index(line, byte_column)
    _expect(source, start, "return")
    # `return X` -> `pass ;X`: the value becomes an expression statement on the same columns.
    return _apply(source, [_Edit(start, "return", "pass ;")])


def _position(node: ast.AST) -> tuple[int, int]:
    return node.lineno, node.col_offset  # type: ignore[attr-defined]


def _rewrite_await(source: str, text: SourceLines, node: ast.Await) -> str:
    start = text.index(node.lineno, node.col_offset)
    _expect(source, start, "await")
    # `0 or X` keeps X's column and is an expression wherever `await X` was, except after a
    # display's `*`/`**` (`[*await x]`), which takes a bitwise-or operand: there `await` is
    # never first on its line, so it can simply be blanked.
    for replacement in ("0 or ", "     "):
        rewritten = _apply(source, [_Edit(start, "await", replacement)])
        try:
            ast.parse(rewritten)
        except SyntaxError:
            continue
        return rewritten
    raise NeutraliseError(f"no rewrite of the await at {node.lineno}:{node.col_offset}")


def _drop_async_keywords(source: str, start: int, keyword: str) -> list[_Edit]:
    """``async for`` -> ``for`` padded to five columns, the old ``for`` blanked.

    Two edits rather than one, so that ``async \\`` + newline + ``for`` works too.
    """
    _expect(source, start, "async")
    at = _skip_blanks(source, start + len("async"))
    _expect(source, at, keyword)
    return [_Edit(start, "async", keyword.ljust(5)), _Edit(at, keyword, " " * len(keyword))]


def _to_generator_expression(
    source: str, text: SourceLines, node: ast.ListComp | ast.SetComp
) -> list[_Edit]:
    """``[...]``/``{...}`` -> ``(...)``: a generator expression is legal in every scope."""
    start = text.index(node.lineno, node.col_offset)
    end = text.index(node.end_lineno, node.end_col_offset) - 1  # type: ignore[arg-type]
    opening = "[" if isinstance(node, ast.ListComp) else "{"
    closing = "]" if opening == "[" else "}"
    return [_Edit(start, opening, "("), _Edit(end, closing, ")")]


def _drop_asyncness(source: str, text: SourceLines, node: ast.DictComp) -> list[_Edit]:
    """Make a dict comprehension synchronous in place.

    A dict comprehension has no column-stable generator-expression spelling, so everything
    that makes its own scope asynchronous goes: its ``async for`` clauses, the awaits it
    evaluates itself, and the comprehensions nested in it (3.11+ makes the outer one async
    when an inner one is).  None of those is an error by itself once the outer one is
    reported, so no later finding is lost.
    """
    edits = _own_async_for_clauses(source, text, node)
    for inner in _own_scope(node):
        if isinstance(inner, ast.Await):
            start = text.index(inner.lineno, inner.col_offset)
            _expect(source, start, "await")
            edits.append(_Edit(start, "await", "0 or "))
        elif isinstance(inner, (ast.ListComp, ast.SetComp)):
            edits.extend(_to_generator_expression(source, text, inner))
        elif isinstance(inner, ast.DictComp):
            edits.extend(_drop_asyncness(source, text, inner))
    return edits


def _own_async_for_clauses(source: str, text: SourceLines, node: ast.DictComp) -> list[_Edit]:
    if not any(generator.is_async for generator in node.generators):
        return []
    start = text.index(node.lineno, node.col_offset)
    end = text.index(node.end_lineno, node.end_col_offset)  # type: ignore[arg-type]
    fragment = source[start:end]
    fragment_text = SourceLines(fragment)
    edits = []
    depth = 0
    tokens = list(tokenize.generate_tokens(io.StringIO(fragment).readline))
    for token, following in zip(tokens, tokens[1:]):
        if token.type == tokenize.OP and token.string in "([{":
            depth += 1
        elif token.type == tokenize.OP and token.string in ")]}":
            depth -= 1
        elif depth == 1 and token.string == "async" and following.string == "for":
            row, column = token.start
            at = start + fragment_text.starts[row - 1] + column
            edits.append(_Edit(at, "async", "     "))
    return edits


def _own_scope(node: ast.DictComp) -> Iterator[ast.AST]:
    """Nodes evaluated in the comprehension's own scope (not its first iterable)."""
    roots: list[ast.AST] = [node.key, node.value]
    for index, generator in enumerate(node.generators):
        roots += [generator.target, *generator.ifs]
        if index:
            roots.append(generator.iter)
    for root in roots:
        yield from _same_scope(root)


def _same_scope(node: ast.AST) -> Iterator[ast.AST]:
    yield node
    if isinstance(node, ast.Lambda):
        children: list[ast.AST] = [*node.args.defaults, *filter(None, node.args.kw_defaults)]
    elif isinstance(node, _COMPREHENSIONS):
        # A nested comprehension's first iterable is evaluated here; the rest is its own scope
        # (its own rewrite, if it is a list/set/dict comprehension, covers that part).
        children = [node.generators[0].iter]
    else:
        children = list(ast.iter_child_nodes(node))
    for child in children:
        yield from _same_scope(child)


def _skip_blanks(source: str, at: int) -> int:
    while at < len(source):
        if source[at] in " \t\f\r\n":
            at += 1
        elif source.startswith("\\", at):
            at += 1
        else:
            break
    return at


def _expect(source: str, at: int, word: str) -> None:
    if not source.startswith(word, at):
        raise NeutraliseError(f"expected {word!r} at {at}, found {source[at : at + 12]!r}")


def _apply(source: str, edits: list[_Edit]) -> str:
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        _expect(source, edit.start, edit.old)
        if len(edit.new) != len(edit.old):
            raise NeutraliseError(f"rewrite {edit} would move columns")
        source = source[: edit.start] + edit.new + source[edit.start + len(edit.old) :]
    return source
