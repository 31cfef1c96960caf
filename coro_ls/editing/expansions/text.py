"""Text helpers for moving code: offsets, line endings, indentation units, re-indenting."""

from __future__ import annotations

from parso.python.token import PythonTokenTypes
from parso.python.tokenize import tokenize
from parso.utils import parse_version_string, split_lines

from coro_ls.editing.lines import Lines
from coro_ls.engine.findings import Position
from coro_ls.engine.versions import Version, format_version


def string_continuation_lines(text: str, version: Version, first_line: int = 1) -> set[int]:
    """Lines that begin inside a string literal (their leading whitespace is part of a value).

    ``text`` may be one statement of a document starting at ``first_line``: strings cannot
    cross a statement's boundary, so its own tokens tell.
    """
    frozen: set[int] = set()
    fstring_starts: list[int] = []
    shift = first_line - 1
    for token in tokenize(text, version_info=parse_version_string(format_version(version))):
        if token.type == PythonTokenTypes.FSTRING_START:
            fstring_starts.append(token.start_pos[0] + shift)
        elif token.type == PythonTokenTypes.FSTRING_END and fstring_starts:
            first = fstring_starts.pop()
            frozen.update(range(first + 1, token.start_pos[0] + shift + 1))
        elif token.type in (PythonTokenTypes.STRING, PythonTokenTypes.ERRORTOKEN):
            frozen.update(range(token.start_pos[0] + shift + 1, token.end_pos[0] + shift + 1))
    return frozen


def shift_lines(
    text: str,
    first_line: int,
    frozen: set[int],
    base: str,
    extra: str,
    newline: str,
    first_prefix: str | None = None,
) -> str:
    """Indent ``text`` (whole lines starting at ``first_line``) ``extra`` deeper, after ``base``.

    Lines inside string literals and blank lines stay as they are; a comment line that is not
    indented as deep as ``base`` stays too.  With ``first_prefix`` the first line (the rest of
    a one-line body) gets that indentation instead.  The result ends with a line break.
    """
    out = []
    for index, line in enumerate(split_lines(text, keepends=True)):
        if not line:
            continue
        number = first_line + index
        if index == 0 and first_prefix is not None:
            out.append(first_prefix + line)
        elif number in frozen or not line.strip():
            out.append(line)
        elif line.startswith(base):
            out.append(base + extra + line[len(base) :])
        elif line.lstrip().startswith("#"):
            out.append(line)
        else:
            out.append(extra + line)
    result = "".join(out)
    if result and not result.endswith(("\n", "\r")):
        result += newline
    return result


def to_document(position: Position, blanked: Lines, document: Lines) -> Position:
    """Map a position of the blanked text to the document's coordinates.

    Blanking only rewrites the inside of parentheses on a header, so a line of the two texts
    differs in one middle stretch: columns in the common tail move by the length difference.
    """
    line, column = position
    if not (blanked.has_line(line) and document.has_line(line)):
        return position
    old, new = blanked.line(line), document.line(line)
    if old == new:
        return position
    common = 0
    while common < min(len(old), len(new)) and old[-1 - common] == new[-1 - common]:
        common += 1
    if column >= len(old) - common:
        return (line, column + len(new) - len(old))
    return position
