"""The rule registry: every rule family registers here, and ``run`` applies them all.

A rule family is a module of this package holding one or more :class:`Rule` subclasses
decorated with :func:`register`.  Families are found by discovery (every module of this
package whose name does not start with ``_``), and everything about a rule lives on its class:
its code and name, CPython's messages and the versions that use them, the explanation hover
shows, what its findings point at, the quick fixes that remove it and its README text.  Adding
a rule touches its module and its case file under ``tests/rules/``; README's rules table and
sections are generated from the modules (``python -m coro_ls.cli.rules_docs``).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import ClassVar, Literal

from parso.tree import NodeOrLeaf

from coro_ls.engine.findings import Finding, Position, Related
from coro_ls.engine.scopes import Analysis, Scope
from coro_ls.engine.versions import NEWEST, OLDEST, Version, format_version

Target = Literal["await", "statement", "comprehension", "yield_from", "return"]
"""What a rule's findings start at, so that a finding can be traced back to its construct and
scope (``coro_ls.engine.finding_scopes``): an ``await`` expression, an ``async for``/``async
with`` statement, a list/set/dict comprehension, a ``yield from`` expression or a ``return``
statement."""

QuickFix = Literal["make-async", "yield-from-loop", "bare-return"]
"""The quick fixes ``coro_ls.editing.fixes`` implements, by name."""

MAKE_ASYNC: QuickFix = "make-async"
"""``def`` -> ``async def`` for what is judged in a plain ``def``."""
YIELD_FROM_LOOP: QuickFix = "yield-from-loop"
"""A ``yield from EXPR`` statement -> a loop that yields each item."""
BARE_RETURN: QuickFix = "bare-return"
"""``return None`` -> ``return``."""


@dataclass(frozen=True)
class Message:
    """One wording CPython uses for a rule, and the versions that use it."""

    text: str
    since: Version = OLDEST
    until: Version | None = None
    """The last version with this wording; None while the newest still has it."""

    def used_in(self, version: Version) -> bool:
        return self.since <= version and (self.until is None or version <= self.until)

    def versions(self) -> str:
        """``""`` for every version, else ``"3.12+"``, ``"3.10–3.11"``, ``"3.10"``."""
        until = self.until or NEWEST
        if self.since == OLDEST and until == NEWEST:
            return ""
        if until == NEWEST:
            return f"{format_version(self.since)}+"
        if self.since == until:
            return format_version(self.since)
        return f"{format_version(self.since)}–{format_version(until)}"


class Rule:
    """One diagnostic code: subclasses set the attributes below and implement ``check``."""

    code: ClassVar[str]
    name: ClassVar[str]
    """A short kebab-case name (``await-outside-coroutine``)."""
    summary: ClassVar[str]
    """One line for documentation and hover: what the rule reports (Markdown)."""
    messages: ClassVar[tuple[Message, ...]]
    """Every wording of CPython's error, with the versions that use it."""
    explanation: ClassVar[str]
    """Why CPython rejects the construct: the paragraph hover shows (Markdown)."""
    points_at: ClassVar[Target]
    quick_fixes: ClassVar[tuple[QuickFix, ...]] = ()
    """The quick fixes that can remove a finding of this rule (when their checks pass)."""
    example: ClassVar[str]
    """Code that has the error, for README's rules table (Markdown, one table cell)."""
    how_to_fix: ClassVar[str]
    """For README's rules table (Markdown, one table cell)."""
    documentation: ClassVar[str]
    """README's section on the rule, under its ``### CODE`` heading (Markdown)."""

    def check(self, analysis: Analysis) -> Iterable[Finding]:
        raise NotImplementedError


_DESCRIBED_BY = (
    "code",
    "name",
    "summary",
    "messages",
    "explanation",
    "points_at",
    "example",
    "how_to_fix",
    "documentation",
)

REGISTRY: dict[str, type[Rule]] = {}


def register(rule: type[Rule]) -> type[Rule]:
    missing = [attribute for attribute in _DESCRIBED_BY if not getattr(rule, attribute, None)]
    if missing:
        raise TypeError(f"rule {rule.__name__} does not set {', '.join(missing)}")
    if rule.code in REGISTRY:
        raise ValueError(f"rule code {rule.code} registered twice")
    REGISTRY[rule.code] = rule
    return rule


def families() -> list[str]:
    """The rule families: the modules of this package (but private ones), by name."""
    return sorted(
        info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_")
    )


@cache
def load() -> dict[str, type[Rule]]:
    """Import every rule family (each registers its rules on import); the rules by code."""
    for family in families():
        importlib.import_module(f"{__name__}.{family}")
    return dict(sorted(REGISTRY.items()))


def codes_pointing_at(target: Target) -> frozenset[str]:
    return frozenset(code for code, rule in load().items() if rule.points_at == target)


def codes_fixed_by(fix: QuickFix) -> frozenset[str]:
    return frozenset(code for code, rule in load().items() if fix in rule.quick_fixes)


def run(analysis: Analysis) -> list[Finding]:
    findings: list[Finding] = []
    for rule in load().values():
        findings.extend(rule().check(analysis))
    if analysis.doubtful_spans:
        findings = [f for f in findings if not analysis.in_doubt(f.start)]
    findings.sort(key=lambda f: (f.start, f.end, f.code))
    return findings


# -- helpers shared by the rule families ------------------------------------------------


def node_range(node: NodeOrLeaf) -> tuple[Position, Position]:
    return node.start_pos, node.end_pos


def first_line_range(node: NodeOrLeaf, lines: list[str]) -> tuple[Position, Position]:
    """From the node's start to its end or the end of its first line, whichever is first:
    CPython reports a comprehension at its first line, and a squiggle should not cover a
    whole multi-line block."""
    start, end = node.start_pos, node.end_pos
    if end[0] == start[0]:
        return start, end
    line = lines[start[0] - 1] if start[0] - 1 < len(lines) else ""
    return start, (start[0], max(len(line.rstrip()), start[1] + 1))


def keyword_span(first: NodeOrLeaf, last: NodeOrLeaf) -> tuple[Position, Position]:
    return first.start_pos, last.end_pos


def scope_pointer(scope: Scope) -> tuple[Related, ...]:
    """A pointer to the ``def``/``lambda``/``class`` that makes ``scope`` what it is."""
    node = scope.node
    if node is None:
        return ()
    if node.type == "funcdef":
        start = node.start_pos
        parent = node.parent
        if parent is not None and parent.type in ("async_stmt", "async_funcdef"):
            start = parent.start_pos
        name = node.children[1]  # type: ignore[union-attr,attr-defined,arg-type]
        what = "coroutine" if parent.type in ("async_stmt", "async_funcdef") else "function"  # type: ignore[union-attr,attr-defined,arg-type]
        return (Related(start, name.end_pos, f"in {what} '{name.value}', defined here"),)
    if node.type == "classdef":
        name = node.children[1]  # type: ignore[union-attr,attr-defined,arg-type]
        return (Related(node.start_pos, name.end_pos, f"in the body of class '{name.value}'"),)
    if node.type == "lambdef":
        keyword = node.children[0]  # type: ignore[union-attr,attr-defined,arg-type]
        return (Related(keyword.start_pos, keyword.end_pos, "in this lambda"),)
    return ()


def trusted(events: Iterable) -> Iterator:
    return (event for event in events if not event.doubtful)
