"""Quick fixes for findings (pure: parso and text, no LSP).

Three fixes exist:

* CORO101-CORO104 judged in a plain ``def``: make it ``async def``;
* CORO105, a ``yield from EXPR`` statement in an ``async def``: a ``for`` or ``async for`` loop
  that yields the items (values sent in with ``asend()`` are not forwarded, which is what
  ``yield from`` would have done, so both are offered and neither is preferred);
* CORO106, ``return None`` in an asynchronous generator: a bare ``return``.

Every fix is checked before it is offered: the engine runs on the text with the fix applied
(on the function alone where it can be cut out, otherwise on the excerpt the analysis is of:
one block of an incremental document, or the whole text) and must report exactly what it
reported before, less the findings the fix is attached to.  A fix that would
leave another coroutine error behind (a ``def`` holding ``yield from`` made async) is never
offered.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from parso.tree import NodeOrLeaf
from parso.utils import split_lines

from coro_ls.editing.edits import Edit, apply_edits
from coro_ls.editing.excerpts import Excerpt, ModuleFacts
from coro_ls.editing.expansions.names import NamePool
from coro_ls.editing.lines import document_newline
from coro_ls.engine import checker as engine
from coro_ls.engine import rules
from coro_ls.engine.finding_scopes import FindingScopes
from coro_ls.engine.findings import Finding, Position
from coro_ls.engine.scopes import Analysis, Kind, Scope, leaves

# Which fix removes which rule's findings is declared by the rules (``Rule.quick_fixes``).
MAKE_ASYNC_CODES = rules.codes_fixed_by(rules.MAKE_ASYNC)
NOT_FORWARDED = "values sent in are not forwarded"


@dataclass(frozen=True)
class Fix:
    title: str
    edits: tuple[Edit, ...]
    fixes: tuple[Finding, ...]
    """The findings that disappear when the fix is applied."""
    is_preferred: bool = False


def quick_fixes(
    source: str | Excerpt,
    analysis: Analysis,
    findings: Iterable[Finding],
    *,
    all_findings: Sequence[Finding] | None = None,
) -> list[Fix]:
    """The fixes for ``findings`` (each offered once, however many of them it fixes).

    ``analysis`` is the engine's analysis of ``source`` (the whole text, or an excerpt: then
    findings, fixes and the analysis are in the excerpt's tree coordinates).  ``all_findings``
    are the findings shown to the user (all of the engine's when not given; fewer where some
    are suppressed): a fix lists those of them it removes.
    """
    facts = source.facts if isinstance(source, Excerpt) else None
    newline = facts.newline if facts is not None else document_newline(source)  # type: ignore[arg-type]
    # The check compares the engine with itself, so it needs every finding, shown or not.
    everything = rules.run(analysis)
    shown = set(all_findings) if all_findings is not None else None
    index = FindingScopes(analysis)
    offered: list[Fix] = []
    seen: set[tuple[str, Position]] = set()
    for finding in findings:
        located = index.locate(finding)
        if located is None:
            continue
        candidates: list[Fix] = []
        owner = located.scope
        rule = rules.load().get(finding.code)
        kinds = rule.quick_fixes if rule is not None else ()
        if rules.MAKE_ASYNC in kinds:
            scope = located.judged
            key = ("async", scope.node.start_pos if scope.node is not None else (0, 0))
            if key in seen:
                continue
            seen.add(key)
            fix = _make_async(scope, index, everything)
            candidates = [fix] if fix is not None else []
            owner = scope
        elif rules.YIELD_FROM_LOOP in kinds:
            candidates = _yield_from_loops(finding, located.node, analysis.lines, newline, facts)
        elif rules.BARE_RETURN in kinds:
            fix = _bare_return(finding, located.node)
            candidates = [fix] if fix is not None else []
        for fix in candidates:
            if _verified(source, analysis, owner, fix, everything):
                if shown is not None:
                    fix = replace(fix, fixes=tuple(f for f in fix.fixes if f in shown))
                offered.append(fix)
    return offered


# -- the fixes -----------------------------------------------------------------------------


def _make_async(scope: Scope, index: FindingScopes, everything: Sequence[Finding]) -> Fix | None:
    if scope.kind is not Kind.FUNCTION or scope.doubtful or scope.node is None:
        return None
    # As an async def, a yield from is CORO105.  A yield + return VALUE is CORO106, new
    # unless CPython reports those returns already (a def its symbol table marks a coroutine):
    # the re-check of the fixed text decides.
    if scope.yield_froms:
        return None
    fixed = tuple(
        finding
        for finding in everything
        if finding.code in MAKE_ASYNC_CODES
        and (located := index.locate(finding)) is not None
        and located.judged is scope
    )
    if not fixed:
        return None
    keyword = scope.node.children[0]  # type: ignore[attr-defined]
    return Fix(
        f"Make '{scope.name}' async (its callers must await it)",
        (Edit(keyword.start_pos, keyword.start_pos, "async "),),
        fixed,
        is_preferred=True,
    )


def _yield_from_loops(
    finding: Finding,
    node: NodeOrLeaf,
    lines: Sequence[str],
    newline: str,
    facts: ModuleFacts | None,
) -> list[Fix]:
    statement = node.parent
    if statement is None or statement.type != "simple_stmt":
        return []  # an expression (x = yield from g): its value has no loop equivalent
    if [child for child in statement.children if child.type != "newline"] != [node]:
        return []  # one of several statements on the line (yield from g; x = 1)
    expression = node.children[1].children[1]  # type: ignore[attr-defined]
    iterable = expression.get_code(include_prefix=False)
    if expression.type == "lambdef":
        iterable = f"({iterable})"
    variable = _fresh_name(node, "item", facts)
    first = node.get_first_leaf()
    line = lines[first.start_pos[0] - 1] if first.start_pos[0] - 1 < len(lines) else ""
    before = line[: first.start_pos[1]]
    if before.strip() == "":
        # The statement starts its own line: the loop takes its place.
        start, indent, lead = node.start_pos, before, ""
    else:
        # The body of a one-line compound statement (async def f(): yield from g): the loop
        # moves to a line of its own after the header's colon.
        colon = first.get_previous_leaf()
        owner = statement.parent
        if colon is None or colon.value != ":" or owner is None:
            return []
        if owner.parent is not None and owner.parent.type in ("async_stmt", "async_funcdef"):
            owner = owner.parent
        header = lines[owner.start_pos[0] - 1]
        indent = header[: owner.start_pos[1]]
        if indent.strip() != "":
            return []
        unit = _indent_unit(indent)
        start, lead, indent = colon.end_pos, newline + indent + unit, indent + unit
    body = indent + _indent_unit(indent)
    fixes = []
    for keyword, article in (("async for", "an"), ("for", "a")):
        text = f"{lead}{keyword} {variable} in {iterable}:{newline}{body}yield {variable}"
        fixes.append(
            Fix(
                f"Replace 'yield from' with {article} '{keyword}' loop ({NOT_FORWARDED})",
                (Edit(start, node.end_pos, text),),
                (finding,),
            )
        )
    return fixes


def _bare_return(finding: Finding, node: NodeOrLeaf) -> Fix | None:
    children: list[NodeOrLeaf] = getattr(node, "children", [])
    if len(children) != 2:
        return None
    value = children[1]
    if value.type != "keyword" or value.value != "None":  # type: ignore[attr-defined]
        return None
    return Fix(
        "Use a bare 'return'",
        (Edit(children[0].end_pos, value.end_pos, ""),),
        (finding,),
        is_preferred=True,
    )


def _indent_unit(indent: str) -> str:
    return "\t" if "\t" in indent else "    "


def _fresh_name(node: NodeOrLeaf, base: str, facts: ModuleFacts | None) -> str:
    """``base`` (or ``base_2``...) if no name in the module is spelled so."""
    if facts is None:
        pool = NamePool(
            {leaf.value for leaf in leaves(node.get_root_node()) if leaf.type == "name"}
        )
    else:
        pool = NamePool(lambda name: bool(facts.names(name)))
    return pool.fresh(base)


# -- applying and checking -----------------------------------------------------------------


def _moved(position: Position, edit: Edit) -> Position | None:
    """Where ``position`` is after ``edit``; None inside the replaced text."""
    if position < edit.start or (position == edit.start and edit.start != edit.end):
        return position
    if position < edit.end:
        return None
    new = split_lines(edit.new_text)
    if position[0] != edit.end[0]:
        return position[0] + len(new) - 1 - (edit.end[0] - edit.start[0]), position[1]
    last_line = edit.start[0] + len(new) - 1
    last_column = (edit.start[1] if len(new) == 1 else 0) + len(new[-1])
    return last_line, last_column + position[1] - edit.end[1]


Key = tuple[str, str, Position, Position]


def _key(finding: Finding) -> Key:
    return finding.code, finding.message, finding.start, finding.end


def _verified(
    source: str | Excerpt,
    analysis: Analysis,
    owner: Scope,
    fix: Fix,
    everything: Sequence[Finding],
) -> bool:
    """Whether the engine reports, after the fix, what it reported before less ``fix.fixes``."""
    if len(fix.edits) != 1:
        return False
    cut = _cut_out(analysis.lines, owner, future_annotations=analysis.future_annotations)
    if cut is not None:
        verdict = _verified_alone(*cut, analysis, fix, top_level_await=False)
        if verdict is not None:
            return verdict
    if isinstance(source, Excerpt) and not source.whole:
        # The excerpt is whole top-level statements that parse as they do in the document:
        # checked alone (with the document's future import), it has the same findings.
        text, shift = source.standalone(analysis.future_annotations)
        verdict = _verified_alone(
            text, shift, analysis, fix, top_level_await=analysis.top_level_await
        )
        return bool(verdict)
    text = source.text if isinstance(source, Excerpt) else source
    return _same_but_fixed(
        text,
        analysis,
        everything,
        [_key(f) for f in fix.fixes],
        fix.edits[0],
        top_level_await=analysis.top_level_await,
    )


def _verified_alone(
    text: str, shift: int, analysis: Analysis, fix: Fix, *, top_level_await: bool
) -> bool | None:
    """:func:`_verified` on a text holding the fix's code (positions moved by ``shift``
    lines); None when the text does not hold every finding the fix removes."""
    before = engine.check_source(text, target=analysis.version, top_level_await=top_level_await)
    fixed = [_key(f.shifted(shift)) for f in fix.fixes]
    if Counter(fixed) - Counter(map(_key, before)):
        return None
    edit = fix.edits[0]
    moved = Edit(
        (edit.start[0] + shift, edit.start[1]),
        (edit.end[0] + shift, edit.end[1]),
        edit.new_text,
    )
    return _same_but_fixed(text, analysis, before, fixed, moved, top_level_await=top_level_await)


def _same_but_fixed(
    text: str,
    analysis: Analysis,
    before: Sequence[Finding],
    fixed: list[Key],
    edit: Edit,
    *,
    top_level_await: bool,
) -> bool:
    after = engine.check_source(
        apply_edits(text, [edit]), target=analysis.version, top_level_await=top_level_await
    )
    expected: Counter[Key | None] = Counter()
    for key, count in (Counter(map(_key, before)) - Counter(fixed)).items():
        code, message, start, end = key
        moved_start, moved_end = _moved(start, edit), _moved(end, edit)
        if moved_start is None or moved_end is None:
            return False  # a finding the fix rewrites without removing it
        expected[(code, message, moved_start, moved_end)] += count
    return expected == Counter(map(_key, after))


def _cut_out(
    lines: Sequence[str], owner: Scope, *, future_annotations: bool
) -> tuple[str, int] | None:
    """The function ``owner`` alone as a module, and how many lines its positions move by.

    Coroutine errors inside a function depend on that function's own scopes, never on what
    encloses it, so checking it alone is enough and does not re-parse the whole file.
    ``lines`` are the analysis' lines (without line endings).
    """
    node = owner.node
    if node is None or node.type != "funcdef":
        return None
    parent = node.parent
    outer = (
        parent if parent is not None and parent.type in ("async_stmt", "async_funcdef") else node
    )
    (first, column), (last, end_column) = outer.start_pos, outer.end_pos
    if lines[first - 1][:column].strip():
        return None
    if end_column == 0:
        last -= 1
    # The future import decides whether annotations are scopes of their own.
    head = ["from __future__ import annotations\n"] if future_annotations else []
    if column:
        head.append("if 1:\n")  # an indented def keeps its indentation under a header
    body = [lines[index] + "\n" for index in range(first - 1, last)]
    return "".join(head + body), len(head) - (first - 1)
