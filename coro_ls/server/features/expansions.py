"""Code actions ``refactor.inline``: the inline expansion of ``async for`` / ``async with``.

Offered when the request's range lies on a statement's header or covers the statement,
whatever the diagnostics.  With ``codeAction/resolve`` support for ``edit``, the edit is
computed on resolve (and a resolve for an outdated version answers ``ContentModified``);
otherwise it comes with the action.  Both look only at the block holding the request's start
(the engine's tree of it), plus a text search for the module-wide facts the import needs.

Answered through the server's one ``textDocument/codeAction`` handler and its resolve
(:mod:`coro_ls.server.fanout`), which hands this feature the actions tagged :data:`TAG`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcContentModified

from coro_ls.editing.edits import Edit
from coro_ls.editing.excerpts import Excerpt
from coro_ls.editing.expansions import Statement, expand_in, find_expandable_in
from coro_ls.engine.findings import Position
from coro_ls.server import positions

if TYPE_CHECKING:
    from coro_ls.server.app import CoroLanguageServer
    from coro_ls.server.documents import Document

logger = logging.getLogger(__name__)

KIND = types.CodeActionKind.RefactorInline
TAG = "coro-ls/expansion"
"""Marks the ``data`` of this feature's actions, for the shared resolve handler."""


def register(server: CoroLanguageServer) -> None:
    server.provide_code_actions(KIND, code_actions, resolve=resolve_action, tag=TAG)


def code_actions(
    server: CoroLanguageServer, document: Document, params: types.CodeActionParams
) -> list[types.CodeAction]:
    encoding = server.client.position_encoding
    start, _ = positions.from_lsp(document.lines, params.range.start, encoding)
    end, _ = positions.from_lsp(document.lines, params.range.end, encoding)
    if end < start:
        start, end = end, start
    excerpt, _ = document.excerpt_at(start[0])
    statement = find_expandable_in(excerpt, excerpt.to_tree(start), excerpt.to_tree(end))
    if statement is None:
        return []
    action = types.CodeAction(title=statement.title, kind=KIND)
    if server.client.code_action_resolve_edit:
        action.data = {
            "tag": TAG,
            "uri": document.uri,
            "version": document.version,
            "kind": statement.kind,
            "start": list(excerpt.to_document(statement.start)),
        }
    else:
        action.edit = workspace_edit(server, document, excerpt, statement)
    return [action]


def resolve_action(server: CoroLanguageServer, action: types.CodeAction) -> types.CodeAction:
    data: dict[str, Any] = action.data if isinstance(action.data, dict) else {}
    document = server.documents.get(data["uri"])
    if document is None or document.version != data["version"]:
        raise JsonRpcContentModified(f"{data['uri']} changed since the action was offered")
    start: Position = (data["start"][0], data["start"][1])
    excerpt, _ = document.excerpt_at(start[0])
    at = excerpt.to_tree(start)
    statement = find_expandable_in(excerpt, at, at)
    if statement is None or statement.kind != data["kind"] or statement.start != at:
        raise JsonRpcContentModified("the statement is no longer there")
    action.edit = workspace_edit(server, document, excerpt, statement)
    return action


def workspace_edit(
    server: CoroLanguageServer, document: Document, excerpt: Excerpt, statement: Statement
) -> types.WorkspaceEdit:
    encoding = server.client.position_encoding
    edits = [
        types.TextEdit(
            range=positions.range_to_lsp(document.lines, *_placed(excerpt, edit), encoding),
            new_text=edit.new_text,
        )
        for edit in expand_in(excerpt, statement)
    ]
    if server.client.document_changes:
        return types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(
                        uri=document.uri, version=document.version
                    ),
                    edits=edits,  # type: ignore[arg-type]
                )
            ]
        )
    return types.WorkspaceEdit(changes={document.uri: edits})


def _placed(excerpt: Excerpt, edit: Edit) -> tuple[Position, Position]:
    return excerpt.to_document(edit.start), excerpt.to_document(edit.end)
