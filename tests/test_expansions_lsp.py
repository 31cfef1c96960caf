"""The expansion code actions end to end, over stdio through pytest-lsp: eager and resolve paths.

The edits the server sends are applied here, in the client's position units, and the result must
equal the engine's own expansion of the same text.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from lsp_support import Editor, negotiated_encoding, start_server
from lsprotocol import types
from pygls.exceptions import JsonRpcContentModified, JsonRpcException
from pytest_lsp import LanguageClient

from coro_ls.editing.expansions import apply_edits, expand, find_expandable
from coro_ls.engine.versions import grammar_for, running_version

TIMEOUT = 30.0
URI = "file:///tmp/coro_ls_tests/expansions.py"
SOURCE = (
    '"""Module."""\n'
    "async def main(source, lock):\n"
    "    s = '🐍'; async_for = 1\n"
    "    async for item in source:  # 🐍\n"
    "        print(item)\n"
    "    async with lock as held:\n"
    "        print(held, s)\n"
)


def _caps(*, resolve: bool, document_changes: bool) -> types.ClientCapabilities:
    return types.ClientCapabilities(
        workspace=types.WorkspaceClientCapabilities(
            workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=document_changes)
        ),
        text_document=types.TextDocumentClientCapabilities(
            code_action=types.CodeActionClientCapabilities(
                code_action_literal_support=types.ClientCodeActionLiteralOptions(
                    code_action_kind=types.ClientCodeActionKindOptions(
                        value_set=[types.CodeActionKind.RefactorInline]
                    )
                ),
                data_support=resolve,
                resolve_support=types.ClientCodeActionResolveOptions(properties=["edit"])
                if resolve
                else None,
            )
        ),
    )


class Session:
    def __init__(self, client: LanguageClient, encoding: str) -> None:
        self.client = client
        self.encoding = encoding
        self.version = 1

    def open(self, text: str) -> None:
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri=URI, language_id="python", version=1, text=text)
            )
        )

    def replace_all(self, text: str) -> None:
        self.version += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=URI, version=self.version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )

    async def actions(
        self,
        start: tuple[int, int],
        end: tuple[int, int] | None = None,
        only: list[str] | None = None,
    ) -> list[types.CodeAction]:
        end = end or start
        result = await asyncio.wait_for(
            self.client.text_document_code_action_async(
                types.CodeActionParams(
                    text_document=types.TextDocumentIdentifier(uri=URI),
                    range=types.Range(types.Position(*start), types.Position(*end)),
                    context=types.CodeActionContext(diagnostics=[], only=only),
                )
            ),
            TIMEOUT,
        )
        return [action for action in result or () if isinstance(action, types.CodeAction)]


@contextlib.asynccontextmanager
async def _start(caps: types.ClientCapabilities) -> AsyncIterator[Session]:
    async with start_server(caps, timeout=TIMEOUT) as (client, result):
        yield Session(client, negotiated_encoding(result))


def _width(char: str, encoding: str) -> int:
    if encoding == "utf-32":
        return 1
    if encoding == "utf-16":
        return 2 if ord(char) > 0xFFFF else 1
    return len(char.encode("utf-8"))


def _offset(text: str, position: types.Position, encoding: str) -> int:
    lines = text.splitlines(keepends=True) + [""]
    offset = sum(len(line) for line in lines[: position.line])
    units = 0
    for index, char in enumerate(lines[position.line]):
        if units >= position.character:
            return offset + index
        units += _width(char, encoding)
    return offset + len(lines[position.line])


def _apply(text: str, edits: list[types.TextEdit], encoding: str = "utf-16") -> str:
    spans = sorted(
        (
            _offset(text, e.range.start, encoding),
            _offset(text, e.range.end, encoding),
            e.new_text,
        )
        for e in edits
    )
    for start, end, new in reversed(spans):
        text = text[:start] + new + text[end:]
    return text


def _engine(text: str, line: int, column: int) -> str:
    module = grammar_for(running_version()).parse(text)
    statement = find_expandable(text, module, (line + 1, column))
    assert statement is not None
    return apply_edits(text, expand(text, module, statement))


async def test_eager_actions_carry_a_versioned_edit() -> None:
    async with _start(_caps(resolve=False, document_changes=True)) as session:
        session.open(SOURCE)
        (action,) = await session.actions((3, 10))
        assert action.title == "Inline expansion of 'async for'"
        assert action.kind == types.CodeActionKind.RefactorInline
        assert action.edit is not None and action.edit.document_changes is not None
        (change,) = action.edit.document_changes
        assert isinstance(change, types.TextDocumentEdit)
        assert change.text_document.uri == URI and change.text_document.version == 1
        assert _apply(SOURCE, list(change.edits)) == _engine(SOURCE, 3, 10)

        (action,) = await session.actions((5, 4), (7, 0))
        assert action.title == "Inline expansion of 'async with'"


async def test_without_document_changes_the_edit_uses_changes() -> None:
    async with _start(_caps(resolve=False, document_changes=False)) as session:
        session.open(SOURCE)
        (action,) = await session.actions((5, 20))
        assert action.edit is not None and action.edit.changes is not None
        assert _apply(SOURCE, list(action.edit.changes[URI])) == _engine(SOURCE, 5, 20)


async def test_actions_are_offered_only_on_headers_and_for_refactor_kinds() -> None:
    async with _start(_caps(resolve=False, document_changes=True)) as session:
        session.open(SOURCE)
        assert await session.actions((4, 10)) == []  # the body
        assert await session.actions((2, 15)) == []  # "async_for", a name
        assert await session.actions((3, 10), only=[types.CodeActionKind.QuickFix]) == []
        assert len(await session.actions((3, 10), only=[types.CodeActionKind.Refactor])) == 1


async def test_resolve_computes_the_edit_and_refuses_an_outdated_version() -> None:
    async with _start(_caps(resolve=True, document_changes=True)) as session:
        session.open(SOURCE)
        (action,) = await session.actions((5, 6))
        assert action.edit is None and action.data is not None
        resolved = await asyncio.wait_for(
            session.client.code_action_resolve_async(action), TIMEOUT
        )
        assert resolved.edit is not None and resolved.edit.document_changes is not None
        (change,) = resolved.edit.document_changes
        assert isinstance(change, types.TextDocumentEdit)
        assert _apply(SOURCE, list(change.edits)) == _engine(SOURCE, 5, 6)

        session.replace_all(SOURCE + "\n")
        with pytest.raises(JsonRpcException) as raised:
            await asyncio.wait_for(session.client.code_action_resolve_async(action), TIMEOUT)
        assert raised.value.code == JsonRpcContentModified.CODE


async def test_real_client_profiles_get_the_expansion(editor: Editor) -> None:
    session = Session(editor.client, editor.encoding)
    session.open(SOURCE)
    (action,) = await session.actions((3, 4))
    if action.edit is None:
        action = await asyncio.wait_for(session.client.code_action_resolve_async(action), TIMEOUT)
    assert action.edit is not None
    if action.edit.document_changes:
        (change,) = action.edit.document_changes
        assert isinstance(change, types.TextDocumentEdit)
        edits = list(change.edits)
    else:
        assert action.edit.changes is not None
        edits = list(action.edit.changes[URI])
    expected = _engine(SOURCE, 3, 4)
    assert _apply(SOURCE, edits, session.encoding) == expected  # type: ignore[arg-type]


async def test_the_expansion_comes_beside_the_quick_fixes() -> None:
    """One codeAction handler serves both features: a misplaced statement gets both kinds."""
    misplaced = "def main(source):\n    async for item in source:\n        print(item)\n"
    async with _start(_caps(resolve=False, document_changes=True)) as session:
        session.open(misplaced)
        actions = await session.actions((1, 6))
        kinds = {action.kind for action in actions}
        assert types.CodeActionKind.RefactorInline in kinds
        assert types.CodeActionKind.QuickFix in kinds
        only_refactor = await session.actions((1, 6), only=[types.CodeActionKind.Refactor])
        assert [action.kind for action in only_refactor] == [types.CodeActionKind.RefactorInline]
