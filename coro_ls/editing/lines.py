"""A text's lines as parso splits them, with position <-> offset conversion."""

from __future__ import annotations

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
