"""CORO105 ``'yield from' inside async function`` and CORO106 ``'return' with value in async
generator``.

A ``yield`` or ``yield from`` anywhere in an ``async def``'s own scope (even unreachable)
makes it an asynchronous generator, so a ``yield from`` there also makes every
``return <value>`` an error: one function can carry both codes.
"""

from __future__ import annotations

from collections.abc import Iterator

from coro_ls.engine.findings import Finding, Related
from coro_ls.engine.rules import Rule, node_range, register, scope_pointer, trusted
from coro_ls.engine.scopes import Analysis, Kind


@register
class YieldFromInAsync(Rule):
    code = "CORO105"
    summary = "`yield from` inside an `async def` body"
    message = "'yield from' inside async function"

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        for scope in analysis.scopes():
            if scope.kind is not Kind.ASYNC_FUNCTION or not scope.compiled:
                continue
            for event in trusted(scope.yield_froms):
                start, end = node_range(event.node)
                yield Finding(self.code, self.message, start, end, scope_pointer(scope))


@register
class ReturnValueInAsyncGenerator(Rule):
    code = "CORO106"
    summary = "`return` with a value in an asynchronous generator"
    message = "'return' with value in async generator"

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
                yield Finding(self.code, self.message, start, end, related)
