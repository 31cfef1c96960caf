"""Random edits for the property tests: one alphabet of pieces and one hypothesis strategy.

The pieces are what breaks an incremental parser or a position conversion: coroutine syntax
that changes findings (``await``, ``async``, ``yield from``, comprehensions), headers that open
scopes (``def``, ``class``, ``lambda``, decorators, annotations), brackets and quotes left
open, indentation, every line ending LSP knows (``\\n``, ``\\r\\n``, a lone ``\\r``) and the
characters that are *not* line endings for LSP but are for other splitters (form feed,
U+2028, NEL), and characters of two, three and four UTF-8 bytes (one of them two UTF-16
units).

An :class:`Edit` is a replacement of ``text[start:end]`` (code-point offsets); the tests turn
it into whatever their layer takes (an LSP range in a position encoding, parso's 1-based
positions) with :func:`line_column`.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from hypothesis import strategies as st

PIECES: tuple[str, ...] = (
    # coroutine syntax
    "await x",
    "await ",
    "async ",
    "async for i in j: pass",
    "async with m: pass",
    "async with a:\n        ",
    "[x async for x in y]",
    "lambda: await q",
    "yield 1\n",
    "yield from y",
    "return 1",
    # scopes and what ends them
    "def k():",
    "def g():\n    ",
    "async def k():",
    "class C:",
    "class C:\n    ",
    "    async def m(self):\n        await x\n",
    "lambda: ",
    "else:\n",
    "except:\n",
    "@deco\n",
    "@deco\n    ",
    "@d",
    "@",
    "\n    def m(self):",
    "    @property\n",
    "class ",
    "def ",
    "    def m(self):\n        await t\n",
    "        class N:\n            await n\n",
    "x: await y = 1\n",
    "from __future__ import annotations\n",
    # brackets, quotes, comments, continuations
    "(",
    ")",
    "[",
    "]",
    ":",
    "#",
    "'",
    '"""',
    "\\",
    "\\\n",
    # layout and line endings
    "\n",
    "\n    ",
    "\n        ",
    "\r\n",
    "\r",
    "    ",
    "\t",
    " ",
    "\x0c",
    "\u2028",
    "\x85",
    # plain and non-ASCII text
    "x",
    "a",
    "é",
    "🐍",
    "é🐍",
)
"""Every piece an edit inserts; tests that need single characters filter it."""

pieces = st.sampled_from(PIECES)
LINE_BREAK = re.compile(r"\r\n|\r|\n")


def insertions(max_pieces: int = 4) -> st.SearchStrategy[str]:
    """What an edit inserts: up to ``max_pieces`` pieces (possibly nothing)."""
    return st.lists(pieces, max_size=max_pieces).map("".join)


def texts(max_pieces: int = 12) -> st.SearchStrategy[str]:
    """A whole text of pieces (what a client's full-document change sends)."""
    return insertions(max_pieces)


def line_starts(text: str) -> list[int]:
    """The offset of each line's first character, with LSP's line endings."""
    return [0] + [m.end() for m in LINE_BREAK.finditer(text)]


def line_column(text: str, offset: int) -> tuple[int, int]:
    """The 0-based (line, code-point column) of ``offset`` (never inside a line ending)."""
    starts = line_starts(text)
    line = next(i for i in range(len(starts) - 1, -1, -1) if starts[i] <= offset)
    return line, offset - starts[line]


def offset(text: str, line: int, column: int) -> int:
    """The offset of 0-based ``line`` and code-point ``column`` (the inverse of
    :func:`line_column`)."""
    return line_starts(text)[line] + column


@dataclass(frozen=True)
class Edit:
    """``text[start:end]`` replaced by ``new``; offsets in code points, ``start <= end``."""

    start: int
    end: int
    new: str

    def apply(self, text: str) -> str:
        return text[: self.start] + self.new + text[self.end :]


def _position(text: str, pick: Callable[[int, int], int]) -> int:
    """An offset at a line and column of ``text``, each picked by ``pick(low, high)`` (line
    first, so every line is as likely as any other; never inside a ``\\r\\n``)."""
    starts = line_starts(text)
    line = pick(0, len(starts) - 1)
    end = starts[line + 1] if line + 1 < len(starts) else len(text)
    return starts[line] + pick(0, len(LINE_BREAK.sub("", text[starts[line] : end])))


def _edit(text: str, pick: Callable[[int, int], int], new: str, max_lines: int | None) -> Edit:
    start = _position(text, pick)
    end = start if pick(0, 1) else _position(text, pick)
    start, end = min(start, end), max(start, end)
    if max_lines is not None and len(LINE_BREAK.findall(text[start:end])) > max_lines:
        end = start
    return Edit(start, end, new)


@st.composite
def positions(draw: st.DrawFn, text: str) -> int:
    """An offset at a line and column of ``text``."""
    return _position(text, lambda low, high: draw(st.integers(low, high)))


@st.composite
def edits(
    draw: st.DrawFn, text: str, *, max_pieces: int = 4, max_lines: int | None = None
) -> Edit:
    """An edit of ``text``: a range between two positions (half the time empty: typing)
    replaced by up to ``max_pieces`` pieces.  ``max_lines`` bounds how many line breaks the
    range spans (a wider one becomes an insertion at its start)."""
    edit = _edit(
        text,
        lambda low, high: draw(st.integers(low, high)),
        draw(insertions(max_pieces)),
        max_lines,
    )
    if edit.start == edit.end and not edit.new:
        # Nothing replaced by nothing tests nothing (and is what an example shrinks to): type.
        edit = Edit(edit.start, edit.end, draw(pieces))
    return edit


def random_edits(
    rng: random.Random, text: str, count: int, *, max_pieces: int = 2, max_lines: int = 2
) -> Iterator[Edit]:
    """``count`` edits in a row of ``text`` as :func:`edits` makes them, drawn with ``rng``:
    for a walk that is one whole server session, too slow to repeat per hypothesis example.
    """
    for _ in range(count):
        new = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, max_pieces)))
        edit = _edit(text, rng.randint, new, max_lines)
        yield edit
        text = edit.apply(text)
