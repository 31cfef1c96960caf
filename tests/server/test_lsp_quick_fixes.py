"""Quick fixes over stdio: ask as an editor does, apply the edit as an editor does, and check
that exactly the fixed diagnostics disappear (``coro-ls check`` and ``compile()`` as oracles)."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Sequence

import pytest
from lsp_support import TIMEOUT, Editor, capabilities, expected, keys, session, unit_width
from lsprotocol import types

URI = "file:///tmp/coro_ls_tests/fixes.py"
# Non-ASCII text before each construct: a column counted in the wrong unit breaks the edit.
PREFIX = 's = "é🐍"\n'


def caps(encoding: str, *, document_changes: bool = False) -> types.ClientCapabilities:
    result = capabilities(encoding)
    assert result.text_document is not None
    result.text_document.code_action = types.CodeActionClientCapabilities(
        code_action_literal_support=types.ClientCodeActionLiteralOptions(
            code_action_kind=types.ClientCodeActionKindOptions(
                value_set=[types.CodeActionKind.QuickFix, types.CodeActionKind.Refactor]
            )
        ),
        is_preferred_support=True,
    )
    if document_changes:
        result.workspace = types.WorkspaceClientCapabilities(
            workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True)
        )
    return result


def offset(text: str, position: types.Position, encoding: str) -> int:
    """The string index of an LSP position, counted independently of the server's code."""
    pieces = re.split(r"(\r\n|\r|\n)", text)
    lines = [
        pieces[i] + (pieces[i + 1] if i + 1 < len(pieces) else "")
        for i in range(0, len(pieces), 2)
    ]
    index = sum(len(line) for line in lines[: position.line])
    units = 0
    for char in lines[position.line]:
        if units >= position.character or char in "\r\n":
            break
        units += unit_width(char, encoding)
        index += 1
    return index


def apply(text: str, edits: Sequence[types.TextEdit], encoding: str) -> str:
    for edit in sorted(
        edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True
    ):
        start = offset(text, edit.range.start, encoding)
        end = offset(text, edit.range.end, encoding)
        text = text[:start] + edit.new_text + text[end:]
    return text


def edits_of(action: types.CodeAction, uri: str) -> list[types.TextEdit]:
    assert action.edit is not None
    if action.edit.document_changes:
        (change,) = action.edit.document_changes
        assert isinstance(change, types.TextDocumentEdit) and change.text_document.uri == uri
        return list(change.edits)  # type: ignore[arg-type]
    assert action.edit.changes is not None
    return list(action.edit.changes[uri])


async def ask(
    editor: Editor,
    range_: types.Range,
    sent: Sequence[types.Diagnostic],
    only: Sequence[str] | None = None,
) -> list[types.CodeAction]:
    result = await asyncio.wait_for(
        editor.client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=URI),
                range=range_,
                context=types.CodeActionContext(diagnostics=list(sent), only=only),
            )
        ),
        TIMEOUT,
    )
    return [a for a in result or () if isinstance(a, types.CodeAction) and a.kind == "quickfix"]


def compiles(text: str) -> bool:
    try:
        compile(text, "<fixed>", "exec")
    except SyntaxError:
        return False
    return True


FIXABLE = {
    "make async": (
        PREFIX
        + "class A:\n    def m(self):\n        async with self.l:\n"
        + "            return await 'é🐍'\n",
        1,
    ),
    "yield from": (PREFIX + "async def f(g):\n    x = 'é🐍'; y = 2\n    yield from g  # 🐍\n", 2),
    "return None": (PREFIX + "async def f():\n    yield 'é🐍'\n    return None\n", 1),
}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
@pytest.mark.parametrize("name", FIXABLE)
async def test_each_fix_removes_its_diagnostics_and_nothing_else(name: str, encoding: str) -> None:
    source, count = FIXABLE[name]
    assert not compiles(source)
    async with session(caps(encoding, document_changes=encoding == "utf-16")) as (editor, _):
        published = await editor.published.wait(URI, editor.open(URI, source))
        assert published
        actions = await ask(editor, published[0].range, published[:1])
        assert len(actions) == count
        for action in actions:
            # The action names exactly the diagnostics it fixes, as they were published.
            assert action.diagnostics and all(d in published for d in action.diagnostics)
            assert action.is_preferred == (count == 1 or None)
            fixed = apply(source, edits_of(action, URI), encoding)
            assert compiles(fixed)
            remaining = Counter(keys(published)) - Counter(keys(action.diagnostics))
            assert expected(fixed, encoding) == sorted(remaining.elements()) == []


async def test_make_async_fix_leaves_other_diagnostics_as_they_were() -> None:
    source = PREFIX + "def a():\n    await x\n\nasync def b():\n    yield from y\n"
    async with session(caps("utf-16")) as (editor, _):
        published = await editor.published.wait(URI, editor.open(URI, source))
        (first, second) = sorted(published, key=lambda d: d.range.start.line)
        # A cursor on the line, no diagnostics sent: the range touches the first one only.
        cursor = types.Range(start=first.range.start, end=first.range.start)
        (action,) = await ask(editor, cursor, [])
        assert list(action.diagnostics or ()) == [first]
        # Applied as an editor applies it, through didChange.
        (edit,) = edits_of(action, URI)
        version = editor.change(
            URI, types.TextDocumentContentChangePartial(range=edit.range, text=edit.new_text)
        )
        after = await editor.published.wait(URI, version)
        assert keys(after) == keys([second])
        fixed = apply(source, [edit], "utf-16")
        assert keys(after) == expected(fixed, "utf-16")


NOT_FIXABLE = {
    "lambda": "def f():\n    return lambda: await x\n",
    "class body": "async def f():\n    class A:\n        await x\n",
    "module level": "await x\n",
    "yield from in the def": "def f():\n    yield from g\n    await x\n",
    "yield and return value": "def f():\n    yield 1\n    await x\n    return 2\n",
    "yield from expression": "async def f(g):\n    x = yield from g\n",
    "return a value": "async def f():\n    yield 1\n    return 0\n",
}


@pytest.mark.parametrize("source", NOT_FIXABLE.values(), ids=NOT_FIXABLE.keys())
async def test_no_fix_where_none_would_be_right(source: str) -> None:
    async with session(caps("utf-16")) as (editor, _):
        published = await editor.published.wait(URI, editor.open(URI, source))
        assert published
        for diagnostic in published:
            assert await ask(editor, diagnostic.range, [diagnostic]) == []


async def test_context_only_is_honoured() -> None:
    source = "def f():\n    await x\n"
    async with session(caps("utf-16")) as (editor, _):
        published = await editor.published.wait(URI, editor.open(URI, source))
        assert await ask(editor, published[0].range, published, only=["refactor"]) == []
        assert len(await ask(editor, published[0].range, published, only=["quickfix"])) == 1


async def test_quick_fixes_and_expansions_share_the_code_action_method() -> None:
    source = "def f(m):\n    async with m:\n        pass\n"
    async with session(caps("utf-16")) as (editor, result):
        provider = result.capabilities.code_action_provider
        assert isinstance(provider, types.CodeActionOptions)
        assert set(provider.code_action_kinds or ()) >= {"quickfix", "refactor.inline"}
        published = await editor.published.wait(URI, editor.open(URI, source))
        response = await asyncio.wait_for(
            editor.client.text_document_code_action_async(
                types.CodeActionParams(
                    text_document=types.TextDocumentIdentifier(uri=URI),
                    range=published[0].range,
                    context=types.CodeActionContext(diagnostics=list(published)),
                )
            ),
            TIMEOUT,
        )
        kinds = sorted(str(a.kind) for a in response or () if isinstance(a, types.CodeAction))
        assert kinds == ["quickfix", "refactor.inline"]
