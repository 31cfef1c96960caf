"""From a finding back to the construct and the scope it was judged in.

Findings carry positions only; quick fixes and hover need the scope CPython judged the
construct in (the plain ``def`` whose body holds the ``await``, the comprehension's enclosing
scope...).  This index maps each finding's start back to the event that produced it.
"""

from __future__ import annotations

from dataclasses import dataclass

from parso.tree import NodeOrLeaf

from coro_ls.engine import rules
from coro_ls.engine.findings import Finding, Position
from coro_ls.engine.scopes import Analysis, Kind, Scope


@dataclass(frozen=True)
class Located:
    node: NodeOrLeaf
    """The construct: the ``await`` expression, the ``async_stmt``, the comprehension, the
    ``yield from`` expression or the ``return`` statement."""
    scope: Scope
    """The scope the construct is directly in (for a comprehension: its own scope)."""
    judged: Scope
    """The scope whose kind decides the finding (for a comprehension: the enclosing one)."""


class FindingScopes:
    """Where each finding of one :class:`Analysis` comes from."""

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self._index: dict[tuple[rules.Target, Position], Located] = {}
        for scope in analysis.scopes():
            for event in scope.awaits:
                self._add("await", event.node, scope, scope)
            for event in scope.async_statements:
                self._add("statement", event.node, scope, scope)
            for event in scope.yield_froms:
                self._add("yield_from", event.node, scope, scope)
            for event in scope.value_returns:
                self._add("return", event.node, scope, scope)
            if (
                scope.kind is Kind.COMPREHENSION
                and scope.comprehension != "generator"
                and scope.parent is not None
            ):
                # Generator expressions are never reported, and a generator argument can start
                # where the list comprehension inside it starts: only the others are indexed.
                self._add("comprehension", scope.node, scope, scope.parent)

    def _add(
        self, family: rules.Target, node: NodeOrLeaf | None, scope: Scope, judged: Scope
    ) -> None:
        if node is not None:
            self._index[(family, node.start_pos)] = Located(node, scope, judged)

    def locate(self, finding: Finding) -> Located | None:
        rule = rules.load().get(finding.code)
        if rule is None:
            return None
        return self._index.get((rule.points_at, finding.start))
