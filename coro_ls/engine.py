"""The engine's entry points: parse a source for a target version and run every rule over it.

Pure Python over parso; knows nothing of LSP.
"""

from __future__ import annotations

from parso.python.tree import Module

from coro_ls.findings import Finding
from coro_ls.versions import Version


def check_source(
    source: str, *, target: Version | None = None, top_level_await: bool = False
) -> list[Finding]:
    """Every coroutine-placement finding in ``source``, sorted by position.

    ``target`` defaults to the running interpreter's version.  ``top_level_await`` checks the
    module as CPython does with ``ast.PyCF_ALLOW_TOP_LEVEL_AWAIT`` (notebook cells, asyncio REPL).
    """
    raise NotImplementedError


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
    raise NotImplementedError
