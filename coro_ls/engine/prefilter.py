"""Exact shortcuts past the engine for sources that cannot hold a CORO1xx finding.

Every CORO1xx rule reports code that CPython's ``compile()`` rejects, and every one needs an
``await`` or ``async`` keyword in the source: ``await`` for CORO101 and CORO107, ``async for`` /
``async with`` / ``async for`` clauses for CORO102-104, an ``async def`` for CORO105 and CORO106
(or, for CORO106 in a plain ``def``, an ``await`` or an asynchronous comprehension).  So:

* a source without either word has no finding, whatever the target version;
* for the running interpreter's own version, a source that ``compile()`` accepts, with the
  flags the check uses, has no finding by definition.

Neither shortcut changes a result: a source they do not clear is checked by the engine.  They
say nothing about rules outside CORO1xx (the never-awaited family looks at code that compiles),
so callers ask :func:`covers` first.
"""

from __future__ import annotations

import ast
import sys
import warnings
from collections.abc import Iterable

from coro_ls.engine.versions import Version

SYNTAX_RULES = "CORO1"
"""The code prefix of the rules that report what ``compile()`` rejects."""

_WORDS = ("await", "async")


def covers(codes: Iterable[str]) -> bool:
    """Whether the shortcuts are exact for a check that reports ``codes``."""
    return all(code.startswith(SYNTAX_RULES) for code in codes)


def mentions_coroutine_syntax(source: str) -> bool:
    """Whether ``source`` holds ``await`` or ``async`` anywhere (strings and comments
    included, so the answer errs on the side of checking)."""
    return any(word in source for word in _WORDS)


def interpreter_version() -> Version:
    """The running interpreter's version, unclamped: ``compile()`` judges only that one."""
    return (sys.version_info[0], sys.version_info[1])


def compiles(source: str, *, top_level_await: bool) -> bool:
    """Whether the running interpreter compiles ``source`` as the engine would check it:
    no inherited future flags, no ``-O`` (which drops ``assert`` statements and their
    errors), top-level await as asked.  Warnings are not shown; any failure is "no"."""
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT if top_level_await else 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, "<coro-ls>", "exec", flags=flags, dont_inherit=True, optimize=0)
    except Exception:  # SyntaxError; ValueError for null bytes; RecursionError; MemoryError
        return False
    return True


def cannot_have_findings(source: str, *, target: Version, top_level_await: bool) -> bool:
    """True when ``source`` provably has no CORO1xx finding for ``target``; False means
    "run the engine", not "has findings"."""
    if not mentions_coroutine_syntax(source):
        return True
    return target == interpreter_version() and compiles(source, top_level_await=top_level_await)
