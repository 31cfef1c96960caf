"""CORO105 ``'yield from' inside async function`` and CORO106 ``'return' with value in async
generator``.

A ``yield`` or ``yield from`` anywhere in an ``async def``'s own scope (even unreachable)
makes it an asynchronous generator, so a ``yield from`` there also makes every
``return <value>`` an error: one function can carry both codes.

CPython also reports CORO106 in a plain ``def`` holding a ``yield``: its symbol table marks a
function a coroutine as soon as it sees an ``await`` in it (from 3.11 also an asynchronous
list, set or dict comprehension), and code generation then rejects each ``return <value>``
it compiles while such a construct is still there.  Each of those constructs is an error of
its own, found (and, when fixed, gone) in compile order, so a ``return`` is reported when it
is compiled before the last of them; an ``await`` in a variable annotation is never compiled,
so with one every ``return <value>`` is reported.  3.14 reports the constructs from the
symbol table, before any ``return``: there this never happens.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from parso.tree import NodeOrLeaf

from coro_ls.engine.findings import Finding, Related
from coro_ls.engine.rules import (
    BARE_RETURN,
    YIELD_FROM_LOOP,
    Message,
    Rule,
    node_range,
    register,
    scope_pointer,
    trusted,
)
from coro_ls.engine.rules.async_comprehension import asynchronous_comprehensions
from coro_ls.engine.scopes import Analysis, Kind, Scope
from coro_ls.engine.versions import Version


@register
class YieldFromInAsync(Rule):
    code = "CORO105"
    name = "yield-from-in-coroutine"
    summary = "`yield from` inside an `async def` body"
    message = Message("'yield from' inside async function")
    messages = (message,)
    explanation = (
        "`yield from` delegates to a generator; an `async def` holding a `yield` is an "
        "asynchronous generator, which cannot delegate, so CPython rejects `yield from` in any "
        "`async def`."
    )
    points_at = "yield_from"
    quick_fixes = (YIELD_FROM_LOOP,)
    example = "`async def f(): yield from g()`"
    how_to_fix = "loop and `yield` each item (`async for`/`for`)"
    documentation = """\
`yield from` directly in an `async def` body. (A `yield from` in a nested `def` or `lambda` is
fine.) Points at the `yield from` expression.
"""

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        for scope in analysis.scopes():
            if scope.kind is not Kind.ASYNC_FUNCTION or not scope.compiled:
                continue
            for event in trusted(scope.yield_froms):
                start, end = node_range(event.node)
                yield Finding(self.code, self.message.text, start, end, scope_pointer(scope))


@register
class ReturnValueInAsyncGenerator(Rule):
    code = "CORO106"
    name = "return-value-in-async-generator"
    summary = "`return` with a value in an asynchronous generator"
    message = Message("'return' with value in async generator")
    messages = (message,)
    explanation = (
        "A `yield` makes this `async def` an asynchronous generator, and an asynchronous "
        "generator cannot return a value (its `StopAsyncIteration` carries none). CPython "
        "says the same of a plain `def` holding a `yield` and an `await`: its symbol table "
        "treats the function as a coroutine as soon as it sees the `await`."
    )
    points_at = "return"
    quick_fixes = (BARE_RETURN,)
    example = "`async def f(): yield 1; return 2`"
    how_to_fix = "use a bare `return`; an async generator cannot return a value"
    documentation = """\
`return <value>` (also `return None`) in an `async def` that contains `yield` or `yield from`
anywhere in its own scope, even in unreachable code. Points at the `return` statement and, as
related information, at the `yield` that makes the function an asynchronous generator. A
function with `yield from` carries both CORO105 and CORO106.

CPython (3.8–3.13) also reports it in a plain `def` that holds a `yield` and an `await` (from 3.11
also an asynchronous list, set or dict comprehension): its symbol table marks the function a
coroutine as soon as it sees the `await`. Each `return <value>` compiled before the last such
`await` (all of them, when the `await` is in a variable annotation, which is never compiled)
gets CORO106 besides the `await`'s own CORO101: `def f(): return 1; await g(); yield 2` has
both. Related information points at the `await` and the `yield`.
"""

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        for scope in analysis.scopes():
            if scope.kind is not Kind.ASYNC_FUNCTION or not scope.compiled:
                continue
            first_yield = next(trusted(scope.yields), None)
            if first_yield is None:
                continue
            node = first_yield.node
            keyword = node.children[0] if node.type == "yield_expr" else node
            what = (
                "'yield from'"
                if scope.yield_froms and node in [e.node for e in scope.yield_froms]
                else "'yield'"
            )
            related = (
                Related(
                    keyword.start_pos,
                    node.end_pos if what == "'yield from'" else keyword.end_pos,
                    f"{what} here makes '{scope.name}' an asynchronous generator",
                ),
            )
            for event in trusted(scope.value_returns):
                start, end = node_range(event.node)
                yield Finding(self.code, self.message.text, start, end, related)
        if analysis.version < (3, 14):
            yield from self.check_plain_defs(analysis)

    def check_plain_defs(self, analysis: Analysis) -> Iterator[Finding]:
        version = analysis.version
        for scope in analysis.scopes():
            if scope.kind is not Kind.FUNCTION or not scope.compiled:
                continue
            first_yield = next(trusted(scope.yields), None)
            returns = list(trusted(scope.value_returns))
            if first_yield is None or not returns:
                continue
            compiled = _coroutine_markers(analysis, [scope])
            never_compiled = _coroutine_markers(analysis, scope.symbol_table_only)
            if never_compiled:
                cause, reported = never_compiled[0], returns
            elif compiled:
                function = scope.node
                assert function is not None
                cause = max(compiled, key=lambda node: _first_compiled(node, function, version))
                last = _first_compiled(cause, function, version)
                reported = [
                    event
                    for event in returns
                    if _first_compiled(event.node, function, version) < last
                ]
            else:
                continue
            what = "'await'" if cause.type == "atom_expr" else "the asynchronous comprehension"
            yield_node = first_yield.node
            yield_keyword = yield_node
            if yield_node.type == "yield_expr":
                yield_keyword = yield_node.children[0]  # type: ignore[attr-defined]
            delegates = any(event.node is yield_node for event in scope.yield_froms)
            related = (
                Related(
                    cause.start_pos,
                    (cause.start_pos[0], cause.start_pos[1] + (5 if what == "'await'" else 1)),
                    f"{what} here makes CPython treat '{scope.name}' as a coroutine",
                ),
                Related(
                    yield_keyword.start_pos,
                    yield_node.end_pos if delegates else yield_keyword.end_pos,
                    f"{'yield from' if delegates else 'yield'!r} here makes "
                    f"'{scope.name}' a generator",
                ),
            )
            for event in reported:
                start, end = node_range(event.node)
                yield Finding(self.code, self.message.text, start, end, related)


def _coroutine_markers(analysis: Analysis, scopes: Iterable[Scope]) -> list[NodeOrLeaf]:
    """What in ``scopes`` (a plain ``def``'s own scope, or what its symbol table reads there
    without compiling) makes the symbol table mark the function a coroutine."""
    markers: list[NodeOrLeaf] = []
    for scope in scopes:
        markers.extend(event.node for event in trusted(scope.awaits))
        if analysis.version >= (3, 11):
            asynchronous = asynchronous_comprehensions(analysis, _subtree(scope))
            markers.extend(
                child.node
                for child in scope.children
                if child in asynchronous and child.comprehension != "generator" and child.node
            )
    return markers


def _subtree(scope: Scope) -> Iterator[Scope]:
    """``scope`` and the scopes nested in it, parents first."""
    stack = [scope]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


# The rank of each part of a ``try`` statement in compile order, by version: 3.8 compiles
# the ``finally`` body first, 3.11 the ``else`` body before the handlers.
_TRY_PARTS_38 = {"finally": 0, "try": 1, "except": 2, "else": 3}
_TRY_PARTS_39 = {"try": 0, "except": 1, "else": 2, "finally": 3}
_TRY_PARTS_311 = {"try": 0, "else": 1, "except": 2, "finally": 3}


def _first_compiled(node: NodeOrLeaf, function: NodeOrLeaf, version: Version) -> tuple:
    """When ``node`` is first compiled: from 3.9 a ``finally`` body is compiled again at each
    ``break``, ``continue`` and bare ``return`` that leaves its ``try`` (3.8 calls it)."""
    key = _compile_order(node, function, version)
    if version < (3, 9):
        return key
    child, parent = node, node.parent
    while parent is not None and child is not function:
        if parent.type == "try_stmt" and _try_part(parent, child) == "finally":
            for exit_ in _exits(parent):
                key = min(key, _compile_order(exit_, function, version))
        child, parent = parent, parent.parent
    return key


_NOT_LEAVING = {
    "funcdef": ("break", "continue", "return"),
    "classdef": ("break", "continue", "return"),
    "lambdef": ("break", "continue", "return"),
    "for_stmt": ("break", "continue"),
    "while_stmt": ("break", "continue"),
}


def _exits(statement: NodeOrLeaf) -> Iterator[NodeOrLeaf]:
    """The ``break``, ``continue`` and bare ``return`` keywords that leave ``statement`` (a
    ``try`` with a ``finally``) from its other parts."""
    children = statement.children  # type: ignore[attr-defined]
    end = next(i for i, c in enumerate(children) if c.type == "keyword" and c.value == "finally")
    stack: list[tuple[NodeOrLeaf, tuple[str, ...]]] = [(child, ()) for child in children[:end]]
    while stack:
        node, stopped = stack.pop()
        word = getattr(node, "value", None) if node.type == "keyword" else None
        if word in ("break", "continue", "return") and word not in stopped:
            parent = node.parent
            if word != "return" or parent is None or parent.type != "return_stmt":
                yield node
        stopped = stopped + _NOT_LEAVING.get(node.type, ())
        stack.extend((child, stopped) for child in getattr(node, "children", ()))


def _compile_order(node: NodeOrLeaf, function: NodeOrLeaf, version: Version) -> tuple:
    """A key ordering the nodes of ``function``'s body as CPython compiles them: source order
    but for the parts of ``try`` statements."""
    path = []
    child, parent = node, node.parent
    while parent is not None and child is not function:
        rank = _try_part_rank(parent, child, version) if parent.type == "try_stmt" else 0
        path.append((rank, child.start_pos))
        child, parent = parent, parent.parent
    path.reverse()
    return tuple(path)


def _try_part_rank(statement: NodeOrLeaf, child: NodeOrLeaf, version: Version) -> int:
    ranks = _TRY_PARTS_38 if version < (3, 9) else _TRY_PARTS_39
    if version >= (3, 11):
        ranks = _TRY_PARTS_311
    return ranks[_try_part(statement, child)]


def _try_part(statement: NodeOrLeaf, child: NodeOrLeaf) -> str:
    """``"try"``, ``"except"``, ``"else"`` or ``"finally"``: the part ``child`` is in."""
    children = statement.children  # type: ignore[attr-defined]
    index = next(i for i, c in enumerate(children) if c is child)
    if child.type == "except_clause":
        return "except"
    if index < 2:
        return "try"
    opener = children[index - 2]  # the keyword or clause before the body's colon
    if opener.type == "except_clause":
        return "except"
    value = getattr(opener, "value", "try")
    return value if value in ("except", "else", "finally") else "try"
