"""The incremental document must always agree with a from-scratch parse and check."""

from __future__ import annotations

import random
import sysconfig
from pathlib import Path

import pytest
from parso.utils import split_lines

from coro_ls.engine.checker import check_source
from coro_ls.engine.incremental import IncrementalDocument

SAMPLE = '''"""A module with coroutine mistakes."""
import asyncio


def plain(a, b=1):
    x = [i for i in range(3)]
    return x


async def coro(items):
    async for item in items:
        await item
    async with lock:
        pass
    return [x async for x in items]


class Thing:
    value: int = 3

    def method(self):
        return self.value

    async def amethod(self):
        yield 1


def tail():
    return 2
'''

SNIPPETS = [
    "async ",
    "await ",
    "await x",
    "(",
    ")",
    '"""',
    "'",
    "\n",
    "    ",
    "\t",
    "\\\n",
    "\r\n",
    "from __future__ import annotations\n",
    "yield 1\n",
    "return 1\n",
    "yield from g\n",
    "def f():\n",
    "async def g():\n",
    "class C:\n",
    "else:\n",
    "except:\n",
    "@deco\n",
    "#",
    "[x async for x in y]",
    "lambda: await z",
    "é🐍",
    ":",
    "x: await y = 1\n",
    "\x0c",
]


def _stdlib_sample() -> str:
    path = Path(sysconfig.get_paths()["stdlib"]) / "asyncio" / "locks.py"
    return path.read_text(encoding="utf-8")


def _position(lines: list[str], rng: random.Random) -> tuple[int, int]:
    line = rng.randrange(len(lines))
    content = lines[line].rstrip("\r\n")
    return line + 1, rng.randint(0, len(content))


def _offset(lines: list[str], position: tuple[int, int]) -> int:
    return sum(len(line) for line in lines[: position[0] - 1]) + position[1]


def _random_edit(text: str, rng: random.Random) -> tuple[tuple[int, int], tuple[int, int], str]:
    lines = split_lines(text, keepends=True)
    start = _position(lines, rng)
    if rng.random() < 0.5:
        end = start
    else:
        end = _position(lines, rng)
        if end < start:
            start, end = end, start
        if end[0] - start[0] > 5:
            end = start
    insert = rng.choice(SNIPPETS) if rng.random() < 0.7 else ""
    return start, end, insert


@pytest.mark.parametrize("seed", range(8))
def test_random_edits_match_a_fresh_check(seed: int) -> None:
    rng = random.Random(seed)
    text = SAMPLE if seed % 2 == 0 else _stdlib_sample()
    document = IncrementalDocument(text)
    for step in range(80):
        start, end, insert = _random_edit(text, rng)
        lines = split_lines(text, keepends=True)
        text = text[: _offset(lines, start)] + insert + text[_offset(lines, end) :]
        document.replace(start, end, insert)
        assert document.text == text, f"seed {seed} step {step}: text drifted"
        assert document.findings() == check_source(text), (
            f"seed {seed} step {step}: edit {start}-{end} {insert!r}\n{text}"
        )


def test_typing_in_one_function_reparses_only_that_region() -> None:
    text = SAMPLE * 40
    document = IncrementalDocument(text)
    before = document.stats["parsed_lines"]
    line = text.count("\n") - 1  # inside `def tail():` of the last copy
    for index, char in enumerate("    await x"):
        document.replace((line, 14 + index), (line, 14 + index), char)
    parsed = document.stats["parsed_lines"] - before
    assert parsed < 20 * len("    await x"), parsed
    assert document.findings() == check_source(document.text)


def test_non_local_edits_recheck_everything() -> None:
    text = "def f(x: await y):\n    pass\n"
    document = IncrementalDocument(text, target=(3, 11))
    assert [f.code for f in document.findings()] == ["CORO101"]
    document.replace((1, 0), (1, 0), "from __future__ import annotations\n")
    assert [f.code for f in document.findings()] == ["CORO107"]
    assert document.findings() == check_source(document.text, target=(3, 11))


@pytest.mark.parametrize(
    "source",
    [
        "\x0cdef f():\n    await y\n",
        "x = 1\n\x0cdef f():\n    await y\n",
        "def f():\n    x = 1\n\x0c    await y\n",
        "def f():\n    match x:\n        case 1 if lambda: await y:\n            pass\n",
    ],
)
def test_form_feeds_and_lambda_guards_are_judged_like_cpython(source: str) -> None:
    """Two former blind spots: parso counts a form feed as indentation (CPython resets the
    count), and a ``lambda`` in a ``case`` guard has a colon of its own."""
    try:
        compile(source, "<case>", "exec", dont_inherit=True)
    except SyntaxError as error:
        expected = [(error.lineno, error.msg)]
    else:
        expected = []
    assert [(f.start[0], f.message) for f in check_source(source)] == expected
    assert IncrementalDocument(source).findings() == check_source(source)
