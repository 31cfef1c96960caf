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

import re
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


@st.composite
def positions(draw: st.DrawFn, text: str) -> int:
    """An offset at a line and column of ``text`` (line first, so every line is as likely
    as any other, and never between the two characters of ``\\r\\n``)."""
    starts = line_starts(text)
    line = draw(st.integers(0, len(starts) - 1))
    end = starts[line + 1] if line + 1 < len(starts) else len(text)
    content = LINE_BREAK.sub("", text[starts[line] : end])
    return starts[line] + draw(st.integers(0, len(content)))


@st.composite
def edits(
    draw: st.DrawFn, text: str, *, max_pieces: int = 4, max_lines: int | None = None
) -> Edit:
    """An edit of ``text``: a range between two positions (often empty: typing) replaced by
    up to ``max_pieces`` pieces.  ``max_lines`` bounds how many line breaks the range spans
    (a wider one becomes an insertion at its start)."""
    start = draw(positions(text))
    end = start if draw(st.booleans()) else draw(positions(text))
    start, end = min(start, end), max(start, end)
    if max_lines is not None and len(LINE_BREAK.findall(text[start:end])) > max_lines:
        end = start
    return Edit(start, end, draw(insertions(max_pieces)))
