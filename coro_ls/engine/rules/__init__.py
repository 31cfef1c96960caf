"""The rule registry: every rule family registers here, and ``run`` applies them all.

A rule family is a module of this package holding one or more :class:`Rule` subclasses
decorated with :func:`register`.  Adding a rule touches one file: its module (plus its
import in ``_FAMILIES`` below when the family is new).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from typing import ClassVar

from parso.tree import NodeOrLeaf

from coro_ls.engine.findings import Finding, Position, Related
from coro_ls.engine.scopes import Analysis, Scope

_FAMILIES = (
    "await_outside",
    "async_statements",
    "async_comprehension",
    "async_generator",
    "annotation_scopes",
)

REGISTRY: dict[str, type[Rule]] = {}


class Rule:
    """One diagnostic code. Subclasses set ``code`` and ``summary`` and implement ``check``."""

    code: ClassVar[str]
    summary: ClassVar[str]
    """One line for documentation and hover: what the rule reports."""

    def check(self, analysis: Analysis) -> Iterable[Finding]:
        raise NotImplementedError


def register(rule: type[Rule]) -> type[Rule]:
    if rule.code in REGISTRY:
        raise ValueError(f"rule code {rule.code} registered twice")
    REGISTRY[rule.code] = rule
    return rule


def load() -> dict[str, type[Rule]]:
    """Import every rule family (each registers its rules on import)."""
    for family in _FAMILIES:
        importlib.import_module(f"{__name__}.{family}")
    return REGISTRY


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
