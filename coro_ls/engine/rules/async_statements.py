"""CORO102 ``'async for' outside async function`` and CORO103 ``'async with' outside async
function``: the statements are allowed only directly in an ``async def`` body (or at module
level in top-level-await mode)."""

from __future__ import annotations

from collections.abc import Iterator

from coro_ls.engine.findings import Finding
from coro_ls.engine.rules import Rule, keyword_span, register, scope_pointer, trusted
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
    summary = "`async for` outside an `async def` body"
    message = "'async for' outside async function"

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        for start, end, related in _misplaced(analysis, "for_stmt"):
            yield Finding(self.code, self.message, start, end, related)


@register
class AsyncWithOutsideAsync(Rule):
    code = "CORO103"
    summary = "`async with` outside an `async def` body"
    message = "'async with' outside async function"

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        for start, end, related in _misplaced(analysis, "with_stmt"):
            yield Finding(self.code, self.message, start, end, related)
