"""Code-point columns <-> LSP columns in utf-8, utf-16 and utf-32, clamped as LSP says."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lsp_support import ENCODINGS, unit_width
from lsprotocol import types
from parso.utils import split_lines

from coro_ls.engine.versions import grammar_for, running_version
from coro_ls.server import positions

# Lines mixing ASCII, 2- and 3-byte characters, astral ones (two UTF-16 units) and the line
# separators LSP does not break at (form feed, U+2028, U+0085).
CHARS = st.sampled_from(list("ab \t(é€🐍𝔘\x0c\u2028\x85\x1c") + ["\ud800"])
LINE_BREAKS = st.sampled_from(["\n", "\r\n", "\r"])


def width(text: str, encoding: str) -> int:
    return sum(unit_width(char, encoding) for char in text)


@given(st.lists(CHARS, max_size=12), st.sampled_from(ENCODINGS), LINE_BREAKS)
def test_every_column_round_trips_through_every_encoding(
    chars: list[str], encoding: str, line_break: str
) -> None:
    line = "".join(chars)
    lines = split_lines(f"first\n{line}{line_break}last", keepends=True)
    for column in range(len(line) + 1):
        lsp = positions.to_lsp(lines, (2, column), encoding)
        assert (lsp.line, lsp.character) == (1, width(line[:column], encoding))
        assert positions.from_lsp(lines, lsp, encoding) == ((2, column), True)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_await_after_astral_characters(encoding: str) -> None:
    lines = split_lines('x = "é😀"; await y\n', keepends=True)
    # parso puts ``await`` at column 10; the units before it differ per encoding.
    expected = {"utf-8": 14, "utf-16": 11, "utf-32": 10}[encoding]
    assert positions.to_lsp(lines, (1, 10), encoding) == types.Position(0, expected)
    assert positions.from_lsp(lines, types.Position(0, expected), encoding) == ((1, 10), True)


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("line_break", ["\n", "\r\n", "\r", ""])
def test_a_character_past_the_end_of_a_line_means_the_end_of_its_content(
    encoding: str, line_break: str
) -> None:
    lines = split_lines(f"é🐍x{line_break}", keepends=True)
    assert positions.from_lsp(lines, types.Position(0, 999), encoding) == ((1, 3), False)


def test_a_line_past_the_end_means_the_end_of_the_document() -> None:
    lines = split_lines("a\nbé🐍", keepends=True)
    assert positions.from_lsp(lines, types.Position(7, 0), "utf-16") == ((2, 3), False)


@pytest.mark.parametrize(("encoding", "inside"), [("utf-16", 2), ("utf-8", 2), ("utf-8", 4)])
def test_a_column_inside_a_character_means_that_characters_start(
    encoding: str, inside: int
) -> None:
    lines = split_lines("a🐍b", keepends=True)
    assert positions.from_lsp(lines, types.Position(0, inside), encoding) == ((1, 1), False)


def test_unknown_encodings_fall_back_to_utf16() -> None:
    assert positions.normalize_encoding(types.PositionEncodingKind.Utf8) == "utf-8"
    assert positions.normalize_encoding("utf-32") == "utf-32"
    assert positions.normalize_encoding("latin-1") == "utf-16"


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_leading_bom_counts_in_the_clients_columns_but_not_in_parsos(encoding: str) -> None:
    text = "\ufeffawait x\nawait y\n"
    module = grammar_for(running_version()).parse(text)
    lines = split_lines(text, keepends=True)
    bom = {"utf-8": 3, "utf-16": 1, "utf-32": 1}[encoding]
    first_await = module.get_first_leaf()
    assert first_await.start_pos == (1, 0)
    assert positions.to_lsp(lines, first_await.start_pos, encoding) == types.Position(0, bom)
    assert positions.to_lsp(lines, (2, 0), encoding) == types.Position(1, 0)
