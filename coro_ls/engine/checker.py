"""The engine's entry points: parse a source for a target version and run every rule over it.

Pure Python over parso; knows nothing of LSP.

parso 0.8.7 cannot parse some modern syntax (``match``, ``except*``, ``type X = ...``,
parenthesised ``with`` items, PEP 701 f-strings).  On such code it produces error nodes and
sometimes moves a whole function body to module level.  So when a tree has errors, the
source is re-parsed with those constructs masked (``coro_ls.syntax.modern_syntax``: same length,
same positions, every expression kept), and whatever error recovery still had to guess is
marked doubtful by the scope walk, where rules stay silent.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from parso.python.tree import Module
from parso.tree import NodeOrLeaf
from parso.utils import split_lines

from coro_ls.engine import rules
from coro_ls.engine.findings import Finding, Position
from coro_ls.engine.scopes import (
    Analysis,
    Kind,
    SpecialScopes,
    analyse_statements,
    has_future_annotations,
)
from coro_ls.engine.versions import Version, grammar_for, running_version
from coro_ls.syntax.modern_syntax import TypeAliasRegion, mask_modern_syntax


def parse(source: str, target: Version | None = None) -> Module:
    """parso's tree of ``source`` with the target version's grammar (no caches)."""
    return grammar_for(target or running_version()).parse(source, error_recovery=True)


def check_source(
    source: str, *, target: Version | None = None, top_level_await: bool = False
) -> list[Finding]:
    """Every coroutine-placement finding in ``source``, sorted by position.

    ``target`` defaults to the running interpreter's version.  ``top_level_await`` checks the
    module as CPython does with ``ast.PyCF_ALLOW_TOP_LEVEL_AWAIT`` (notebook cells, asyncio REPL).
    """
    target = target or running_version()
    module = parse(source, target)
    return check_tree(module, source, target=target, top_level_await=top_level_await)


def check_tree(
    module: Module,
    source: str,
    *,
    target: Version | None = None,
    top_level_await: bool = False,
) -> list[Finding]:
    """As :func:`check_source`, for a tree the caller already has.

    ``module`` must be parso's parse of ``source`` with ``versions.grammar_for(target)``
    (a diff-parsed tree is fine).  The tree is not modified.
    """
    return rules.run(analyse_tree(module, source, target=target, top_level_await=top_level_await))


def analyse_tree(
    module: Module,
    source: str,
    *,
    target: Version | None = None,
    top_level_await: bool = False,
) -> Analysis:
    """The scope analysis the rules run on (also used by hover and quick fixes)."""
    return analyse_block(
        module.children,
        split_lines(source),
        target=target or running_version(),
        top_level_await=top_level_await,
        future_annotations=has_future_annotations(module.children),
    )


def analyse_block(
    statements: Sequence[NodeOrLeaf],
    lines: Sequence[str],
    *,
    target: Version,
    top_level_await: bool,
    future_annotations: bool,
    enclosing: Sequence[NodeOrLeaf] = (),
    split: Collection[NodeOrLeaf] = (),
) -> Analysis:
    """Analyse some top-level statements of a module (all of them, or one block of an
    incrementally parsed document), or some members of a class body (``enclosing``: the
    ``classdef`` nodes around them, outermost first; see
    :func:`~coro_ls.engine.scopes.analyse_statements`, also for ``split``); ``lines`` are the
    source lines in the statements' coordinates.  Statements that parsed with errors are
    re-parsed with modern syntax masked."""
    analysis = analyse_statements(
        statements,
        lines,
        version=target,
        top_level_await=top_level_await,
        future_annotations=future_annotations,
        enclosing=enclosing,
        split=split,
    )
    if not analysis.has_errors or not statements or split:
        # A split class's header never holds errors (the document splits only clean ones).
        return analysis
    first_line = statements[0].get_start_pos_of_prefix()[0]
    headers = _class_headers(enclosing)
    code = headers + "\n" * (first_line - 1 - headers.count("\n"))
    code += "".join(s.get_code() for s in statements)
    masked = mask_modern_syntax(code)
    if not masked.regions:
        return analysis
    module = parse(masked.text, target)
    members = _members(module, len(enclosing))
    if members is None:
        return analysis
    analysis = analyse_statements(
        members[1],
        lines,
        version=target,
        top_level_await=top_level_await,
        future_annotations=future_annotations,
        special=_special_scopes(masked.regions, target),
        enclosing=members[0],
    )
    # Syntax the target version does not have: CPython rejects the file for that, so
    # nothing inside it is reported ("when in doubt, report nothing").
    analysis.doubtful_spans.extend(
        _statement_span(module, region.span.start, region.span.end)
        for region in masked.regions
        if region.min_version > target
    )
    return analysis


def _class_headers(enclosing: Sequence[NodeOrLeaf]) -> str:
    """Lines that open the classes of ``enclosing`` again, each on the line and at the
    columns of the original ``class NAME`` (so scope pointers land on the same positions),
    as ``class NAME:`` (bases are evaluated outside the class body)."""
    text = ""
    line = 1
    for node in enclosing:
        keyword, name = node.children[0], node.children[1]  # type: ignore[attr-defined]
        text += "\n" * (keyword.start_pos[0] - line)
        leading = keyword.prefix.rsplit("\n", 1)[-1].rsplit("\r", 1)[-1]
        text += f"{leading}class{name.prefix}{name.value}:\n"
        line = keyword.start_pos[0] + 1
    return text


def _members(module: Module, depth: int) -> tuple[list[NodeOrLeaf], list[NodeOrLeaf]] | None:
    """The classes ``depth`` deep in a tree of :func:`_class_headers` + members and the
    statements of the innermost body; None where the members did not parse as one body."""
    if not depth:
        return [], list(module.children)
    classes: list[NodeOrLeaf] = []
    body: list[NodeOrLeaf] = list(module.children)
    for _ in range(depth):
        statements = [c for c in body if c.type not in ("newline", "endmarker")]
        if len(statements) != 1 or statements[0].type != "classdef":
            return None
        classes.append(statements[0])
        suite = statements[0].children[-1]  # type: ignore[attr-defined]
        if suite.type != "suite":
            return None
        body = list(suite.children[1:])
    return classes, body


def _statement_span(module: Module, start: Position, end: Position) -> tuple[Position, Position]:
    """The span of a masked header widened to its whole statement or clause: the body of a
    ``case`` or ``except*`` clause is part of the construct the target version lacks."""
    leaf = module.get_leaf_for_position(start)
    if leaf is None or leaf.start_pos != start:
        return start, end
    node: NodeOrLeaf = leaf
    while node.parent is not None and node.parent.start_pos == start:
        if node.parent.type in ("file_input", "suite"):
            break
        node = node.parent
    if node.type == "except_clause":
        colon = node.get_next_sibling()
        suite = colon.get_next_sibling() if colon is not None else None
        return start, max(end, (suite or node).end_pos)
    return start, max(end, node.end_pos)


def _special_scopes(regions: Sequence[object], target: Version) -> SpecialScopes:
    """The scopes a masked ``type`` statement's expressions are evaluated in."""
    special: SpecialScopes = {}
    defaults = {
        "TypeVar": Kind.TYPEVAR_DEFAULT,
        "TypeVarTuple": Kind.TYPEVARTUPLE_DEFAULT,
        "ParamSpec": Kind.PARAMSPEC_DEFAULT,
    }
    for region in regions:
        if not isinstance(region, TypeAliasRegion):
            continue
        for param in region.params:
            if param.bound is not None:
                constrained = param.constraints and target >= (3, 13)
                kind = Kind.TYPEVAR_CONSTRAINT if constrained else Kind.TYPEVAR_BOUND
                special[(param.bound.start, param.bound.end)] = kind
            if param.default is not None:
                special[(param.default.start, param.default.end)] = defaults[param.kind]
        special[(region.value.start, region.value.end)] = Kind.TYPE_ALIAS
    return special
