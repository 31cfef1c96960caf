"""Known-wrong expansions, for the negative controls: the harness must tell them apart.

Each is installed over the real renderer with ``monkeypatch`` and reuses its helpers, so that
the only difference from the real expansion is the defect under test.
"""

from __future__ import annotations

import re

from coro_ls.editing.expansions import render
from coro_ls.editing.expansions.locate import Statement


def seed_section_with(statement: Statement, context: render._Context) -> str:
    """The old reference text: ``try/except/else``, target assigned before the ``try``."""
    compound = statement.node.children[1]
    body = render._body(statement, compound.children[-1], context)
    i, u, nl = context.indent, context.unit, context.newline
    last = len(statement.items) - 1
    opening: list[str] = []
    closing: list[list[str]] = []
    for level, item in enumerate(statement.items):
        here = i + u * level
        manager = context.pool.fresh("mgr")
        aexit = context.pool.fresh("aexit")
        aenter = context.pool.fresh("aenter")
        first = f"{manager} = {item.manager}"
        opening += [
            f"{here}{first}" if level else first,
            f"{here}{aexit} = type({manager}).__aexit__",
            f"{here}{aenter} = type({manager}).__aenter__({manager})",
            f"{here}{item.target} = await {aenter}" if item.target else f"{here}await {aenter}",
            f"{here}try:",
        ]
        closing.append(
            [
                f"{here}except:",
                f"{here}{u}if not await {aexit}({manager}, *{context.sys_name}.exc_info()):",
                f"{here}{u}{u}raise",
                f"{here}else:",
                f"{here}{u}await {aexit}({manager}, None, None, None)",
            ]
        )
    text = nl.join(opening) + nl + render._place_body(body, context, u * last)
    text += nl.join(line for block in reversed(closing) for line in block)
    if render._ends_with_newline(context.source, statement):
        text += nl
    return text


def target_inside_try_for(statement: Statement, context: render._Context) -> str:
    """The reference's ``async for``: ``TARGET = await ...`` inside the ``try``."""
    text = _real_for(statement, context)
    fetch = re.search(r"^([ \t]*)(\w+) = await (.*)$", text, re.MULTILINE)
    assert fetch is not None
    indent, value, call = fetch.groups()
    assign = re.search(rf"^[ \t]*(.+) = {value}\r?\n[ \t]*del {value}\r?\n", text, re.MULTILINE)
    assert assign is not None
    text = text[: assign.start()] + text[assign.end() :]
    return (
        text[: fetch.start()] + f"{indent}{assign.group(1)} = await {call}" + text[fetch.end() :]
    )


_real_for = render._expand_for


def unhygienic_fresh(self: object, base: str) -> str:
    """Natural helper names, whatever the program already uses them for."""
    return base
