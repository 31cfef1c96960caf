"""parso positions (1-based line, code-point column) <-> LSP positions in any encoding.

LSP columns count UTF-16 code units unless the client negotiated UTF-8 or UTF-32; parso
counts code points.  Lines here are ``parso.utils.split_lines(text, keepends=True)``, which
splits only at ``\\n``, ``\\r\\n`` and ``\\r`` as LSP does.
"""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types

from coro_ls.engine.findings import Position as ParsoPosition

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"
BOM = "\ufeff"
ENCODINGS = (UTF8, UTF16, UTF32)


def normalize_encoding(encoding: object) -> str:
    """The encoding's wire name (pygls hands out either enum members or plain strings)."""
    value = getattr(encoding, "value", encoding)
    return value if value in ENCODINGS else UTF16


def content(line: str) -> str:
    """``line`` without its line terminator."""
    if line.endswith("\r\n"):
        return line[:-2]
    if line.endswith(("\n", "\r")):
        return line[:-1]
    return line


def units(text: str, encoding: str) -> int:
    """The length of ``text`` in the encoding's code units."""
    if encoding == UTF32 or text.isascii():
        return len(text)
    # surrogatepass: a lone surrogate from the client counts as one unit instead of raising
    if encoding == UTF16:
        return len(text.encode("utf-16-le", "surrogatepass")) // 2
    return len(text.encode("utf-8", "surrogatepass"))


def column_from_units(line: str, character: int, encoding: str) -> tuple[int, bool]:
    """The code-point column of ``character`` units into ``line``, and whether it was exact.

    Past the end of the line's content means the end of the content (LSP); a position inside
    a character (half a surrogate pair, inside a UTF-8 sequence) means that character's start.
    """
    text = content(line)
    if character < 0:
        return 0, False
    if encoding == UTF32 or text.isascii():
        return (character, True) if character <= len(text) else (len(text), False)
    seen = 0
    for index, char in enumerate(text):
        if seen == character:
            return index, True
        seen += units(char, encoding)
        if seen > character:
            return index, False
    return len(text), seen == character


def from_lsp(
    lines: Sequence[str], position: types.Position, encoding: str
) -> tuple[ParsoPosition, bool]:
    """The parso position of an LSP position, clamped into the text, and whether it was exact."""
    if position.line < 0:
        return (1, 0), False
    if position.line >= len(lines):
        return (len(lines), len(content(lines[-1]))), False
    column, exact = column_from_units(lines[position.line], position.character, encoding)
    return (position.line + 1, column), exact


def to_lsp(lines: Sequence[str], position: ParsoPosition, encoding: str) -> types.Position:
    """The LSP position of a parso position (clamped into the text, as a finding never needs)."""
    line, column = position
    index = min(max(line - 1, 0), len(lines) - 1)
    text = content(lines[index])
    if index == 0 and text.startswith(BOM):
        column += 1  # parso leaves a leading BOM out of its columns; the client's text has it
    return types.Position(line=index, character=units(text[: max(column, 0)], encoding))


def range_to_lsp(
    lines: Sequence[str], start: ParsoPosition, end: ParsoPosition, encoding: str
) -> types.Range:
    return types.Range(start=to_lsp(lines, start, encoding), end=to_lsp(lines, end, encoding))
