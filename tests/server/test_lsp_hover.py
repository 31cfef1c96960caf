"""Hover over stdio: the client's content format, ranges in its position encoding, verdicts on
valid and invalid places, explanations of the published diagnostics."""

from __future__ import annotations

import asyncio

import pytest
from lsp_support import TIMEOUT, Editor, capabilities, session, to_units
from lsprotocol import types

URI = "file:///tmp/coro_ls_tests/hover.py"
# Characters of 2 and 4 UTF-8 bytes (and a surrogate pair in UTF-16) before each keyword.
SOURCE = (
    's = "é🐍"\n'
    "def f():\n"
    '    t = "🐍"; return await g()\n'
    "\n"
    "async def h():\n"
    '    u = "é"; await g()\n'
)
INVALID_AWAIT = (2, SOURCE.splitlines()[2].index("await"))
VALID_AWAIT = (5, SOURCE.splitlines()[5].index("await"))
MARKDOWN, PLAIN = types.MarkupKind.Markdown, types.MarkupKind.PlainText


def caps(encoding: str, formats: list[types.MarkupKind] | None) -> types.ClientCapabilities:
    result = capabilities(encoding)
    assert result.text_document is not None
    result.text_document.hover = types.HoverClientCapabilities(content_format=formats)
    return result


async def hover_at(
    editor: Editor, source: str, at: tuple[int, int], encoding: str
) -> types.Hover | None:
    line, character = to_units(source, at[0], at[1], encoding)
    return await asyncio.wait_for(
        editor.client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=URI),
                position=types.Position(line=line, character=character),
            )
        ),
        TIMEOUT,
    )


def text_of(result: types.Hover | None) -> tuple[str, str]:
    assert result is not None and isinstance(result.contents, types.MarkupContent)
    return types.MarkupKind(result.contents.kind).value, result.contents.value


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
@pytest.mark.parametrize(
    ("formats", "kind"),
    [
        ([MARKDOWN, PLAIN], MARKDOWN),
        ([PLAIN, MARKDOWN], PLAIN),
        ([PLAIN], PLAIN),
        (None, PLAIN),
    ],
)
async def test_verdicts_in_the_clients_format_and_encoding(
    encoding: str, formats: list[types.MarkupKind] | None, kind: types.MarkupKind
) -> None:
    async with session(caps(encoding, formats)) as (editor, _):
        published = await editor.published.wait(URI, editor.open(URI, SOURCE))
        (diagnostic,) = published

        invalid = await hover_at(editor, SOURCE, INVALID_AWAIT, encoding)
        got_kind, value = text_of(invalid)
        assert got_kind == kind.value
        assert "Not allowed here" in value and diagnostic.message in value
        assert ("**" in value) == (kind == MARKDOWN)
        assert invalid is not None and invalid.range is not None
        # The hover covers the keyword, which starts where the diagnostic starts.
        assert invalid.range.start == diagnostic.range.start
        keyword_end = to_units(SOURCE, INVALID_AWAIT[0], INVALID_AWAIT[1] + 5, encoding)
        assert (invalid.range.end.line, invalid.range.end.character) == keyword_end

        valid = await hover_at(editor, SOURCE, VALID_AWAIT, encoding)
        got_kind, value = text_of(valid)
        assert got_kind == kind.value and "Allowed here" in value and "Not allowed" not in value
        assert valid is not None and valid.range is not None
        start = to_units(SOURCE, *VALID_AWAIT, encoding)
        assert (valid.range.start.line, valid.range.start.character) == start

        assert await hover_at(editor, SOURCE, (0, 0), encoding) is None


async def test_inside_a_diagnostic_the_diagnostic_is_explained() -> None:
    async with session(caps("utf-16", [MARKDOWN])) as (editor, _):
        (diagnostic,) = await editor.published.wait(URI, editor.open(URI, SOURCE))
        inside = (INVALID_AWAIT[0], INVALID_AWAIT[1] + len("await g"))  # on "(" of "g()"
        _, value = text_of(await hover_at(editor, SOURCE, inside, "utf-16"))
        assert str(diagnostic.code) in value and diagnostic.message in value
        assert "Make 'f' async" in value


async def test_hover_follows_edits() -> None:
    async with session(caps("utf-16", [MARKDOWN])) as (editor, _):
        await editor.published.wait(URI, editor.open(URI, SOURCE))
        fixed = SOURCE.replace("def f", "async def f")
        version = editor.change(
            URI,
            types.TextDocumentContentChangePartial(
                range=types.Range(
                    start=types.Position(line=1, character=0),
                    end=types.Position(line=1, character=0),
                ),
                text="async ",
            ),
        )
        assert await editor.published.wait(URI, version) == []
        _, value = text_of(await hover_at(editor, fixed, INVALID_AWAIT, "utf-16"))
        assert "Allowed here" in value and "Not allowed" not in value
