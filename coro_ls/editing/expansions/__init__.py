"""Inline expansions of ``async for`` and ``async with`` (pure: parso and text, no LSP).

:func:`find_expandable` picks the statement a code action is about (the request's range on its
header, or covering it); :func:`statement_at` picks the innermost statement containing a
position (``coro-ls expand``); :func:`expand` returns the text edits, in parso coordinates.
The ``*_in`` forms work on an excerpt (one block of a document) instead of the whole module.
"""

from __future__ import annotations

from coro_ls.editing.edits import Edit, apply_edits
from coro_ls.editing.expansions.locate import (
    TITLES,
    Statement,
    WithItem,
    find_expandable,
    find_expandable_in,
    iter_statements,
    iter_statements_in,
    line_statement_at_in,
    statement_at,
    statement_at_in,
)
from coro_ls.editing.expansions.render import expand, expand_in

__all__ = [
    "TITLES",
    "Edit",
    "Statement",
    "WithItem",
    "apply_edits",
    "expand",
    "expand_in",
    "find_expandable",
    "find_expandable_in",
    "iter_statements",
    "iter_statements_in",
    "line_statement_at_in",
    "statement_at",
    "statement_at_in",
]
