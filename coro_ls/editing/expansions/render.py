"""The expansions themselves: the statement's replacement text and the ``import sys`` edit.

``async for`` follows the language reference, with the target assigned in the ``else:`` of the
``try`` (assigned inside it, a ``StopAsyncIteration`` raised by the assignment itself would end
the loop), and the loop inside a ``try/finally`` that deletes the helpers.  ``async with``
follows the Python 3.11+ reference (``try/except/finally`` with a ``hit_except`` flag, so
``__aexit__`` also runs when the body leaves by ``return``, ``break`` or ``continue``), deleting
its helpers in the ``finally:``; several items nest, in order.
"""

from __future__ import annotations

from dataclasses import dataclass

from parso.python import tree

from coro_ls.editing.edits import Edit
from coro_ls.editing.excerpts import Excerpt, Occurrence, whole
from coro_ls.editing.expansions.locate import Statement
from coro_ls.editing.expansions.names import (
    ModuleRef,
    NamePool,
    builtin_is_rebound,
    module_ref,
)
from coro_ls.editing.expansions.text import (
    Lines,
    shift_lines,
    string_continuation_lines,
    to_document,
)
from coro_ls.engine.versions import Version, running_version

_PARENTHESISE = ("testlist", "testlist_star_expr", "exprlist", "star_expr", "testlist_comp")


@dataclass(frozen=True)
class _Context:
    """What every part of one expansion needs to know about the document."""

    source: Lines
    indent: str
    """The statement's own indentation."""
    unit: str
    """The file's indentation step."""
    newline: str
    frozen: set[int]
    pool: NamePool
    type_name: str
    stop_name: str
    sys_name: str
    imports: tuple[str, ...]


@dataclass(frozen=True)
class _Body:
    text: str
    """Whole lines (or, for a one-line body, the rest of the header line)."""
    first_line: int
    step: str | None
    """The body's own indentation relative to the statement; None for a one-line body."""
    header_comment: str
    """A comment after the header's colon, to keep on the first line of the expansion."""


def expand(
    source: str, module: tree.Module, statement: Statement, *, version: Version | None = None
) -> list[Edit]:
    """The edits that replace ``statement`` by its expansion, in document order."""
    return expand_in(whole(source, module, version or running_version()), statement)


def expand_in(excerpt: Excerpt, statement: Statement) -> list[Edit]:
    """The edits that replace ``statement`` (found in ``excerpt``) by its expansion, in
    document order, in the excerpt's tree coordinates (the import may lie before it)."""
    context = _context(excerpt, statement)
    if statement.kind == "for":
        text = _expand_for(statement, context)
    else:
        text = _expand_with(statement, context)
    edits = [Edit(statement.start, statement.end, text)]
    if context.imports:
        at = excerpt.to_tree(excerpt.facts.import_position())
        imports = "".join(line + context.newline for line in context.imports)
        if at[1] != 0:  # after a docstring that ends the file without a line break
            imports = context.newline + imports
        if at == statement.start:
            edits = [Edit(statement.start, statement.end, imports + text)]
        else:
            edits.insert(0, Edit(at, at, imports))
    return edits


def _context(excerpt: Excerpt, statement: Statement) -> _Context:
    lines = excerpt.lines
    facts = excerpt.facts
    pool = NamePool(facts.has_word)
    imports = []
    sys_name = "sys"
    extra = _blanked_names(statement)

    def reach(module: str) -> ModuleRef:
        return module_ref(
            module,
            _names(excerpt, statement, module, may_bind=True),
            statement.node,
            pool,
            statement_shift=excerpt.shift,
            extra_tokens=extra,
            all_names=lambda: _names(excerpt, statement, module),
        )

    if statement.kind == "with":
        ref = reach("sys")
        sys_name = ref.name
        if ref.import_line:
            imports.append(ref.import_line)
    type_name, stop_name = "type", "StopAsyncIteration"
    needs = ["type"] + (["StopAsyncIteration"] if statement.kind == "for" else [])
    if any(builtin_is_rebound(_names(excerpt, statement, name, may_bind=True)) for name in needs):
        ref = reach("builtins")
        type_name, stop_name = f"{ref.name}.type", f"{ref.name}.StopAsyncIteration"
        if ref.import_line:
            imports.append(ref.import_line)
    return _Context(
        source=lines,
        indent=lines.line(statement.start[0])[: statement.start[1]],
        unit=facts.indentation_unit(lines),
        newline=facts.newline,
        frozen=string_continuation_lines(
            lines.slice(statement.start, statement.end), excerpt.version, statement.start[0]
        ),
        pool=pool,
        type_name=type_name,
        stop_name=stop_name,
        sys_name=sys_name,
        imports=tuple(imports),
    )


def _names(
    excerpt: Excerpt, statement: Statement, value: str, *, may_bind: bool = False
) -> list[Occurrence]:
    """The module's names spelled ``value`` (``may_bind``: at least those that can bind it);
    in the excerpt, from the tree the statement was found in (a blanked one's names are not
    the excerpt's own tree's)."""
    facts = excerpt.facts
    found = facts.binding_candidates(value) if may_bind else facts.names(value)
    if not statement.blanked:
        return found
    root = statement.node.get_root_node()
    own = [(name, excerpt.shift) for name in root.get_used_names().get(value, ())]  # type: ignore[attr-defined]
    return [
        (name, shift)
        for name, shift in found
        if not (shift == excerpt.shift and excerpt.contains(name.start_pos[0]))
    ] + own


def _blanked_names(statement: Statement) -> set[str]:
    """Names in parenthesised ``async with`` headers, which the tree does not hold."""
    if not statement.blanked:
        return set()
    names: set[str] = set()
    for item in statement.items:
        names.update(_words(item.manager))
        names.update(_words(item.target or ""))
    return names


def _words(text: str) -> set[str]:
    word, words = [], set()
    for char in text + " ":
        if char.isalnum() or char == "_":
            word.append(char)
        elif word:
            words.add("".join(word))
            word = []
    return words


def _body(statement: Statement, suite: tree.BaseNode, context: _Context) -> _Body:
    tree_lines = statement.tree_lines
    end = to_document(suite.end_pos, tree_lines, context.source)
    comments = list(statement.header_comments)
    if suite.type == "suite":
        newline_leaf = suite.children[0]
        if "#" in newline_leaf.prefix:
            comments.append(newline_leaf.prefix.strip())
        comment = "  ".join(comments)
        first_line = newline_leaf.start_pos[0] + 1
        text = context.source.slice((first_line, 0), end)
        first = suite.children[1]
        indent = context.source.line(first.start_pos[0])[: first.start_pos[1]]
        if indent.startswith(context.indent) and len(indent) > len(context.indent):
            step: str | None = indent[len(context.indent) :]
        else:
            step = context.unit
        return _Body(text, first_line, step, comment)
    start = to_document(suite.start_pos, tree_lines, context.source)
    return _Body(context.source.slice(start, end), start[0], None, "  ".join(comments))


def _place_body(body: _Body, context: _Context, extra: str) -> str:
    """The body, ``extra`` deeper than before (a one-line body on its own line)."""
    if body.step is None:
        prefix = context.indent + extra + context.unit
        return shift_lines(
            body.text,
            body.first_line,
            context.frozen,
            context.indent,
            extra,
            context.newline,
            first_prefix=prefix,
        )
    return shift_lines(
        body.text, body.first_line, context.frozen, context.indent, extra, context.newline
    )


def _comment(body: _Body) -> str:
    return f"  {body.header_comment}" if body.header_comment else ""


def _expand_for(statement: Statement, context: _Context) -> str:
    compound = statement.node.children[1]
    target = compound.children[1].get_code(include_prefix=False)
    iterable_node = compound.children[3]
    iterable = iterable_node.get_code(include_prefix=False)
    if iterable_node.type in _PARENTHESISE:
        iterable = f"({iterable})"
    body = _body(statement, compound.children[5], context)
    iterator = context.pool.fresh("iterator")
    running = context.pool.fresh("running")
    value = context.pool.fresh("value")
    i, u, nl = context.indent, context.unit, context.newline
    step = body.step if body.step is not None else u
    typ = context.type_name
    lines = [
        f"{iterator} = {iterable}{_comment(body)}",
        f"{i}{iterator} = {typ}({iterator}).__aiter__({iterator})",
        f"{i}{running} = True",
        f"{i}try:",
        f"{i}{u}while {running}:",
        f"{i}{u}{u}try:",
        f"{i}{u}{u}{u}{value} = await {typ}({iterator}).__anext__({iterator})",
        f"{i}{u}{u}except {context.stop_name}:",
        f"{i}{u}{u}{u}{running} = False",
        f"{i}{u}{u}else:",
        f"{i}{u}{u}{step}{target} = {value}",
        f"{i}{u}{u}{step}del {value}",
    ]
    text = nl.join(lines) + nl + _place_body(body, context, u + u)
    tree_lines = statement.tree_lines
    suite_end = to_document(compound.children[5].end_pos, tree_lines, context.source)
    if len(compound.children) > 6:
        else_text = context.source.slice(suite_end, statement.end)
        text += shift_lines(else_text, suite_end[0], context.frozen, i, u, nl)
    # Deleted on every way out, as the statement drops its iterator: an async generator left
    # by ``break``, ``return`` or an exception is finalised then, not when the frame ends.
    text += f"{i}finally:{nl}{i}{u}del {iterator}, {running}"
    if _ends_with_newline(context.source, statement):
        text += nl
    return text


def _expand_with(statement: Statement, context: _Context) -> str:
    compound = statement.node.children[1]
    body = _body(statement, compound.children[-1], context)
    i, u, nl = context.indent, context.unit, context.newline
    typ = context.type_name
    items = statement.items
    last = len(items) - 1
    opening: list[str] = []
    closing: list[list[str]] = []
    for level, item in enumerate(items):
        here = i + u * level
        inside = here + ((body.step if body.step is not None else u) if level == last else u)
        manager = context.pool.fresh("manager")
        aenter = context.pool.fresh("aenter")
        aexit = context.pool.fresh("aexit")
        value = context.pool.fresh("value") if item.target is not None else None
        hit = context.pool.fresh("hit_except")
        first = f"{manager} = {item.manager}"
        if level == 0:
            first += _comment(body)
        opening += [
            f"{here}{first}" if level else first,
            f"{here}{aenter} = {typ}({manager}).__aenter__",
            f"{here}{aexit} = {typ}({manager}).__aexit__",
            f"{here}{value} = await {aenter}({manager})"
            if value
            else f"{here}await {aenter}({manager})",
            f"{here}{hit} = False",
            f"{here}try:",
        ]
        if value:
            opening.append(f"{inside}{item.target} = {value}")
        helpers = ", ".join(name for name in (manager, aenter, aexit, value, hit) if name)
        closing.append(
            [
                f"{here}except:",
                f"{here}{u}{hit} = True",
                f"{here}{u}if not await {aexit}({manager}, *{context.sys_name}.exc_info()):",
                f"{here}{u}{u}raise",
                f"{here}finally:",
                f"{here}{u}if not {hit}:",
                f"{here}{u}{u}await {aexit}({manager}, None, None, None)",
                f"{here}{u}del {helpers}",
            ]
        )
    text = nl.join(opening) + nl + _place_body(body, context, u * last)
    tail = [line for block in reversed(closing) for line in block]
    text += nl.join(tail)
    if _ends_with_newline(context.source, statement):
        text += nl
    return text


def _ends_with_newline(source: Lines, statement: Statement) -> bool:
    return source.slice(statement.start, statement.end).endswith(("\n", "\r"))
