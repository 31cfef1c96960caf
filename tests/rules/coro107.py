# CORO107 await-in-annotation-scope: `await` in an annotation or type-parameter scope.
# Cases for tests/rules/test_rule_cases.py, each checked against every CPython installed here;
# `# error: CODE` marks each line where CPython reports an error; `(3.10+)` after it: only
# those versions report it.

# case: annotations under the future import (3.10-3.13)
from __future__ import annotations


async def f(a: await x) -> await y:  # error: CORO107 (3.10+)
    v: await z = 1  # error: CORO107 (3.10+)

# case: without the future import, annotations are evaluated in the enclosing scope
async def f():
    def g(a: await x) -> await y:
        pass

# case: a type alias
# python: 3.12+
type A = await x  # error: CORO107

# case: a type-variable bound and constraints
# python: 3.12+
async def f():
    def g[T: await x](): pass  # error: CORO107
    class C[T: (await y, int)]: pass  # error: CORO107

# case: the definition of a generic: its bases and annotations
# python: 3.12+
async def f():
    class C[T](await x): pass  # error: CORO107
    def g[T](a: await y): pass  # error: CORO107

# case: a type-variable default
# python: 3.13+
def g[T = await x](): pass  # error: CORO107
