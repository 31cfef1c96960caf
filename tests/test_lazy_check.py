"""The check ``coro-ls check`` runs (``check_text_lazily``: parse only the statements that
mention await/async) against the engine's whole-file check: the same findings for every
target version.

The files are corpus cases (tests/corpus.py) interleaved with statements that hold no
coroutine syntax but stress the parse around them: syntax older targets lack (``match``,
``except*``, parenthesised ``with`` items, walrus), error recovery, future imports, statements
sharing a line, decorators, line endings.
"""

from __future__ import annotations

import random

import pytest
from corpus import corpus

from coro_ls.engine.checker import check_source
from coro_ls.engine.incremental import check_text_lazily
from coro_ls.engine.versions import SUPPORTED

FILLERS = [
    "x = 1\n",
    "match command:\n    case [a, b]:\n        pass\n    case _:\n        y = 2\n",
    "try:\n    pass\nexcept* ValueError:\n    pass\n",
    "with (open(a) as f, open(b) as g):\n    pass\n",
    "if (n := len(a)) > 10:\n    print(n)\n",
    "def plain(a, /, b, *, c):\n    return [i for i in range(3)]\n",
    "class Plain:\n    x: int = 1\n\n    def m(self):\n        return self.x\n",
    "@decorator\n@other(1)\ndef decorated():\n    pass\n",
    "s = f'{x!r:>{width}}' + '''\nmulti\nline'''\n",
    "z = (1,\n     2)\n",
    "first = 1; second = 2\n",
    "lambda_ = lambda q: q * 2\n",
    "# a comment that says await and async\n",
    "print(x) if x else None\n",
    'class Mixed(Base, metaclass=Meta):\n    """Doc."""\n\n    x = 1\n\n'
    "    def plain(self):\n        match x:\n            case 1:\n                pass\n\n"
    "    async def coro(self):\n        await x\n\n    def bad(self):\n        await y\n\n"
    "    with (a as b, c as d):\n        pass\n    z = [await q for q in r]\n\n"
    "    class Inner:\n        def m(self): return 1\n        async def n(self): yield from x\n",
    "class OnlyHeader(async_base):\n    x = 1\n",
    "class Inline: x = 1; y = await z\n",
    "value = \\\n    3\n",
]


def _files(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    cases = [judged.case for judged in corpus() if not judged.case.top_level_await]
    files = []
    for _ in range(count):
        parts = []
        if rng.random() < 0.3:
            parts.append('"""Docstring."""\n')
        if rng.random() < 0.3:
            parts.append("from __future__ import annotations\n")
        for _ in range(rng.randint(2, 6)):
            parts.append(rng.choice(FILLERS))
            parts.append(rng.choice(cases).source)
        text = "".join(part if part.endswith("\n") else part + "\n" for part in parts)
        if rng.random() < 0.2:
            text = text.replace("\n", "\r\n")
        files.append(text)
    return files


@pytest.mark.parametrize("target", SUPPORTED, ids=lambda v: f"{v[0]}.{v[1]}")
def test_lazy_check_equals_the_whole_file_check(target):
    differences = []
    for text in _files(30, seed=sum(target)):
        whole = check_source(text, target=target)
        relevant = check_text_lazily(text, target, False)
        if relevant != whole:
            differences.append((text, whole, relevant))
    assert differences == []
