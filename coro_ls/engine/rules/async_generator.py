"""CORO105 ``'yield from' inside async function`` and CORO106 ``'return' with value in async
generator``.

A ``yield`` or ``yield from`` anywhere in an ``async def``'s own scope (even unreachable)
makes it an asynchronous generator, so a ``yield from`` there also makes every
``return <value>`` an error: one function can carry both codes.
"""

from __future__ import annotations

from collections.abc import Iterator

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
from coro_ls.engine.scopes import Analysis, Kind


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
        "generator cannot return a value (its `StopAsyncIteration` carries none)."
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
