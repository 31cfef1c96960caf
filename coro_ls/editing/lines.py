"""A text's lines as parso splits them, with position <-> offset conversion, and the
indentation step they use."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from parso.utils import split_lines

from coro_ls.engine.findings import Position


class Lines:
    """A text's lines (as parso splits them) and position <-> offset conversion.

    The text may be an excerpt of a document whose first line is line ``first`` (positions
    stay the document's, or its block tree's)."""

    def __init__(self, text: str, first: int = 1) -> None:
        self.text = text
        self.first = first
        self.lines = split_lines(text, keepends=True)
        self._offsets = [0]
        for line in self.lines:
            self._offsets.append(self._offsets[-1] + len(line))

    def offset(self, position: Position) -> int:
        return self._offsets[position[0] - self.first] + position[1]

    def slice(self, start: Position, end: Position) -> str:
        return self.text[self.offset(start) : self.offset(end)]

    def line(self, number: int) -> str:
        return self.lines[number - self.first]

    def has_line(self, number: int) -> bool:
        return 0 <= number - self.first < len(self.lines)


def document_newline(text: str) -> str:
    """The document's line ending: that of its first line break, ``\\n`` when it has none."""
    for index, char in enumerate(text):
        if char == "\r":
            return "\r\n" if text[index + 1 : index + 2] == "\n" else "\r"
        if char == "\n":
            return "\n"
    return "\n"


def indentation_unit(lines: Lines) -> str:
    """The step most blocks of the file indent by (a tab, or N spaces); four spaces if none.

    Read from the lines: a line ending with ``:`` followed by a deeper one opens a block (lines
    inside strings rarely look like that, and a majority vote outweighs them).
    """
    return chosen_unit(indentation_votes(lines.lines)[0])


def indentation_votes(
    lines: Iterable[str], previous: str | None = None
) -> tuple[Counter[str], str | None]:
    """The votes of some consecutive lines for :func:`indentation_unit`, given the
    indentation of the header line before them (``previous``), and the same for the lines
    after them: votes of consecutive runs add up to the votes of the whole."""
    steps: Counter[str] = Counter()
    for line in lines:
        code = line.rstrip("\r\n")
        stripped = code.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = code[: len(code) - len(code.lstrip(" \t"))]
        if previous is not None and indent.startswith(previous) and indent != previous:
            steps[indent[len(previous) :]] += 1
        previous = indent if stripped.split("#", 1)[0].rstrip().endswith(":") else None
    return steps, previous


def chosen_unit(votes: Counter[str]) -> str:
    if not votes:
        return "    "
    return votes.most_common(1)[0][0]
