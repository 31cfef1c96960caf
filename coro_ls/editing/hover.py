"""Hover explanations (pure: parso and text, no LSP).

On ``await``, on the ``async`` of ``async for`` / ``async with`` / ``async def`` and on the
``async`` or ``for`` of an asynchronous comprehension, the hover states the rule that applies
there: allowed or not, why, and the scopes CPython sees around it, innermost first.  For an
``async for`` / ``async with`` statement it previews the expansion the code action produces.
Anywhere inside a finding's range it explains the finding.

The verdict always comes from the engine's findings, never from a second reading of the
rules here: the hover cannot disagree with the diagnostics.
"""

from __future__ import annotations

import logging
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from parso.python.tree import Module
from parso.tree import NodeOrLeaf

from coro_ls.editing import fixes
from coro_ls.editing.excerpts import Excerpt, whole
from coro_ls.editing.expansions import expand_in, statement_at_in
from coro_ls.engine import rules
from coro_ls.engine.finding_scopes import FindingScopes
from coro_ls.engine.findings import Finding, Position
from coro_ls.engine.rules.async_comprehension import asynchronous_comprehensions
from coro_ls.engine.scopes import ANNOTATION_LIKE, Analysis, Kind, Scope

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class HoverText:
    text: str
    start: Position
    end: Position
    """The range the hover is about (the keyword, or the finding)."""


class _Format:
    def __init__(self, markdown: bool) -> None:
        self.markdown = markdown

    def code(self, text: str) -> str:
        return f"`{text}`" if self.markdown else f"'{text}'"

    def message(self, text: str) -> str:
        """A message or title that itself holds quotes."""
        return f"`{text}`" if self.markdown else f'"{text}"'

    def bold(self, text: str) -> str:
        return f"**{text}**" if self.markdown else text

    def block(self, text: str) -> str:
        if self.markdown:
            return f"```python\n{text.rstrip()}\n```"
        return textwrap.indent(text.rstrip(), "    ")

    def rule(self) -> str:
        return "---" if self.markdown else ""


_COMPREHENSION = {
    "list": "list comprehension",
    "set": "set comprehension",
    "dict": "dict comprehension",
    "generator": "generator expression",
}


def describe(scope: Scope, analysis: Analysis, fmt: _Format) -> str:
    """One scope as CPython sees it: "function 'f' (def)", "the body of class 'A'"..."""
    kind = scope.kind
    if kind is Kind.MODULE:
        return "the module (top-level await allowed)" if analysis.top_level_await else "the module"
    if kind is Kind.CLASS:
        return f"the body of class {fmt.code(scope.name)}"
    if kind is Kind.FUNCTION:
        return f"function {fmt.code(scope.name)} ({fmt.code('def')})"
    if kind is Kind.ASYNC_FUNCTION:
        what = "asynchronous generator" if scope.yields else "coroutine function"
        return f"{what} {fmt.code(scope.name)} ({fmt.code('async def')})"
    if kind is Kind.LAMBDA:
        return f"a {fmt.code('lambda')}"
    if kind is Kind.COMPREHENSION:
        return f"a {_COMPREHENSION.get(scope.comprehension or '', 'comprehension')}"
    if kind is Kind.ANNOTATION:
        return "an annotation scope"
    return kind.value


def chain(scope: Scope, analysis: Analysis, fmt: _Format) -> str:
    return "Scopes, innermost first: " + " → ".join(
        describe(s, analysis, fmt) for s in scope.chain()
    )


def hover_at(
    source: str | Excerpt,
    module: Module | None,
    analysis: Analysis,
    position: Position,
    findings: Sequence[Finding],
    *,
    markdown: bool = True,
    engine_findings: Sequence[Finding] | None = None,
) -> HoverText | None:
    """The explanation for ``position``, or None where there is nothing to say.

    ``analysis`` is the engine's analysis of ``source`` and ``findings`` the findings shown to
    the user (the ones explained); ``engine_findings``, all the engine's findings, give the
    verdicts (a finding silenced by ``# noqa`` is still an error for CPython).  ``module`` is
    parso's tree of ``source`` (for the expansion preview).  ``source`` may instead be an
    excerpt of the document (one block), with ``module`` None: then the analysis, the
    findings, the position and the answer are in the excerpt's tree coordinates.
    """
    verdicts = findings if engine_findings is None else engine_findings
    fmt = _Format(markdown)
    index = FindingScopes(analysis)
    sections: list[str] = []
    start = end = None
    explained: set[Finding] = set()
    target = _keyword_at(analysis, position)
    if target is not None:
        start, end = target.start, target.end
        own = _own_findings(target, verdicts, analysis)
        explained.update(own)
        sections.append(_keyword_section(target, own, source, module, analysis, findings, fmt))
    else:
        keyword = _unevaluated_await(_tree(analysis, module), position)
        if keyword is not None:
            start, end = keyword.start_pos, keyword.end_pos
            caused = [f for f in verdicts if _caused_by(f, keyword.start_pos)]
            explained.update(caused)
            sections.append(_unevaluated_section(caused, fmt))
    for finding in findings:
        if finding in explained or not (finding.start <= position < finding.end):
            continue
        if start is None:
            start, end = finding.start, finding.end
        sections.append(_finding_section(finding, source, analysis, index, findings, fmt))
    if not sections or start is None or end is None:
        return None
    separator = f"\n\n{fmt.rule()}\n\n" if markdown else "\n\n"
    return HoverText(separator.join(sections), start, end)


# -- what is under the cursor --------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    what: str
    """"await", "statement", "def", "comprehension"."""
    start: Position
    end: Position
    construct: NodeOrLeaf
    """The node whose start a finding about it has."""
    scope: Scope
    """The scope the construct is in (a comprehension's own scope for "comprehension")."""
    doubtful: bool
    codes: frozenset[str]


def _within(position: Position, leaf: NodeOrLeaf) -> bool:
    return leaf.start_pos <= position < leaf.end_pos


def _keyword_at(analysis: Analysis, position: Position) -> _Target | None:
    for scope in analysis.scopes():
        for event in scope.awaits:
            keyword = event.node.children[0]  # type: ignore[attr-defined]
            if _within(position, keyword):
                codes = rules.codes_pointing_at("await")
                return _Target("await", *_span(keyword), event.node, scope, event.doubtful, codes)
        for event in scope.async_statements:
            keyword = event.node.children[0]  # type: ignore[attr-defined]
            if _within(position, keyword):
                codes = rules.codes_pointing_at("statement")
                return _Target(
                    "statement", *_span(keyword), event.node, scope, event.doubtful, codes
                )
        node = scope.node
        if scope.kind is Kind.ASYNC_FUNCTION and node is not None and node.parent is not None:
            keyword = node.parent.children[0]
            if _within(position, keyword):
                return _Target("def", *_span(keyword), node, scope, scope.doubtful, frozenset())
        if scope.kind is Kind.COMPREHENSION and node is not None:
            for keyword in _clause_keywords(scope):
                # Only asynchronous comprehensions: a plain one has no rule to explain.
                if _within(position, keyword) and scope in asynchronous_comprehensions(analysis):
                    return _Target(
                        "comprehension",
                        *_span(keyword),
                        node,
                        scope,
                        scope.doubtful,
                        rules.codes_pointing_at("comprehension"),
                    )
    return None


def _own_findings(
    target: _Target, findings: Sequence[Finding], analysis: Analysis
) -> list[Finding]:
    """The findings about the construct itself.  An ``await`` in a list, set or dict
    comprehension is judged through the comprehension it makes asynchronous, and since 3.11
    through the comprehensions that one is nested in, which it makes asynchronous in turn."""
    starts = {(target.construct.start_pos, code) for code in target.codes}
    scope: Scope | None = target.scope if target.what == "await" else None
    while (
        scope is not None
        and scope.kind is Kind.COMPREHENSION
        and scope.comprehension != "generator"
        and scope.node is not None
    ):
        starts.update(
            (scope.node.start_pos, code) for code in rules.codes_pointing_at("comprehension")
        )
        parent = scope.parent
        if analysis.version < (3, 11) or parent is None:
            break
        scope = parent
    return [
        f
        for f in findings
        if (f.start, f.code) in starts or (target.what == "await" and _caused_by(f, target.start))
    ]


def _caused_by(finding: Finding, position: Position) -> bool:
    """Whether the finding's related information names the construct at ``position`` as its
    cause (an ``await`` that makes CPython treat a plain ``def`` as a coroutine: CORO106)."""
    return any(related.start == position for related in finding.related)


def _unevaluated_section(caused: list[Finding], fmt: _Format) -> str:
    where = "It is in the annotation of a variable inside a function, which CPython never "
    if not caused:
        return (
            f"{fmt.bold(fmt.code('await'))}: {fmt.bold('Allowed here')}.\n\n{where}"
            "evaluates (before Python 3.14), so nothing is checked there."
        )
    lines = [
        f"{fmt.bold(fmt.code('await'))}: {_verdict(caused, False, fmt)}",
        f"{where}evaluates (before Python 3.14); but its symbol table sees the "
        f"{fmt.code('await')} and treats the function as a coroutine.",
    ]
    lines.extend(dict.fromkeys(fmt_why(f.code, fmt) for f in caused))
    return "\n\n".join(lines)


def _unevaluated_await(module: Module | None, position: Position) -> NodeOrLeaf | None:
    """An ``await`` keyword the scope walk skipped: one in a local variable annotation."""
    if module is None:
        return None  # no scope but the module's: no function, so no such annotation
    try:
        leaf = module.get_leaf_for_position(position)
    except ValueError:
        return None
    if leaf is None or leaf.end_pos == position:
        leaf = leaf.get_next_leaf() if leaf is not None else None
    if leaf is None or leaf.type != "keyword" or leaf.value != "await":
        return None
    if not leaf.start_pos <= position < leaf.end_pos:
        return None
    node = leaf.parent
    while node is not None and node.type not in ("annassign", "funcdef", "classdef"):
        node = node.parent
    if node is None or node.type != "annassign" or not _in_function(node):
        return None
    return leaf


def _tree(analysis: Analysis, module: Module | None) -> Module | None:
    """The tree the analysis was made of (parso's tree of the masked text, if masking was
    needed to parse modern syntax), so that positions land on the same structure."""
    for scope in analysis.scopes():
        if scope.node is not None:
            return scope.node.get_root_node()  # type: ignore[return-value]
    return module


def _in_function(node: NodeOrLeaf) -> bool:
    parent = node.parent
    while parent is not None and parent.type not in ("funcdef", "classdef"):
        parent = parent.parent
    return parent is not None and parent.type == "funcdef"


def _span(leaf: NodeOrLeaf) -> tuple[Position, Position]:
    return leaf.start_pos, leaf.end_pos


def _clause_keywords(scope: Scope) -> Iterator[NodeOrLeaf]:
    """The ``async`` and ``for`` keywords of a comprehension's own clauses."""
    node = scope.node
    children = node.children  # type: ignore[union-attr]
    if node.type == "argument":  # type: ignore[union-attr]
        current = children[1]
    else:
        current = children[1].children[-1]
    while current is not None and current.type in ("comp_for", "sync_comp_for", "comp_if"):
        parts = current.children
        following = None
        if current.type == "comp_for":
            yield parts[0]
            current = parts[1]
            continue
        if current.type == "sync_comp_for":
            yield parts[0]
            following = parts[4] if len(parts) > 4 else None
        else:
            following = parts[2] if len(parts) > 2 else None
        current = following


# -- the sections ---------------------------------------------------------------------------


def _verdict(own: Sequence[Finding], doubtful: bool, fmt: _Format) -> str:
    if own:
        return (
            fmt.bold("Not allowed here")
            + ": "
            + "; ".join(f"{fmt.message(f.message)} ({f.code})" for f in own)
        )
    if doubtful:
        return fmt.bold("Not judged") + ": the code around it does not parse cleanly."
    return fmt.bold("Allowed here") + "."


def _keyword_section(
    target: _Target,
    own: list[Finding],
    source: str | Excerpt,
    module: Module | None,
    analysis: Analysis,
    findings: Sequence[Finding],
    fmt: _Format,
) -> str:
    scope = target.scope
    lines: list[str] = []
    if target.what == "await":
        lines.append(f"{fmt.bold(fmt.code('await'))}: {_verdict(own, target.doubtful, fmt)}")
        lines.append(_await_reason(scope, own, analysis, fmt))
    elif target.what == "statement":
        kind = "for" if target.construct.children[1].type == "for_stmt" else "with"  # type: ignore[attr-defined]
        name = f"async {kind}"
        lines.append(f"{fmt.bold(fmt.code(name))}: {_verdict(own, target.doubtful, fmt)}")
        if scope.kind is Kind.ASYNC_FUNCTION:
            lines.append(
                f"It is directly in the body of {describe(scope, analysis, fmt)}, where "
                f"{fmt.code(name)} may be used."
            )
        elif scope.kind is Kind.MODULE and analysis.top_level_await:
            lines.append("Top-level await mode allows it at module level.")
        else:
            lines.append(
                f"It is directly in {describe(scope, analysis, fmt)}; "
                f"{fmt.code(name)} is allowed only directly in an {fmt.code('async def')} body."
            )
    elif target.what == "def":
        lines.append(f"{fmt.bold(fmt.code('async def'))}: {_verdict(own, target.doubtful, fmt)}")
        lines.append(_async_def_text(scope, analysis, fmt))
        return "\n\n".join(lines + [chain(scope.parent or scope, analysis, fmt)])
    else:
        asynchronous = scope in asynchronous_comprehensions(analysis)
        what = _COMPREHENSION.get(scope.comprehension or "", "comprehension")
        state = "asynchronous" if asynchronous else "not asynchronous"
        lines.append(
            f"{fmt.bold('This ' + what + ' is ' + state)}: {_verdict(own, target.doubtful, fmt)}"
        )
        lines.append(_comprehension_reason(scope, own, asynchronous, analysis, fmt))
    lines.extend(dict.fromkeys(fmt_why(f.code, fmt) for f in own))
    lines.append(chain(scope, analysis, fmt))
    for finding in own:
        lines.extend(_fix_lines(finding, source, analysis, fmt, findings))
    if target.what == "statement":
        preview = _expansion_preview(source, module, target.start, analysis, fmt)
        if preview:
            lines.append(preview)
    return "\n\n".join(lines)


def _await_reason(scope: Scope, own: list[Finding], analysis: Analysis, fmt: _Format) -> str:
    kind = scope.kind
    where = describe(scope, analysis, fmt)
    if kind is Kind.ASYNC_FUNCTION:
        return f"It is evaluated directly in the body of {where}."
    if kind is Kind.COMPREHENSION:
        text = f"It is evaluated in {where}, which it makes asynchronous. "
        if scope.comprehension == "generator":
            return text + "An asynchronous generator expression is allowed anywhere."
        return text + _comprehension_reason(scope, own, True, analysis, fmt)
    if kind in ANNOTATION_LIKE:
        if own:
            return f"It is evaluated in {where}. " + fmt_why("CORO107", fmt)
        return f"It is evaluated in {where}, which this Python version does not check."
    if kind is Kind.MODULE and analysis.top_level_await:
        return "Top-level await mode allows it at module level."
    return f"It is evaluated in {where}, not in an {fmt.code('async def')} body."


def _comprehension_reason(
    scope: Scope, own: list[Finding], asynchronous: bool, analysis: Analysis, fmt: _Format
) -> str:
    if not asynchronous:
        return (
            f"Without an {fmt.code('async for')} clause or an {fmt.code('await')} of its own "
            "it runs synchronously."
        )
    if scope.comprehension == "generator":
        return "An asynchronous generator expression is allowed anywhere."
    enclosing = scope.parent
    if enclosing is None:
        return ""
    where = describe(enclosing, analysis, fmt)
    if enclosing.kind is Kind.COMPREHENSION and own and analysis.version >= (3, 11):
        return (
            f"It is inside {where}, which it makes asynchronous too; that one is not "
            "allowed where it is."
        )
    if own or enclosing.kind not in (Kind.ASYNC_FUNCTION, Kind.COMPREHENSION, Kind.MODULE):
        what = _COMPREHENSION[scope.comprehension or "list"]
        return (
            f"It is directly in {where}; an asynchronous {what} "
            f"is allowed only directly in an {fmt.code('async def')} body."
        )
    if enclosing.kind is Kind.COMPREHENSION:
        return f"It is inside {where}, which it makes asynchronous too."
    if enclosing.kind is Kind.MODULE:
        return "Top-level await mode allows it at module level."
    return f"It is directly in the body of {where}."


def _async_def_text(scope: Scope, analysis: Analysis, fmt: _Format) -> str:
    name = fmt.code(scope.name)
    text = (
        f"Defines coroutine function {name}: calling it returns a coroutine to await. In its own "
        f"body {fmt.code('await')}, {fmt.code('async for')}, {fmt.code('async with')} and "
        "asynchronous comprehensions are allowed (not in nested functions, lambdas or classes, "
        "nor in its default values and decorators, which the enclosing scope evaluates)."
    )
    if scope.yields:
        text += (
            f" It contains {fmt.code('yield')}, so it is an asynchronous generator: "
            f"{fmt.code('yield from')} and {fmt.code('return')} with a value are not allowed "
            "in it."
        )
    return text


def fmt_why(code: str, fmt: _Format) -> str:
    rule = rules.load().get(code)
    text = rule.explanation if rule is not None else ""
    return text if fmt.markdown else text.replace("`", "'")


def _finding_section(
    finding: Finding,
    source: str | Excerpt,
    analysis: Analysis,
    index: FindingScopes,
    findings: Sequence[Finding],
    fmt: _Format,
) -> str:
    rule = rules.load().get(finding.code)
    summary = rule.summary if rule is not None else ""
    if not fmt.markdown:
        summary = summary.replace("`", "'")
    lines = [f"{fmt.bold(finding.code)}: {fmt.message(finding.message)}"]
    if summary:
        lines.append(f"Reports {summary}.")
    why = fmt_why(finding.code, fmt)
    if why:
        lines.append(why)
    located = index.locate(finding)
    if located is not None:
        judged = located.judged
        lines.append(f"Here it is judged in {describe(judged, analysis, fmt)}.")
        lines.append(chain(judged, analysis, fmt))
    lines.extend(_fix_lines(finding, source, analysis, fmt, findings))
    return "\n\n".join(lines)


def _fix_lines(
    finding: Finding,
    source: str | Excerpt,
    analysis: Analysis,
    fmt: _Format,
    findings: Sequence[Finding] | None = None,
) -> list[str]:
    offered = fixes.quick_fixes(source, analysis, [finding], all_findings=findings)
    if not offered:
        return []
    return ["Quick fix: " + "; ".join(fix.title for fix in offered) + "."]


def _expansion_preview(
    source: str | Excerpt, module: Module | None, start: Position, analysis: Analysis, fmt: _Format
) -> str | None:
    try:
        if isinstance(source, Excerpt):
            excerpt = source
        else:
            assert module is not None
            excerpt = whole(source, module, analysis.version)
        statement = statement_at_in(excerpt, start)
        if statement is None or statement.start != start:
            return None
        edits = expand_in(excerpt, statement)
    except Exception:
        # The preview is an extra: the explanation is still worth showing without it.
        logger.exception("no expansion preview for the statement at %s", start)
        return None
    main = next((e for e in edits if e.start == statement.start), None)
    if main is None:
        return None
    indent = analysis.lines[start[0] - 1][: start[1]]
    text = textwrap.dedent(indent + main.new_text)
    extra = [e.new_text.strip() for e in edits if e is not main and e.new_text.strip()]
    if extra:
        text = "\n".join(extra) + "\n...\n" + text
    return f"Expansion (code action {fmt.message(statement.title)}):\n\n{fmt.block(text)}"
