"""Diagnostics over stdio, push and pull, in every position encoding, equal ``coro-ls check``."""

from __future__ import annotations

import pytest
from lsp_support import ENCODINGS, capabilities, edit, expected, keys, session
from lsprotocol import types

from coro_ls import __version__

# Characters outside the BMP (and a two-byte one) before each error: a column counted in the
# wrong unit moves every squiggle.
SOURCE = 's = "é🐍"; await x\n\ndef f():\n    t = "𝔘𝔫"; return await g(), "🐍"\n'
URI = "file:///tmp/coro_ls_tests/example.py"


async def test_initialize_names_the_server_and_its_version() -> None:
    async with session(capabilities()) as (_, result):
        assert result.server_info is not None
        assert (result.server_info.name, result.server_info.version) == ("coro-ls", __version__)
        sync = result.capabilities.text_document_sync
        assert isinstance(sync, types.TextDocumentSyncOptions)
        assert sync.open_close and sync.change == types.TextDocumentSyncKind.Incremental


@pytest.mark.parametrize("encoding", ENCODINGS)
async def test_the_clients_position_encoding_is_negotiated(encoding: str) -> None:
    async with session(capabilities(encoding)) as (editor, result):
        assert result.capabilities.position_encoding == encoding
        assert editor.encoding == encoding


@pytest.mark.parametrize("encoding", ENCODINGS)
async def test_push_on_open_and_change_then_clear_on_close(encoding: str) -> None:
    async with session(capabilities(encoding)) as (editor, _):
        version = editor.open(URI, SOURCE)
        opened = await editor.published.wait(URI, version)
        assert keys(opened) == expected(SOURCE, encoding) != []

        fixed = SOURCE.replace("def f", "async def f")
        version = editor.change(URI, edit(SOURCE, (2, 0), (2, 0), "async ", encoding))
        changed = await editor.published.wait(URI, version)
        assert keys(changed) == expected(fixed, encoding)
        assert keys(changed) != keys(opened)

        editor.close(URI)
        assert await editor.published.wait(URI, None) == []


async def test_diagnostics_carry_severity_source_code_link_and_cause() -> None:
    async with session(capabilities()) as (editor, _):
        diagnostics = await editor.published.wait(URI, editor.open(URI, SOURCE))
        assert diagnostics
        for diagnostic in diagnostics:
            assert diagnostic.severity == types.DiagnosticSeverity.Error
            assert diagnostic.source == "coro-ls"
            assert diagnostic.code_description is not None
            assert diagnostic.code_description.href.endswith(f"#{str(diagnostic.code).lower()}")
            for related in diagnostic.related_information or ():
                assert related.location.uri == URI
                assert related.message
        # The await inside the plain ``def f`` points at that def as its cause.
        inside_f = [d for d in diagnostics if d.range.start.line == 3]
        assert inside_f and all(d.related_information for d in inside_f)


@pytest.mark.parametrize("encoding", ENCODINGS)
async def test_pull_diagnostics_full_then_unchanged_and_never_pushed(encoding: str) -> None:
    async with session(capabilities(encoding, pull=True)) as (editor, result):
        assert result.capabilities.diagnostic_provider is not None
        editor.open(URI, SOURCE)
        first = await editor.pull(URI)
        assert first.kind == "full" and keys(first.items) == expected(SOURCE, encoding)

        again = await editor.pull(URI, first.result_id)
        assert again.kind == "unchanged" and again.result_id == first.result_id

        editor.change(URI, edit(SOURCE, (0, 0), (1, 0), "", encoding))
        changed = await editor.pull(URI, first.result_id)
        assert changed.kind == "full"
        assert keys(changed.items) == expected(SOURCE.split("\n", 1)[1], encoding)

        editor.close(URI)
        # Replies come in order, so any push caused by the messages above has arrived by now.
        await editor.pull(URI)
        assert editor.published.events == []


async def test_a_push_client_is_not_offered_pull_diagnostics() -> None:
    async with session(capabilities()) as (_, result):
        assert result.capabilities.diagnostic_provider is None


async def test_several_documents_in_one_session_are_kept_apart() -> None:
    texts = {
        "file:///w/a.py": SOURCE,
        "file:///w/b.py": "async def ok():\n    await x\n",
        "untitled:Untitled-1": "def g():\n    async with a:\n        pass\n",
    }
    async with session(capabilities()) as (editor, _):
        for uri, text in texts.items():
            editor.open(uri, text)
        for uri, text in texts.items():
            assert keys(await editor.published.wait(uri, 1)) == expected(text, "utf-16")

        # Editing one document changes nothing in the others.
        a = "file:///w/a.py"
        texts[a] = "await y\n" + SOURCE
        version = editor.change(a, edit(SOURCE, (0, 0), (0, 0), "await y\n", "utf-16"))
        assert keys(await editor.published.wait(a, version)) == expected(texts[a], "utf-16")
        editor.close("file:///w/b.py")
        assert await editor.published.wait("file:///w/b.py", None) == []
        other = "untitled:Untitled-1"
        editor.versions[other] = 1
        version = editor.change(other, edit(texts[other], (1, 4), (1, 10), "", "utf-16"))
        texts[other] = "def g():\n    with a:\n        pass\n"
        assert keys(await editor.published.wait(other, version)) == expected(
            texts[other], "utf-16"
        )
        assert keys(editor.published.latest(a).diagnostics) == expected(texts[a], "utf-16")


@pytest.mark.parametrize("encoding", ENCODINGS)
async def test_a_position_past_the_end_of_a_line_means_its_end(encoding: str) -> None:
    text = "x = 'é🐍'\nasync def f():\n    pass\n"
    async with session(capabilities(encoding)) as (editor, _):
        editor.open(URI, text)
        # Column 999 on line 0 is the end of line 0 (before its line break), not line 1.
        change = types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(0, 999), types.Position(0, 999)),
            text="; await z",
        )
        version = editor.change(URI, change)
        final = "x = 'é🐍'; await z\nasync def f():\n    pass\n"
        assert keys(await editor.published.wait(URI, version)) == expected(final, encoding) != []
