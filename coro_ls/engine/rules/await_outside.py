"""CORO101: ``await`` outside a coroutine body.

CPython words it by the scope the ``await`` is evaluated in: ``'await' outside function`` at
module level and in class bodies (also a class nested in an ``async def``), ``'await' outside
async function`` in a ``def`` or ``lambda`` body.  Comprehension bodies are not judged here: an
``await`` there makes the comprehension asynchronous (CORO104).
"""

from __future__ import annotations

from collections.abc import Iterator

from coro_ls.engine.findings import Finding
from coro_ls.engine.rules import (
    MAKE_ASYNC,
    Message,
    Rule,
    node_range,
    register,
    scope_pointer,
    trusted,
)
from coro_ls.engine.scopes import Analysis, Kind

OUTSIDE_FUNCTION = "'await' outside function"
OUTSIDE_ASYNC_FUNCTION = "'await' outside async function"


@register
class AwaitOutsideCoroutine(Rule):
    code = "CORO101"
    name = "await-outside-coroutine"
    summary = "`await` outside a coroutine body"
    messages = (Message(OUTSIDE_FUNCTION), Message(OUTSIDE_ASYNC_FUNCTION))
    explanation = (
        "`await` suspends the coroutine that runs it, so it may only appear where a "
        "coroutine's own code runs: directly in an `async def` body (or at the top level of a "
        "notebook cell or the asyncio REPL). Default values and decorators belong to the "
        "enclosing scope; a `lambda` or a class body is a scope of its own."
    )
    points_at = "await"
    quick_fixes = (MAKE_ASYNC,)
    example = "`def f(): await g()`"
    how_to_fix = (
        "make the function `async def` (and await its callers), or move the `await` into a "
        "coroutine"
    )
    documentation = """\
`await` evaluated in a scope that is not a coroutine body. At module level and in class
bodies (also a class defined inside an `async def`) CPython says `'await' outside function`;
in a `def` or `lambda` body it says `'await' outside async function`. A `lambda` is never
asynchronous, even inside an `async def`. The diagnostic points at the `await` expression and,
as related information, at the `def`, `lambda` or `class` that makes the scope non-async.
"""

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        for scope in analysis.scopes():
            if not scope.compiled or not scope.awaits:
                continue
            if scope.kind is Kind.MODULE:
                if analysis.top_level_await:
                    continue
                message = OUTSIDE_FUNCTION
            elif scope.kind is Kind.CLASS:
                message = OUTSIDE_FUNCTION
            elif scope.kind in (Kind.FUNCTION, Kind.LAMBDA):
                message = OUTSIDE_ASYNC_FUNCTION
            else:
                continue
            related = scope_pointer(scope)
            for event in trusted(scope.awaits):
                start, end = node_range(event.node)
                yield Finding(self.code, message, start, end, related)
