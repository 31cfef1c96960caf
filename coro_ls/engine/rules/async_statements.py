"""CORO102 ``'async for' outside async function`` and CORO103 ``'async with' outside async
function``: the statements are allowed only directly in an ``async def`` body (or at module
level in top-level-await mode)."""

from __future__ import annotations

from collections.abc import Iterator

from coro_ls.engine.findings import Finding
from coro_ls.engine.rules import (
    MAKE_ASYNC,
    Message,
    Rule,
    keyword_span,
    register,
    scope_pointer,
    trusted,
)
from coro_ls.engine.scopes import Analysis, Kind


def _misplaced(analysis: Analysis, statement_type: str) -> Iterator[tuple]:
    for scope in analysis.scopes():
        if not scope.async_statements or scope.kind is Kind.ASYNC_FUNCTION:
            continue
        if scope.kind is Kind.MODULE and analysis.top_level_await:
            continue
        for event in trusted(scope.async_statements):
            statement = event.node.children[1]
            if statement.type == statement_type:
                start, end = keyword_span(event.node.children[0], statement.children[0])
                yield start, end, scope_pointer(scope)


@register
class AsyncForOutsideAsync(Rule):
    code = "CORO102"
    name = "async-for-outside-coroutine"
    summary = "`async for` outside an `async def` body"
    message = Message("'async for' outside async function")
    messages = (message,)
    explanation = (
        "`async for` awaits the iterator's `__anext__()`, so it may only appear directly in an "
        "`async def` body (or at the top level of a notebook cell or the asyncio REPL)."
    )
    points_at = "statement"
    quick_fixes = (MAKE_ASYNC,)
    example = "`def f():`<br>`    async for x in it: ...`"
    how_to_fix = "make the enclosing function `async def`, or iterate synchronously"
    documentation = """\
An `async for` statement outside an `async def` body (module level, class body, `def`). Points
at the `async for` keywords and at the enclosing `def`/`class`.
"""

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        for start, end, related in _misplaced(analysis, "for_stmt"):
            yield Finding(self.code, self.message.text, start, end, related)


@register
class AsyncWithOutsideAsync(Rule):
    code = "CORO103"
    name = "async-with-outside-coroutine"
    summary = "`async with` outside an `async def` body"
    message = Message("'async with' outside async function")
    messages = (message,)
    explanation = (
        "`async with` awaits `__aenter__()` and `__aexit__()`, so it may only appear directly "
        "in an `async def` body (or at the top level of a notebook cell or the asyncio REPL)."
    )
    points_at = "statement"
    quick_fixes = (MAKE_ASYNC,)
    example = "`def f():`<br>`    async with lock: ...`"
    how_to_fix = "make the enclosing function `async def`, or use a synchronous manager"
    documentation = """\
An `async with` statement outside an `async def` body. Points at the `async with` keywords.
"""

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        for start, end, related in _misplaced(analysis, "with_stmt"):
            yield Finding(self.code, self.message.text, start, end, related)
