"""Whole editing sessions: real clients' capabilities, awkward line breaks, long random edits."""

from __future__ import annotations

import random

import pytest
from edit_strategies import line_column, random_edits
from lsp_support import (
    ENCODINGS,
    Editor,
    capabilities,
    edit,
    expected,
    expected_in_process,
    keys,
    line_contents,
    profile,
    session,
)
from lsprotocol import types

SOURCE = 's = "é🐍"; await x\n\ndef f():\n    t = "𝔘𝔫"; return await g(), "🐍"\n'
URI = "file:///tmp/coro_ls_tests/session.py"


async def test_real_client_profiles_get_the_checkers_diagnostics(
    editor: Editor, client_name: str
) -> None:
    caps = profile(client_name)
    pulls = caps.text_document is not None and caps.text_document.diagnostic is not None
    assert editor.result is not None
    assert (editor.result.capabilities.diagnostic_provider is not None) == pulls
    fixed = SOURCE.replace("def f", "async def f")
    editor.open(URI, SOURCE)
    version = editor.change(URI, edit(SOURCE, (2, 0), (2, 0), "async ", editor.encoding))
    if pulls:
        report = await editor.pull(URI)
        diagnostics = list(report.items)
    else:
        diagnostics = await editor.published.wait(URI, version)
    assert keys(diagnostics) == expected(fixed, editor.encoding) != []


def splice(text: str, start: tuple[int, int], end: tuple[int, int], new: str) -> str:
    """What an editor's buffer does with a ranged edit (0-based lines, code-point columns)."""
    offsets, total = [], 0
    for line in _lsp_lines(text):
        offsets.append(total)
        total += len(line)
    return text[: offsets[start[0]] + start[1]] + new + text[offsets[end[0]] + end[1] :]


def _lsp_lines(text: str) -> list[str]:
    """Lines with their terminators, split only at \\r\\n, \\r and \\n."""
    lines, rest = [], text
    for content in line_contents(text)[:-1]:
        terminator = "\r\n" if rest[len(content) :].startswith("\r\n") else rest[len(content)]
        lines.append(content + terminator)
        rest = rest[len(content) + len(terminator) :]
    return [*lines, rest]


@pytest.mark.parametrize("encoding", ENCODINGS)
async def test_a_form_feed_and_crlf_document_edited_incrementally(encoding: str) -> None:
    # pygls' own store splits lines at \x0c, \x1c and U+2028 and then edits the wrong line.
    text = (
        "x = 1\r\n\x0c\r\ndef f():\r\n    y = '\u2028🐍'  \x1c\r\n    return 1\r\n\x0c\rz = 2\r\n"
    )
    steps = [
        ((4, 4), (4, 12), "return await y"),
        ((3, 14), (3, 14), "; await q"),
        ((6, 0), (6, 5), "await w"),
        ((1, 0), (2, 0), ""),
        ((0, 5), (0, 5), "\r\nawait v"),
        ((5, 0), (5, 0), "\r"),  # a lone \r before a line: still one line break each
        ((7, 0), (7, 0), "\nawait u "),  # ... until a \n follows it: then the two are one
        ((7, 0), (7, 0), "r = 3; await t; "),
    ]
    async with session(capabilities(encoding)) as (editor, _):
        editor.open(URI, text)
        for start, end, new in steps:
            version = editor.change(URI, edit(text, start, end, new, encoding))
            text = splice(text, start, end, new)
            assert keys(await editor.published.wait(URI, version)) == expected(text, encoding)
        assert "await w" in text and "await v" in text


@pytest.mark.parametrize("encoding", ENCODINGS)
async def test_a_long_random_edit_sequence_ends_as_a_fresh_open_of_its_text(
    encoding: str,
) -> None:
    rng = random.Random(f"coro-ls {encoding}")
    text = SOURCE + "async def h():\n    async for i in j:\n        await i\n" * 3
    async with session(capabilities(encoding)) as (editor, _):
        editor.open(URI, text)
        version = 1
        pending: list[types.TextDocumentContentChangePartial] = []
        for change in random_edits(rng, text, 300):
            start, end = line_column(text, change.start), line_column(text, change.end)
            pending.append(edit(text, start, end, change.new, encoding))
            text = change.apply(text)
            # Sometimes several changes travel in one didChange, each relative to the last.
            if rng.random() < 0.7:
                version = editor.change(URI, *pending)
                pending = []
                if version % 25 == 0:  # every state is checked the same way: sample some
                    diagnostics = await editor.published.wait(URI, version)
                    assert keys(diagnostics) == expected_in_process(text, encoding)
        if pending:
            version = editor.change(URI, *pending)
        final = await editor.published.wait(URI, version)

        fresh = URI.replace("session", "fresh")
        editor.open(fresh, text)
        assert keys(final) == keys(await editor.published.wait(fresh, 1))
        assert keys(final) == expected(text, encoding)
