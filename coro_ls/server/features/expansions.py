"""Code actions ``refactor.inline``: the inline expansion of ``async for`` / ``async with``.

Offered when the request's range lies on a statement's header or covers the statement,
whatever the diagnostics.  With ``codeAction/resolve`` support for ``edit``, the edit is
computed on resolve (and a resolve for an outdated version answers ``ContentModified``);
otherwise it comes with the action.

Another feature may own ``textDocument/codeAction`` too (quick fixes): the handlers are
installed at ``initialize``, after every feature registered, and chain onto what is there.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcContentModified

from coro_ls.editing.expansions import Statement, expand, find_expandable
from coro_ls.server import positions

if TYPE_CHECKING:
    from coro_ls.server.app import CoroLanguageServer
    from coro_ls.server.documents import Document

logger = logging.getLogger(__name__)

KIND = types.CodeActionKind.RefactorInline
TAG = "coro-ls/expansion"
"""Marks the ``data`` of this feature's actions, for a shared resolve handler."""


def register(server: CoroLanguageServer) -> None:
    @server.on_initialize
    def install(params: types.InitializeParams) -> None:
        _install(server)


def _install(server: CoroLanguageServer) -> None:
    manager = server.protocol.fm
    features: dict[str, Callable[..., Any]] = manager._features  # type: ignore[attr-defined]
    options: dict[str, Any] = manager._feature_options  # type: ignore[attr-defined]
    lazy = server.client.code_action_resolve_edit

    previous_actions = features.get(types.TEXT_DOCUMENT_CODE_ACTION)

    async def code_action(params: types.CodeActionParams) -> list[Any] | None:
        found: list[Any] = []
        if previous_actions is not None:
            found.extend(await _call(previous_actions, params) or ())
        found.extend(code_actions(server, params))
        return found or None

    features[types.TEXT_DOCUMENT_CODE_ACTION] = code_action
    old = options.get(types.TEXT_DOCUMENT_CODE_ACTION)
    kinds = list(getattr(old, "code_action_kinds", None) or ())
    if previous_actions is not None and old is None:
        kinds = []  # the other feature offered every kind: say nothing narrower
    elif KIND not in kinds:
        kinds.append(KIND)
    options[types.TEXT_DOCUMENT_CODE_ACTION] = types.CodeActionOptions(
        code_action_kinds=kinds or None,
        resolve_provider=lazy or bool(getattr(old, "resolve_provider", False)),
    )

    if not lazy:
        return
    previous_resolve = features.get(types.CODE_ACTION_RESOLVE)

    async def resolve(action: types.CodeAction) -> types.CodeAction:
        if _is_ours(action):
            return resolve_action(server, action)
        if previous_resolve is not None:
            return await _call(previous_resolve, action)  # type: ignore[no-any-return]
        return action

    features[types.CODE_ACTION_RESOLVE] = resolve


async def _call(handler: Callable[..., Any], params: Any) -> Any:
    result = handler(params)
    if inspect.isawaitable(result):
        result = await result
    return result


def _is_ours(action: types.CodeAction) -> bool:
    return isinstance(action.data, dict) and action.data.get("tag") == TAG


def _wanted(only: Sequence[str] | None) -> bool:
    """``context.only`` asks for kinds by prefix: ``refactor`` includes ``refactor.inline``."""
    if not only:
        return True
    return any(kind in ("", KIND) or KIND.startswith(f"{kind}.") for kind in map(str, only))


def code_actions(server: CoroLanguageServer, params: types.CodeActionParams) -> list[Any]:
    document = server.documents.get(params.text_document.uri)
    if document is None or not _wanted(params.context.only):
        return []
    encoding = server.client.position_encoding
    start, _ = positions.from_lsp(document.lines, params.range.start, encoding)
    end, _ = positions.from_lsp(document.lines, params.range.end, encoding)
    if end < start:
        start, end = end, start
    statement = find_expandable(
        document.text, document.module, start, end, version=document.target
    )
    if statement is None:
        return []
    action = types.CodeAction(title=statement.title, kind=KIND)
    if server.client.code_action_resolve_edit:
        action.data = {
            "tag": TAG,
            "uri": document.uri,
            "version": document.version,
            "kind": statement.kind,
            "start": list(statement.start),
        }
    else:
        action.edit = workspace_edit(server, document, statement)
    return [action]


def resolve_action(server: CoroLanguageServer, action: types.CodeAction) -> types.CodeAction:
    data: dict[str, Any] = action.data if isinstance(action.data, dict) else {}
    document = server.documents.get(data["uri"])
    if document is None or document.version != data["version"]:
        raise JsonRpcContentModified(f"{data['uri']} changed since the action was offered")
    start = tuple(data["start"])
    statement = find_expandable(
        document.text, document.module, start, start, version=document.target
    )
    if statement is None or statement.kind != data["kind"] or statement.start != start:
        raise JsonRpcContentModified("the statement is no longer there")
    action.edit = workspace_edit(server, document, statement)
    return action


def workspace_edit(
    server: CoroLanguageServer, document: Document, statement: Statement
) -> types.WorkspaceEdit:
    encoding = server.client.position_encoding
    edits = [
        types.TextEdit(
            range=positions.range_to_lsp(document.lines, edit.start, edit.end, encoding),
            new_text=edit.new_text,
        )
        for edit in expand(document.text, document.module, statement, version=document.target)
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
