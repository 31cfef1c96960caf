"""A generated corpus of coroutine-syntax placements, judged by CPython (tests/oracle.py).

A case is: a chain of enclosing blocks (scopes from the reference's scope matrix and control-flow
blocks), a syntactic slot (the reference's slot table), optional expression wrappers (lambda,
comprehension parts, f-strings) and a construct (``await``, ``async for``, async comprehensions,
``yield from``, ``return`` in an async generator...).  Families combine them exhaustively along
a few axes and randomly (seeded) along all of them; multi-error files, top-level-await and
``from __future__ import annotations`` variants and hand-written look-alikes are added.

Cases the running interpreter cannot judge are dropped: those its parser rejects (PEP 695 on
3.11, ``except*`` on 3.10...) and those with a SyntaxError outside rows 1-9 (``yield`` at module
level, ``return`` in a class body...).
"""

from __future__ import annotations

import ast
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache

from oracle import ForeignSyntaxError, OracleFinding, cpython_findings

SEED = 20261125
Lines = tuple[tuple[int, str], ...]
"""Indentation level and text of each line; ``{E}`` marks where an expression goes."""


@dataclass(frozen=True)
class Case:
    name: str
    source: str
    top_level_await: bool = False
    parts: tuple[Case, ...] = ()
    """For a multi-error file: the single cases it concatenates, in order."""


@dataclass(frozen=True)
class Judged:
    case: Case
    expected: tuple[OracleFinding, ...]


@dataclass(frozen=True)
class Block:
    """An enclosing construct: its header lines and how deep its body is indented."""

    name: str
    header: Lines
    depth: int = 1
    inline: bool = True
    """Whether ``header: body`` on one line is legal (a single-line simple body)."""
    footer: Lines = ()

    def wrap(self, body: Lines) -> Lines:
        indented = tuple((level + self.depth, text) for level, text in body)
        return self.header + indented + self.footer


def _block(
    name: str, *header: str, depth: int = 1, inline: bool = True, footer: tuple[str, ...] = ()
) -> Block:
    return Block(name, tuple(_lines(header)), depth, inline, tuple(_lines(footer)))


def _lines(texts: Iterable[str]) -> Iterator[tuple[int, str]]:
    """Lines written with 4-space indentation -> (level, text)."""
    for text in texts:
        stripped = text.lstrip(" ")
        yield (len(text) - len(stripped)) // 4, stripped


SCOPES: dict[str, Block] = {
    block.name: block
    for block in [
        _block("def", "def f():"),
        _block("async-def", "async def f():"),
        _block("class", "class C:"),
    ]
}

CONTROL: dict[str, Block] = {
    block.name: block
    for block in [
        _block("decorated-async-def", "@deco", "async def f(a, *, b=1) -> int:"),
        _block("method", "class C:", "    async def m(self):", depth=2, inline=False),
        _block("if-0", "if 0:"),
        _block("else", "if v:", "    pass", "else:", inline=False),
        _block("while", "while v:"),
        _block("for", "for w in v:"),
        _block("with", "with a:"),
        _block("try", "try:", footer=("finally:", "    pass")),
        _block("except", "try:", "    pass", "except Exception:", inline=False),
        _block("except-star", "try:", "    pass", "except* ValueError:", inline=False),
        _block("finally", "try:", "    pass", "finally:", inline=False),
        _block("match-case", "match v:", "    case [1, *_]:", depth=2, inline=False),
        _block("async-for-body", "async for w in v:"),
        _block("async-with-body", "async with a as b:"),
    ]
}
ALL_BLOCKS: dict[str, Block] = {**SCOPES, **CONTROL}

EXPRESSIONS: dict[str, str] = {
    "await": "await x",
    "await-call": "await g(x, *a)",
    "await-non-ascii": "await é.ß",
    "listcomp-async-for": "[i async for i in y]",
    "setcomp-async-for": "{i async for i in y}",
    "dictcomp-async-for": "{i: j async for i, j in y}",
    "genexp-async-for": "(i async for i in y)",
    "listcomp-async-for-second": "[i for j in y async for i in j]",
    "listcomp-multiline": "[\n    i\n    async for i in y\n]",
    "listcomp-await-elt": "[await i for i in y]",
    "listcomp-await-cond": "[i for i in y if await i]",
    "listcomp-await-outer-iter": "[i for i in await y]",
    "listcomp-await-inner-iter": "[i for j in y for i in await j]",
    "listcomp-await-both": "[await i for i in await y]",
    "setcomp-await-elt": "{await i for i in y}",
    "dictcomp-await-key": "{await i: i for i in y}",
    "dictcomp-await-value": "{i: await i for i in y}",
    "dictcomp-await-outer-iter": "{i: i for i in await y}",
    "genexp-await-elt": "(await i for i in y)",
    "genexp-await-cond": "(i for i in y if await i)",
    "genexp-await-outer-iter": "(i for i in await y)",
    "genexp-await-inner-iter": "(i for j in y for i in await j)",
    "listcomp-in-listcomp": "[[i async for i in j] for j in y]",
    "listcomp-in-genexp": "([i async for i in j] for j in y)",
    "genexp-in-listcomp": "[(i async for i in j) for j in y]",
    "dictcomp-in-setcomp-cond": "{j for j in y if {i: i async for i in j}}",
    "listcomp-in-dictcomp-iter": "{j: 1 for u in y for j in [i async for i in u]}",
    "lambda-await": "lambda: await x",
    "yield-from": "(yield from x)",
}

STATEMENTS: dict[str, tuple[str, ...]] = {
    "async-for": ("async for i in y:", "    pass"),
    "async-for-else": ("async for i in y:", "    v = i", "else:", "    pass"),
    "async-for-await-iter": ("async for i in await y:", "    pass"),
    "async-with": ("async with a:", "    pass"),
    "async-with-as-multi": ("async with a as b, c as d:", "    pass"),
    "async-with-parenthesised": ("async with (", "    a as b,", "    c as d,", "):", "    pass"),
    "async-for-in-async-with": ("async with a:", "    async for i in y:", "        pass"),
    "async-for-one-line": ("async for i in y: pass",),
    "async-with-await-body": ("async with a:", "    await x"),
    "yield-from-stmt": ("yield from x",),
    "yield-from-assign": ("v = yield from x",),
    "return-after-yield": ("yield 1", "return 2"),
    "return-before-yield": ("return 2", "yield 1"),
    "return-none-dead-yield": ("return None", "if 0:", "    yield"),
    "return-with-yield-from": ("yield from x", "return 1"),
    "return-before-yield-from": ("return x", "yield from x"),
    "return-bare-with-yield": ("yield 1", "return"),
    "return-with-nested-def-yield": ("def h():", "    yield 1", "return 1"),
    "return-with-lambda-yield": ("v = lambda: (yield)", "return 1"),
    "return-with-genexp-await": ("v = (await i for i in y)", "return 1"),
}

# A plain ``def`` holding a ``yield`` whose symbol table marks it a coroutine (an ``await``;
# from 3.11 an asynchronous comprehension): CPython reports each ``return VALUE`` compiled
# before the last such construct as CORO106 too.  Kept out of the random draws, which stay as
# they were.
MARKED_GENERATORS: dict[str, tuple[str, ...]] = {
    "return-await-yield": ("return 1", "await x", "yield 2"),
    "await-return-yield": ("await x", "return 1", "yield 2"),
    "await-return-await-yield": ("await x", "return 1", "await y", "yield"),
    "return-await-value-yield": ("return await x", "yield"),
    "return-await-one-line-yield": ("return 1; await x; yield",),
    "return-acomp-yield": ("return 1", "v = [i async for i in y]", "yield"),
    "return-await-comp-yield": ("return 1", "v = {i: await i for i in y}", "yield"),
    "return-nested-acomp-yield": ("return 1", "v = [[i async for i in j] for j in y]", "yield"),
    "return-agenexp-yield": ("return 1", "v = (i async for i in y)", "yield"),
    "annotation-await-return-yield": ("v: await x = 1", "return 1", "yield"),
    "return-annotation-acomp-yield": ("return 1", "v: [i async for i in y]", "yield"),
    "return-await-yield-from": ("return 1", "await x", "yield from y"),
    "return-async-for-yield": ("return 1", "async for i in y:", "    pass", "yield"),
    "return-await-lambda-yield": ("return 1", "await x", "v = lambda: (yield)"),
    "return-default-await-yield": ("return 1", "def h(a=await x):", "    pass", "yield"),
}
STATEMENTS.update(MARKED_GENERATORS)

CONSTRUCTS: dict[str, tuple[str, ...]] = {
    **{name: (text,) for name, text in EXPRESSIONS.items()},
    **STATEMENTS,
}

SLOTS: dict[str, tuple[str, ...]] = {
    "stmt": ("{E}",),
    "stmt-after-non-ascii": ('s = "é🐍"; {E}',),
    "call-after-non-ascii": ('g("é🐍", ß, {E})',),
    "fstring-after-non-ascii": ('v = f"é🐍{ß}{ {E} }"',),
    "assign": ("v = {E}",),
    "multi-target-assign": ("v = w = {E}",),
    "augassign": ("v += {E}",),
    "return": ("return {E}",),
    "call-arg": ("g(1, {E})",),
    "kwarg": ("g(k={E})",),
    "starred-call": ("g(*{E})",),
    "double-starred-call": ("g(**{E})",),
    "method-call": ("v.m({E}).n",),
    "subscript": ("v[{E}]",),
    "slice": ("v[{E}:1]",),
    "slice-step": ("v[::{E}]",),
    "ifexp-test": ("v = a if {E} else b",),
    "ifexp-body": ("v = {E} if a else b",),
    "walrus": ("(w := {E})",),
    "dict-display-key": ("v = {{E}: 1}",),
    "dict-display-value": ("v = {1: {E}}",),
    "dict-display-unpack": ("v = {**{E}}",),
    "list-display": ("v = [1, {E}]",),
    "list-display-starred": ("v = [*{E}]",),
    "tuple": ("v = 1, {E}",),
    "binop": ("v = 1 + {E}",),
    "unary": ("v = -{E}",),
    "compare": ("v = a < {E} < b",),
    "boolop": ("v = a and {E}",),
    "not": ("v = not {E}",),
    "parenthesised-attribute": ("v = ({E}).a",),
    "fstring": ('f"{ {E} }"',),
    "fstring-conversion": ('v = f"{ {E}!r:>10}"',),
    "fstring-spec": ('v = f"{v:{ {E} }}"',),
    "fstring-multiline": ('v = f"""', "{", "{E}", '}"""'),
    "multiline-call": ("g(", "    1,", "    {E},", ")"),
    "var-annotation": ("v: {E} = 1",),
    "var-annotation-noval": ("v: {E}",),
    "var-annotation-value": ("v: int = {E}",),
    "attribute-annotation": ("v.a: {E}",),
    "with-item": ("with {E}:", "    pass"),
    "with-item-as": ("with {E} as w:", "    pass"),
    "with-second-item": ("with a, {E} as w:", "    pass"),
    "for-iter": ("for w in {E}:", "    pass"),
    "for-else": ("for w in v:", "    pass", "else:", "    {E}"),
    "while-test": ("while {E}:", "    pass"),
    "if-test": ("if {E}:", "    pass"),
    "elif-test": ("if v:", "    pass", "elif {E}:", "    pass"),
    "assert": ("assert {E}",),
    "assert-message": ("assert v, {E}",),
    "raise": ("raise {E}",),
    "raise-from": ("raise v from {E}",),
    "yield-value": ("yield {E}",),
    "yield-assign": ("w = yield {E}",),
    "del-subscript": ("del v[{E}]",),
    "match-subject": ("match {E}:", "    case _:", "        pass"),
    "match-guard": ("match v:", "    case 1 if {E}:", "        pass"),
    "match-guard-lambda": ("match v:", "    case 1 if lambda: {E}:", "        pass"),
    "match-case-body": ("match v:", "    case {'k': 1}:", "        {E}"),
    "except-type": ("try:", "    pass", "except {E}:", "    pass"),
    "except-star-type": ("try:", "    pass", "except* {E}:", "    pass"),
    "except-body": ("try:", "    pass", "except E:", "    {E}"),
    "except-star-body": ("try:", "    pass", "except* E:", "    {E}"),
    "finally-body": ("try:", "    pass", "finally:", "    {E}"),
    "if-0-body": ("if 0:", "    {E}"),
    "after-return": ("return", "{E}"),
    "lambda-body": ("v = lambda: {E}",),
    "lambda-default": ("v = lambda a={E}: a",),
    "lambda-kwdefault": ("v = lambda *, a={E}: a",),
    "lambda-in-lambda-default": ("v = lambda a=lambda: {E}: a",),
    "nested-def-default": ("def h(a={E}):", "    pass"),
    "nested-def-kwdefault": ("def h(*, a={E}):", "    pass"),
    "nested-def-decorator": ("@{E}", "def h():", "    pass"),
    "nested-def-decorator-call": ("@g({E})", "def h():", "    pass"),
    "nested-def-annotation": ("def h(a: {E}):", "    pass"),
    "nested-def-vararg-annotation": ("def h(*a: {E}):", "    pass"),
    "nested-def-return-annotation": ("def h() -> {E}:", "    pass"),
    "nested-def-body": ("def h():", "    {E}"),
    "nested-def-body-one-line": ("def h(): {E}",),
    "nested-async-def-default": ("async def h(a={E}):", "    pass"),
    "nested-async-def-decorator": ("@{E}", "async def h():", "    pass"),
    "nested-async-def-annotation": ("async def h(a: {E}):", "    pass"),
    "nested-async-def-body": ("async def h():", "    {E}"),
    "nested-class-base": ("class K({E}):", "    pass"),
    "nested-class-keyword": ("class K(metaclass={E}):", "    pass"),
    "nested-class-decorator": ("@{E}", "class K:", "    pass"),
    "nested-class-body": ("class K:", "    {E}"),
    "nested-class-method-default": ("class K:", "    def m(self, a={E}):", "        pass"),
    "type-alias": ("type T = {E}",),
    "typevar-bound": ("def h[T: {E}]():", "    pass"),
    "typevar-constraints": ("def h[T: ({E}, int)]():", "    pass"),
    "typevar-default": ("def h[T = {E}]():", "    pass"),
    "generic-def-annotation": ("def h[T](a: {E}):", "    pass"),
    "generic-def-default": ("def h[T](a={E}):", "    pass"),
    "generic-class-base": ("class K[T]({E}):", "    pass"),
    "generic-class-body": ("class K[T]:", "    {E}"),
}
ANNOTATION_SLOTS = [name for name in SLOTS if "annotation" in name]

WRAPPERS: dict[str, str] = {
    "paren": "({E})",
    "lambda-body": "(lambda: {E})",
    "lambda-default": "(lambda a={E}: a)",
    "listcomp-elt": "[{E} for w in z]",
    "listcomp-cond": "[w for w in z if {E}]",
    "listcomp-outer-iter": "[w for w in {E}]",
    "listcomp-inner-iter": "[w for u in z for w in {E}]",
    "setcomp-elt": "{{E} for w in z}",
    "dictcomp-key": "{{E}: w for w in z}",
    "dictcomp-value": "{w: {E} for w in z}",
    "dictcomp-outer-iter": "{w: w for w in {E}}",
    "genexp-elt": "({E} for w in z)",
    "genexp-cond": "(w for w in z if {E})",
    "genexp-outer-iter": "(w for w in {E})",
    "genexp-inner-iter": "(w for u in z for w in {E})",
    "async-genexp-elt": "({E} async for w in z)",
    "async-listcomp-elt": "[{E} async for w in z]",
    "fstring": "f'{ {E} }'",
    "ifexp": "({E} if a else b)",
    "call": "g({E})",
}

LOOK_ALIKES: dict[str, str] = {
    "async-genexp-at-module-level": "v = (i async for i in y)\n",
    "async-genexp-in-def": "def f():\n    return (await i for i in y)\n",
    "lambda-yield-from-in-async-def": "async def f():\n    v = lambda: (yield from x)\n",
    "def-yield-from-in-async-def": "async def f():\n    def g():\n        yield from x\n",
    "await-in-default-of-def-in-async-def": (
        "async def f():\n    def g(a=await x):\n        pass\n"
    ),
    "await-in-decorator-in-async-def": (
        "async def f():\n    @await x\n    def g():\n        pass\n"
    ),
    "await-in-class-base-in-async-def": "async def f():\n    class C(await x):\n        pass\n",
    "nested-async-listcomp-in-async-def": (
        "async def f():\n    return [[i async for i in j] for j in y]\n"
    ),
    "await-in-listcomp-outer-iter-in-async-def": (
        "async def f():\n    return [i for i in await y]\n"
    ),
    "local-var-annotation-in-def": "def f():\n    v: await x = 1\n",
    "bare-return-in-async-generator": "async def f():\n    yield\n    return\n",
    "return-value-with-nested-generator": (
        "async def f():\n    def g():\n        yield\n    return 1\n"
    ),
    "async-def-in-def": "def f():\n    async def g():\n        await x\n",
    "decorated-async-def": (
        "@deco\nasync def f():\n    await x\n    async for i in y:\n        pass\n"
    ),
    "decorated-async-method": "class C:\n    @staticmethod\n    async def m():\n        await x\n",
    "await-in-strings-and-comments": "v = 'await x'  # await x\nw = f\"{'await x'}\"\n",
    "await-like-identifiers": "awaited = async_ = 1\nv.await_ = awaiting(asyncio)\n",
    "async-def-one-line": "async def f(): await x; return [i async for i in y]\n",
    "yield-in-async-def": "async def f():\n    yield await x\n",
    "async-with-in-async-def-in-class": (
        "class C:\n    async def m(self):\n        async with a:\n            pass\n"
    ),
    "await-in-async-lambda-lookalike": "async def f():\n    return (lambda: 1)() + await x\n",
    "if-0-in-async-def": "async def f():\n    if 0:\n        await x\n",
}

MULTI_ERROR: dict[str, str] = {
    "every-rule-in-one-file": (
        "await x\n"
        "async for i in y:\n"
        "    pass\n"
        "async with a:\n"
        "    pass\n"
        "v = [i async for i in y]\n"
        "async def f():\n"
        "    yield from x\n"
        "    return 1\n"
        "def g():\n"
        "    await x\n"
    ),
    "non-ascii-before-await": 's = "é🐍"; await x\n',
    "non-ascii-before-each": (
        's = "é🐍"; await x\n'
        "def f():\n"
        '    ß = "𝔘"; g(await x)\n'
        '    ß = "𝔘"; v = {i: i async for i in y}\n'
        "async def g():\n"
        '    é = "ü"; yield from x; return 1\n'
    ),
    "two-awaits-one-line": "def f():\n    g(await a, await b)\n",
    "comprehension-and-outer-await": "def f():\n    [await a for i in await b]\n",
    "return-before-and-after-yield-from": (
        "async def f():\n    return 1\n    yield from x\n    return 2\n"
    ),
    "async-for-await-iter-await-body": (
        "def f():\n    async for i in await y:\n        await i\n"
    ),
    "crlf-line-endings": "def f():\r\n    await x\r\n    async with a:\r\n        pass\r\n",
    "tab-indentation": "def f():\n\tif v:\n\t\tawait x\n\tasync for i in y: pass\n",
    "non-ascii-before-annotation-await": (
        'from __future__ import annotations\ndef f(é: "🐍", b: await x) -> "ß" or await y: pass\n'
    ),
    "form-feed-before-def": "x = 1\n\x0cdef f():\n    await x\n",
    "form-feeds": "\x0cdef f():\n    await x\n\x0c\nasync def g():\n    yield from x\n",
    "backslash-continuations": (
        "def f():\n    v = 1 + \\\n        await x\n    async \\\n      for i in y: pass\n"
    ),
    "comments-with-non-ascii": "# é🐍 await x\ndef f():  # ß\n    v = '🐍'; await x  # 🐍\n",
    "nested-fstring-quotes": "def f():\n    v = f\"{f'{await x}'}\"\n",
    "astral-then-two-errors": "v = '𝔘𝔘'; w = [i async for i in y]; await x\n",
    "decorator-default-annotation": (
        "def f():\n    @a(await x)\n    @b([i async for i in y])\n"
        "    def g(p=await z) -> await w:\n        pass\n"
    ),
    "class-bases-and-keywords": (
        "def f():\n    class C(await a, k=await b, *await c, **await d):\n        pass\n"
    ),
    "no-newline-at-end": "def f():\n    await x",
}


# Placements found worth keeping while probing the engine: yields that make an async def a
# generator from a default, decorator, annotation or f-string; nested comprehension scopes;
# f-string fields, specs, escapes and implicit concatenation.
EDGES: tuple[str, ...] = (
    "async def f():\n    lambda a=(yield from x): a\n",
    "async def f():\n    lambda a=(yield): a\n    return 1\n",
    "async def f():\n    f'{(yield)}'\n    return 1\n",
    "async def f():\n    @(yield)\n    def g(): pass\n    return 1\n",
    "async def f():\n    def g(a: (yield)): pass\n    return 1\n",
    "async def f():\n    class C((yield)): pass\n    return 1\n",
    "async def f():\n    [x for x in (yield)]\n    return 1\n",
    "async def f():\n    (x for x in (yield from y))\n",
    "async def f():\n    return 1\n    def g():\n        yield\n",
    "async def f():\n    return (yield)\n",
    "async def f():\n    await (yield)\n    return None\n",
    "async def f():\n    del x[(yield from y)]\n",
    "async def f():\n    x: int = yield from y\n",
    "def f():\n    return [i async for i in y], (await j for j in z)\n",
    "def f():\n    return {**{k: v async for k, v in y}}\n",
    "async def f():\n    class C:\n"
    "        def m(self, a=await x, *, b=[i async for i in y]) -> await z:\n            pass\n",
    "def f():\n    @await d\n    async def g(): pass\n",
    "def f():\n    v = [await a async for a in b if await a]\n",
    "def f():\n    x = [lambda: await a for a in b]\n",
    "def f():\n    x = [(c for c in await a) for a in b]\n",
    "def f():\n    x = ([c for c in await a] for a in b)\n",
    "class C:\n    x = ([await c for c in a] for a in b)\n",
    "x = [(await c for c in a) for a in b]\n",
    "def f():\n    return await\\\n        x\n",
    "def f():\n    return [[y for y in x] async for x in z]\n",
    "from __future__ import annotations\nasync def f():\n    x: (lambda: await y)\n",
    "from __future__ import annotations\nclass C:\n    x: await y\n"
    "    def m(self, a: await z = await w): pass\n",
    "from __future__ import annotations\n"
    "async def f():\n    def g(a: [i async for i in y]): pass\n",
    'f"{x!r:{await y}}"\n',
    'f"{await x=}"\n',
    'f"\\N{EM DASH}{await x}"\n',
    'rf"\\{await x}"\n',
    'f"{{await x}}"\n',
    'f"{{{await x}}}"\n',
    'f"""{\n  await x\n}{\n await y}"""\n',
    "f'{x:{y}{await z}>{w}}'\n",
    'f"é{await x}" f"🐍{await y}"\n',
    '"é" f"{await x}" "🐍" f"{await y}"\n',
    "f'{x:{await y}.{await z}}'\n",
    'def f():\n    return f"""\n    {[i async for i in y]}\n    """\n',
    'f"{ await x  !r}"\n',
    # A plain def marked a coroutine by its symbol table (see MARKED_GENERATORS): the parts
    # of a try statement are compiled out of order (3.8: finally first; 3.11+: else before
    # the handlers), and an await the symbol table reads but never compiles marks it too.
    "def f():\n    try:\n        await x\n    finally:\n        return 1\n    yield\n",
    "def f():\n    try:\n        return 1\n    finally:\n        await x\n    yield\n",
    "def f():\n    try:\n        pass\n    except E:\n        return 1\n    else:\n"
    "        await x\n    yield\n",
    "def f():\n    try:\n        try:\n            return 1\n        finally:\n"
    "            await x\n    finally:\n        await y\n    yield\n",
    "def f():\n    if v:\n        return 1\n    else:\n        await x\n    yield\n",
    "def f():\n    for i in await x:\n        return 1\n    yield\n",
    "def f():\n    with c:\n        return 1\n    await x\n    yield\n",
    "def f():\n    return 1\n    class C(await x): pass\n    yield\n",
    "def f():\n    return 1\n    class C:\n        v = await x\n    yield\n",
    "def f():\n    return 1\n    @g(await x)\n    def h(): pass\n    yield\n",
    "def f():\n    return 1\n    f'{await x}'\n    yield\n",
    "def f():\n    self.v: await x = 1\n    return 1\n    yield\n",
    "def f():\n    v: [i for i in await x]\n    return 1\n    yield\n",
    "def f():\n    v: (lambda: await x) = 1\n    return 1\n    yield\n",
    "from __future__ import annotations\ndef f():\n    v: await x = 1\n    return 1\n    yield\n",
    "from __future__ import annotations\n"
    "def f():\n    return 1\n    def g(a: await x) -> await y: pass\n    yield\n",
    "class C:\n    def m(self):\n        return 1\n        await x\n        yield\n",
    "def f():\n    return None\n    await x\n    yield\n",
    # From 3.9 a break, continue or bare return leaving a try compiles its finally body there.
    "def f():\n    while x:\n        try:\n            break\n            return 1\n"
    "        finally:\n            await x\n    yield\n",
    "def f():\n    while x:\n        try:\n            if c:\n                continue\n"
    "            return 1\n        finally:\n            await x\n    yield\n",
    "def f():\n    try:\n        return\n        return 1\n    finally:\n        await x\n"
    "    yield\n",
    "def f():\n    while x:\n        try:\n            for i in y:\n                break\n"
    "            return 1\n        finally:\n            await x\n    yield\n",
    "def f():\n    while x:\n        try:\n            break\n        finally:\n"
    "            return 1\n    await x\n    yield\n",
    "def f():\n    while x:\n        try:\n            pass\n        except E:\n"
    "            break\n        else:\n            return 1\n        finally:\n"
    "            await x\n    yield\n",
    "def f():\n    while x:\n        try:\n            def g():\n                return\n"
    "            return 1\n        finally:\n            await x\n    yield\n",
    "def f():\n    try:\n        return 1\n    finally:\n        try:\n            return\n"
    "        finally:\n            await x\n    yield\n",
)


def _render(
    lines: Lines,
    expression: str = "",
    *,
    indent: str = "    ",
    newline: str = "\n",
    prefix: tuple[str, ...] = (),
) -> str:
    texts = [*prefix, *(indent * level + text.replace("{E}", expression) for level, text in lines)]
    return newline.join(texts) + newline


def _place(slot: str, construct: str) -> Lines | None:
    """The construct in the slot, or ``None`` when a statement construct has no such slot."""
    if construct in EXPRESSIONS:
        return tuple(_lines(SLOTS[slot]))
    if slot != "stmt":
        return None
    return tuple(_lines(STATEMENTS[construct]))


def _wrap_expression(wrappers: Iterable[str], expression: str) -> str:
    for wrapper in wrappers:
        expression = WRAPPERS[wrapper].replace("{E}", expression)
    return expression


def _chain(blocks: Iterable[str], body: Lines) -> Lines:
    for name in reversed(list(blocks)):
        body = ALL_BLOCKS[name].wrap(body)
    return body


def _name(blocks: Iterable[str], slot: str, wrappers: Iterable[str], construct: str) -> str:
    return "/".join([">".join(blocks) or "module", slot, *wrappers, construct])


def _simple(
    blocks: tuple[str, ...], slot: str, wrappers: tuple[str, ...], construct: str, **kwargs: object
) -> Case | None:
    placed = _place(slot, construct)
    if placed is None:
        return None
    expression = _wrap_expression(wrappers, EXPRESSIONS.get(construct, ""))
    source = _render(_chain(blocks, placed), expression, **kwargs)  # type: ignore[arg-type]
    return Case(_name(blocks, slot, wrappers, construct), source)


def _scope_chains(max_depth: int) -> Iterator[tuple[str, ...]]:
    chains: list[tuple[str, ...]] = [()]
    for _ in range(max_depth):
        chains = [chain + (scope,) for chain in chains for scope in SCOPES]
        yield from chains


def _matrix() -> Iterator[Case]:
    """Every scope chain up to 4 deep x every construct, written as a statement."""
    for chain in [(), *_scope_chains(4)]:
        constructs = CONSTRUCTS if len(chain) < 4 else ["await", "async-for", "yield-from-stmt"]
        for construct in constructs:
            case = _simple(chain, "stmt", (), construct)
            if case:
                yield case


SLOT_SCOPES: list[tuple[str, ...]] = [
    (),
    ("def",),
    ("async-def",),
    ("class",),
    ("async-def", "class"),
    ("async-def", "def"),
    ("def", "async-def"),
    ("class", "async-def"),
]
SLOT_CONSTRUCTS = [
    "await",
    "listcomp-async-for",
    "dictcomp-await-value",
    "genexp-await-outer-iter",
    "yield-from",
]


def _slots() -> Iterator[Case]:
    """The slot table: every slot x a few scopes x one construct per rule family."""
    for chain in SLOT_SCOPES:
        for slot in SLOTS:
            for construct in SLOT_CONSTRUCTS:
                case = _simple(chain, slot, (), construct)
                if case:
                    yield case


WRAPPER_SCOPES: list[tuple[str, ...]] = [(), ("def",), ("async-def",), ("async-def", "class")]


def _wrappers() -> Iterator[Case]:
    """Expression-level scopes (lambda, comprehension parts, f-strings) x every expression."""
    for chain in WRAPPER_SCOPES:
        for wrapper in WRAPPERS:
            for construct in EXPRESSIONS:
                if wrapper == "fstring" and construct == "await-non-ascii":
                    continue
                case = _simple(chain, "assign", (wrapper,), construct)
                if case:
                    yield case


CONTROL_CONSTRUCTS = [
    "await",
    "async-for",
    "async-with",
    "listcomp-async-for",
    "dictcomp-async-for",
    "genexp-await-elt",
    "yield-from-stmt",
    "return-after-yield",
    "return-with-yield-from",
    "return-await-yield",
    "await-return-yield",
    "return-acomp-yield",
]


def _control() -> Iterator[Case]:
    """Control-flow blocks never change the verdict; check that in every scope.

    Also between scopes (``async def`` > ``async for`` body > ``def``, a scope-matrix row).
    """
    chains = [
        scope + (block,)
        for scope in [(), ("def",), ("async-def",), ("class",)]
        for block in CONTROL
    ]
    chains += [("async-def", block, "def") for block in CONTROL]
    chains += [("def", block, "async-def") for block in CONTROL]
    for chain in chains:
        for construct in CONTROL_CONSTRUCTS:
            case = _simple(chain, "stmt", (), construct)
            if case:
                yield case


NESTING_WRAPPERS = [
    "lambda-body",
    "lambda-default",
    "listcomp-elt",
    "listcomp-outer-iter",
    "setcomp-elt",
    "dictcomp-value",
    "genexp-elt",
    "genexp-outer-iter",
    "async-genexp-elt",
]
NESTING_CONSTRUCTS = ["await", "listcomp-async-for", "genexp-async-for", "dictcomp-await-value"]


def _nesting(rng: random.Random) -> Iterator[Case]:
    """Expression scopes (lambda, comprehensions) nested 1-2 deep exhaustively, 3-4 sampled."""
    chains: list[tuple[str, ...]] = [(w,) for w in NESTING_WRAPPERS]
    chains += [(a, b) for a in NESTING_WRAPPERS for b in NESTING_WRAPPERS]
    chains += [
        tuple(rng.choice(NESTING_WRAPPERS) for _ in range(rng.randint(3, 4))) for _ in range(150)
    ]
    for scope in [(), ("def",), ("async-def",), ("class",)]:
        for chain in chains:
            # Deeper chains: one construct per rule (the await and the async comprehension).
            for construct in NESTING_CONSTRUCTS if len(chain) == 1 else NESTING_CONSTRUCTS[:2]:
                case = _simple(scope, "assign", chain, construct)
                if case:
                    yield case


def _top_level_await(cases: Iterable[Case]) -> Iterator[Case]:
    """Module-level and class-level placements again with PyCF_ALLOW_TOP_LEVEL_AWAIT."""
    for case in cases:
        top = case.name.split("/", 1)[0]
        if top in ("module", "class", "async-def>class", "def", "class>async-def"):
            yield replace(case, name="tla:" + case.name, top_level_await=True)


def _future_annotations() -> Iterator[Case]:
    for chain in SLOT_SCOPES:
        for slot in ANNOTATION_SLOTS:
            for construct in ["await", "listcomp-await-elt", "genexp-await-elt", "lambda-await"]:
                case = _simple(chain, slot, (), construct)
                if case:
                    source = "from __future__ import annotations\n" + case.source
                    yield Case("future-annotations:" + case.name, source)


def _random(rng: random.Random, count: int) -> Iterator[Case]:
    """Deep, mixed chains with layout variants (tabs, CRLF, one-line bodies, future import)."""
    block_names = list(ALL_BLOCKS)
    slot_names = list(SLOTS)
    wrapper_names = list(WRAPPERS)
    construct_names = [name for name in CONSTRUCTS if name not in MARKED_GENERATORS]
    for index in range(count):
        blocks = tuple(rng.choice(block_names) for _ in range(rng.randint(1, 4)))
        construct = rng.choice(construct_names)
        slot = rng.choice(slot_names) if construct in EXPRESSIONS else "stmt"
        wrappers: tuple[str, ...] = ()
        if construct in EXPRESSIONS:
            candidates = [w for w in wrapper_names if w != "fstring" or "fstring" not in slot]
            wrappers = tuple(rng.sample(candidates, rng.randint(0, 2)))
            if wrappers.count("fstring") > 1 or "é" in EXPRESSIONS[construct]:
                wrappers = tuple(w for w in wrappers if w != "fstring")
        placed = _place(slot, construct)
        assert placed is not None
        body = _chain(blocks, placed)
        indent = rng.choice(["    ", "    ", "\t", "  ", " "])
        newline = rng.choice(["\n", "\n", "\n", "\r\n"])
        prefix: tuple[str, ...] = ()
        if rng.random() < 0.2:
            prefix = ("from __future__ import annotations",)
        expression = _wrap_expression(wrappers, EXPRESSIONS.get(construct, ""))
        innermost = ALL_BLOCKS[blocks[-1]]
        if (
            len(placed) == 1
            and innermost.inline
            and rng.random() < 0.3
            and ":" not in placed[0][1]
        ):
            # `async def f(): await x`: the body on the header line (parso builds another tree).
            header = list(innermost.header)
            last_level, last_text = header[-1]
            header[-1] = (last_level, f"{last_text} {placed[0][1]}")
            body = _chain(blocks[:-1], tuple(header) + innermost.footer)
        source = _render(body, expression, indent=indent, newline=newline, prefix=prefix)
        name = f"random-{index}:" + _name(blocks, slot, wrappers, construct)
        yield Case(name, source, top_level_await=rng.random() < 0.1)


def _multi_error(rng: random.Random, singles: list[Case], count: int) -> Iterator[Case]:
    """Several single cases (most with findings) concatenated into one module."""
    for index in range(count):
        parts = rng.sample(singles, rng.randint(2, 5))
        source = "".join(part.source for part in parts)
        name = f"multi-{index}:" + "+".join(part.name for part in parts)
        yield Case(name, source, parts=tuple(parts))


def generate() -> list[Case]:
    """Every generated case, before filtering; deterministic."""
    rng = random.Random(SEED)
    cases: list[Case] = []
    matrix = list(_matrix())
    slots = list(_slots())
    cases += matrix
    cases += slots
    cases += _wrappers()
    cases += _control()
    cases += _nesting(rng)
    cases += _top_level_await(matrix[: len(matrix)])
    cases += _top_level_await(case for case in slots if case.name.startswith("module/"))
    cases += _future_annotations()
    cases += _random(rng, 1500)
    cases += [Case("look-alike:" + name, source) for name, source in LOOK_ALIKES.items()]
    cases += [Case("multi-error:" + name, source) for name, source in MULTI_ERROR.items()]
    cases += [Case(f"edge-{index}", source) for index, source in enumerate(EDGES)]
    return _unique(cases)


def _unique(cases: Iterable[Case]) -> list[Case]:
    unique: dict[tuple[str, bool], Case] = {}
    for case in cases:
        unique.setdefault((case.source, case.top_level_await), case)
    return list(unique.values())


@cache
def corpus() -> tuple[Judged, ...]:
    """The cases the running interpreter can judge, with CPython's findings.

    Multi-error files are built from judged single cases that have findings, so that the
    concatenation is judgeable too (no module-level ``yield``).
    """
    singles = _judge(generate())
    # A future import applies to the whole file, so it would change the other parts' verdicts.
    pool = [
        item.case
        for item in singles
        if item.expected
        and not item.case.top_level_await
        and item.case.source.endswith("\n")
        and "from __future__" not in item.case.source
    ]
    multi = _judge(_multi_error(random.Random(SEED + 1), pool, 300))
    return tuple(singles + multi)


def _judge(cases: Iterable[Case]) -> list[Judged]:
    judged = []
    for case in cases:
        try:
            ast.parse(case.source)
        except SyntaxError:
            continue
        try:
            expected = cpython_findings(case.source, case.top_level_await)
        except ForeignSyntaxError:
            continue
        except NotImplementedError:
            # 3.8/3.9 give row-5 errors no line; tests/test_versions_oracle.py covers them.
            continue
        judged.append(Judged(case, tuple(expected)))
    return judged


def summary(judged: Iterable[Judged]) -> dict[str, int]:
    """Expected findings per code, and the number of cases without any."""
    counts: dict[str, int] = {}
    for item in judged:
        if not item.expected:
            counts["clean"] = counts.get("clean", 0) + 1
        for _, _, code, _ in item.expected:
            counts[code] = counts.get(code, 0) + 1
    return dict(sorted(counts.items()))
