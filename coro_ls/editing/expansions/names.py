"""Hygiene: fresh helper names, and how the expansion reaches ``sys`` and the builtins it needs.

A helper name is fresh when it occurs nowhere in the document as a word (bound or used, in any
scope, even in strings and comments: stricter than needed, and simple to trust), is no builtin
and no keyword.
"""

from __future__ import annotations

import builtins
import keyword
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from parso.python import tree
from parso.tree import BaseNode, NodeOrLeaf

RESERVED = frozenset(dir(builtins)) | frozenset(keyword.kwlist) | {"__builtins__", "__class__"}


_WORD = re.compile(r"[^\W\d]\w*")


def document_names(source: str) -> set[str]:
    """Every identifier-like word of the document (a superset of its names)."""
    return set(_WORD.findall(source))


class NamePool:
    """Hands out readable names that collide with nothing in the document, nor with each other.

    ``taken`` is the document's words, or a test for one (a large document is searched for
    the few candidates instead of being split into words)."""

    def __init__(self, taken: set[str] | Callable[[str], bool]) -> None:
        if isinstance(taken, set):
            self._taken = set(taken) | RESERVED
            self._in_document: Callable[[str], bool] = lambda name: False
        else:
            self._taken = set(RESERVED)
            self._in_document = taken

    def fresh(self, base: str) -> str:
        name, number = base, 1
        while name in self._taken or self._in_document(name):
            number += 1
            name = f"{base}_{number}"
        self._taken.add(name)
        return name


@dataclass(frozen=True)
class ModuleRef:
    """How the expansion names a module it needs, and the import to add (if any) for it."""

    name: str
    """The name to write in the expansion (``sys``, or a fresh alias)."""
    import_line: str | None
    """``import sys`` / ``import sys as sys_2``, when the document must gain one."""


def module_ref(
    module_name: str,
    names: list[tuple[tree.Name, int]],
    statement_node: NodeOrLeaf,
    pool: NamePool,
    *,
    statement_shift: int = 0,
    extra_tokens: set[str] = frozenset(),  # type: ignore[assignment]
    all_names: Callable[[], list[tuple[tree.Name, int]]] | None = None,
) -> ModuleRef:
    """Reuse a plain top-level ``import <module_name>`` when the name means nothing else.

    ``names`` are the module's name leaves spelled ``module_name``, each with the shift of its
    tree (document line = tree line + shift), as is ``statement_shift`` for the statement.
    With ``all_names``, ``names`` may leave out uses that cannot bind the name (``sys.x``):
    those are asked for only when they decide (no plain import, nothing rebinding it)."""
    plain_imports: dict[int, tuple[NodeOrLeaf, int]] = {}
    for name, shift in names:
        statement = name.search_ancestor("simple_stmt")
        if (
            statement is not None
            and statement.parent is not None
            and statement.parent.type == "file_input"
            and _is_plain_import(statement, module_name)
        ):
            plain_imports[id(statement)] = (statement, shift)
    conflict = module_name in extra_tokens
    used = False
    for name, _ in names:
        if id(name.search_ancestor("simple_stmt")) in plain_imports:
            continue
        if _is_binding(name):
            conflict = conflict or _binding_matters(name, statement_node)
        elif not _is_attribute_or_keyword(name):
            used = True
    if not (conflict or used or plain_imports) and all_names is not None:
        used = any(
            id(name.search_ancestor("simple_stmt")) not in plain_imports
            and not _is_binding(name)
            and not _is_attribute_or_keyword(name)
            for name, _ in all_names()
        )
    if conflict or (used and not plain_imports):
        alias = pool.fresh(module_name)
        return ModuleRef(alias, f"import {module_name} as {alias}")
    in_function = statement_node.search_ancestor("funcdef", "lambdef") is not None
    line, column = statement_node.start_pos
    here = (line + statement_shift, column)
    if any(
        in_function or (node.start_pos[0] + shift, node.start_pos[1]) < here
        for node, shift in plain_imports.values()
    ):
        return ModuleRef(module_name, None)
    return ModuleRef(module_name, f"import {module_name}")


def builtin_is_rebound(names: list[tuple[tree.Name, int]]) -> bool:
    """Whether ``type``/``StopAsyncIteration`` (whose ``names`` are given) may not mean the
    builtin somewhere."""
    return any(_is_binding(name) for name, _ in names)


def _is_plain_import(node: NodeOrLeaf, module_name: str) -> bool:
    if node.type != "simple_stmt" or len(node.children) != 2:  # type: ignore[attr-defined]
        return False
    statement = node.children[0]  # type: ignore[attr-defined]
    if statement.type != "import_name":
        return False
    return any(
        len(path) == 1 and path[0].value == module_name and name.value == module_name
        for name, path in zip(statement.get_defined_names(), statement.get_paths(), strict=True)
    )


def _is_binding(name: tree.Name) -> bool:
    parent = name.parent
    if parent is not None and parent.type in ("global_stmt", "nonlocal_stmt"):
        return True
    if name.search_ancestor("del_stmt") is not None and not _is_attribute_or_keyword(name):
        return True
    try:
        return bool(name.is_definition(include_setitem=False))
    except Exception:  # error nodes: when in doubt, it binds
        return True


def _is_attribute_or_keyword(name: tree.Name) -> bool:
    previous = name.get_previous_leaf()
    if previous is not None and previous.value == ".":
        return True
    following = name.get_next_leaf()
    parent = name.parent
    return (
        parent is not None
        and parent.type == "argument"
        and following is not None
        and following.value == "="
        and parent.children[0] is name
    )


def _binding_matters(name: tree.Name, statement_node: NodeOrLeaf) -> bool:
    """Whether a binding of the name can be what the statement's code sees."""
    scope = _binding_scope(name)
    if scope.type == "file_input":
        return True
    if any(
        leaf.value == name.value
        for stmt in _global_stmts(scope)
        for leaf in stmt.children  # type: ignore[attr-defined]
    ):
        return True
    return _is_enclosing(scope, statement_node)


def _binding_scope(name: tree.Name) -> NodeOrLeaf:
    node: NodeOrLeaf = name
    parent = name.parent
    if parent is not None and parent.type in ("funcdef", "classdef") and parent.name is name:  # type: ignore[attr-defined]
        node = parent
    scope = node.parent
    while scope is not None and scope.type not in ("funcdef", "lambdef", "classdef", "file_input"):
        scope = scope.parent
    assert scope is not None
    return scope


def _global_stmts(scope: NodeOrLeaf) -> Iterator[NodeOrLeaf]:
    stack = [scope]
    while stack:
        node = stack.pop()
        if node.type == "global_stmt":
            yield node
        if isinstance(node, BaseNode):
            stack.extend(node.children)


def _is_enclosing(scope: NodeOrLeaf, statement_node: NodeOrLeaf) -> bool:
    """Function scopes enclose everything inside; a class only its own body's statements."""
    inner = statement_node.parent
    nearest = None
    while inner is not None:
        if inner.type in ("funcdef", "lambdef", "classdef") and nearest is None:
            nearest = inner
        if inner is scope:
            return scope.type != "classdef" or nearest is scope
        inner = inner.parent
    return False
