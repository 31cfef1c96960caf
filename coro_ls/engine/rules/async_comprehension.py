"""CORO104: ``asynchronous comprehension outside of an asynchronous function``.

A list, set or dict comprehension is asynchronous when it has an ``async for`` clause or an
``await`` in its own scope (element, conditions, iterables after the first).  Since 3.11
(bpo-33346) an asynchronous list/set/dict comprehension nested in another comprehension
makes that one asynchronous too, and is itself allowed there; before 3.11 it was allowed only
inside a comprehension that was asynchronous on its own.  Generator expressions are never
reported: an asynchronous generator expression is valid everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from coro_ls.engine.findings import Finding, Related
from coro_ls.engine.rules import (
    MAKE_ASYNC,
    Message,
    Rule,
    first_line_range,
    register,
    scope_pointer,
    trusted,
)
from coro_ls.engine.scopes import Analysis, Kind, Scope

MESSAGE = "asynchronous comprehension outside of an asynchronous function"


def asynchronous_comprehensions(
    analysis: Analysis, scopes: Iterable[Scope] | None = None
) -> dict[Scope, Related | None]:
    """Every asynchronous comprehension scope (among ``scopes``, parents before children;
    by default the analysis' scopes), with a pointer to what makes it so."""
    nested_counts = analysis.version >= (3, 11)
    result: dict[Scope, Related | None] = {}
    # Children before parents, so a nested comprehension is decided before its parent.
    for scope in reversed(list(analysis.scopes() if scopes is None else scopes)):
        if scope.kind is not Kind.COMPREHENSION:
            continue
        cause = next(trusted(scope.async_clauses), None) or next(trusted(scope.awaits), None)
        if cause is not None:
            node = cause.node
            what = "'async for'" if node.type == "keyword" else "'await'"
            result[scope] = Related(
                node.start_pos, node.end_pos, f"{what} here makes the comprehension asynchronous"
            )
            continue
        if nested_counts:
            for child in scope.children:
                if child in result and child.comprehension != "generator":
                    start = child.node.start_pos  # type: ignore[union-attr,attr-defined,arg-type]
                    result[scope] = Related(
                        start,
                        (start[0], start[1] + 1),
                        "this asynchronous comprehension makes the enclosing one asynchronous",
                    )
                    break
    return result


@register
class AsyncComprehensionOutsideAsync(Rule):
    code = "CORO104"
    name = "async-comprehension-outside-coroutine"
    summary = "asynchronous list, set or dict comprehension outside an `async def` body"
    messages = (Message(MESSAGE),)
    explanation = (
        "An `async for` clause or an `await` makes a list, set or dict comprehension "
        "asynchronous: it is built by awaiting, so it may only appear directly in an "
        "`async def` body (since Python 3.11 also inside another comprehension, which it makes "
        "asynchronous). Asynchronous generator expressions are allowed anywhere."
    )
    points_at = "comprehension"
    quick_fixes = (MAKE_ASYNC,)
    example = "`def f(): return [x async for x in it]`"
    how_to_fix = (
        "make the function `async def`, or use a generator expression `(x async for x in it)` "
        "and consume it in a coroutine"
    )
    documentation = """\
A list, set or dict comprehension that is asynchronous (an `async for` clause, or an `await` in
its element, conditions or later iterables; since 3.11 also an asynchronous comprehension nested
in it) outside an `async def`. CPython reports it at the comprehension's first line (3.8 and 3.9
report it at line 0; coro-ls reports it at the comprehension). Generator expressions are never
reported: `(x async for x in it)` is an asynchronous generator, valid everywhere.
"""

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        asynchronous = asynchronous_comprehensions(analysis)
        for scope, cause in asynchronous.items():
            if scope.comprehension == "generator" or not scope.compiled or scope.doubtful:
                continue
            enclosing = scope.parent
            assert enclosing is not None
            if enclosing.kind is Kind.ASYNC_FUNCTION:
                continue
            if enclosing.kind is Kind.MODULE and analysis.top_level_await:
                continue
            if enclosing.kind is Kind.COMPREHENSION and (
                analysis.version >= (3, 11) or enclosing in asynchronous
            ):
                continue
            start, end = first_line_range(scope.node, analysis.lines)  # type: ignore[union-attr,attr-defined,arg-type]
            related = scope_pointer(enclosing) + ((cause,) if cause else ())
            yield Finding(self.code, MESSAGE, start, end, related)
