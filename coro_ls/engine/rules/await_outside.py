"""CORO101: ``await`` outside a coroutine body.

CPython words it by the scope the ``await`` is evaluated in: ``'await' outside function`` at
module level and in class bodies (also a class nested in an ``async def``), ``'await' outside
async function`` in a ``def`` or ``lambda`` body.  Comprehension bodies are not judged here: an
``await`` there makes the comprehension asynchronous (CORO104).
"""

from __future__ import annotations

from collections.abc import Iterator

from coro_ls.engine.findings import Finding
from coro_ls.engine.rules import Rule, node_range, register, scope_pointer, trusted
from coro_ls.engine.scopes import Analysis, Kind

OUTSIDE_FUNCTION = "'await' outside function"
OUTSIDE_ASYNC_FUNCTION = "'await' outside async function"


@register
class AwaitOutsideCoroutine(Rule):
    code = "CORO101"
    summary = "`await` outside a coroutine body"

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
