"""The server's one codeAction, resolve and hover handlers: every feature's provider asked,
in order, through handlers registered at initialize (pygls' tables are never rewritten)."""

from __future__ import annotations

from lsprotocol import types

from coro_ls.server.app import CoroLanguageServer, create_server
from coro_ls.server.capabilities import ClientSupport
from coro_ls.server.documents import Document

URI = "file:///fanout.py"
KIND = "source.fanoutTest"


def installed(
    resolve_edit: bool, extra: bool = True
) -> tuple[CoroLanguageServer, list[types.CodeActionParams]]:
    server = create_server()
    asked: list[types.CodeActionParams] = []

    def actions(
        ls: CoroLanguageServer, document: Document, params: types.CodeActionParams
    ) -> list[types.CodeAction]:
        asked.append(params)
        return [types.CodeAction(title="ours", kind=KIND, data={"tag": "fanout-test"})]

    def resolve(ls: CoroLanguageServer, action: types.CodeAction) -> types.CodeAction:
        action.title = "resolved"
        return action

    if extra:
        server.provide_code_actions(KIND, actions, resolve=resolve, tag="fanout-test")
    server.client = ClientSupport(code_action_resolve_edit=resolve_edit)
    server.fanout.install(server)  # what initialize does once the client is known
    server.documents.open(URI, "def f():\n    await x\n", 1)
    return server, asked


def ask(server: CoroLanguageServer, only: list[str] | None = None) -> list[types.CodeAction]:
    handler = server.protocol.fm.features[types.TEXT_DOCUMENT_CODE_ACTION]
    params = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=URI),
        range=types.Range(types.Position(1, 4), types.Position(1, 4)),
        context=types.CodeActionContext(diagnostics=[], only=only),
    )
    return list(handler(params) or ())


def test_every_provider_answers_quick_fixes_first_and_only_filters_by_kind() -> None:
    server, asked = installed(resolve_edit=True)
    options = server.protocol.fm.feature_options[types.TEXT_DOCUMENT_CODE_ACTION]
    assert options.code_action_kinds == ["quickfix", "refactor.inline", KIND]
    assert options.resolve_provider is True
    titles = [action.title for action in ask(server)]
    assert titles[-1] == "ours" and len(titles) > 1  # the quick fix: make f async
    assert all(action.kind == "quickfix" for action in ask(server)[:-1])
    assert [action.title for action in ask(server, only=["source"])] == ["ours"]
    assert ask(server, only=["quickfix"]) and len(asked) == 3  # not asked for quickfix only


def test_resolve_goes_to_the_provider_named_by_the_tag() -> None:
    server, _ = installed(resolve_edit=True)
    resolve = server.protocol.fm.features[types.CODE_ACTION_RESOLVE]
    ours = types.CodeAction(title="ours", data={"tag": "fanout-test"})
    assert resolve(ours).title == "resolved"
    stranger = types.CodeAction(title="stranger", data={"tag": "someone-else"})
    assert resolve(stranger).title == "stranger"


def test_no_resolve_for_a_client_that_cannot_resolve_edits() -> None:
    server, _ = installed(resolve_edit=False)
    options = server.protocol.fm.feature_options[types.TEXT_DOCUMENT_CODE_ACTION]
    assert options.resolve_provider is False
    assert types.CODE_ACTION_RESOLVE not in server.protocol.fm.features


def test_an_unknown_document_gets_no_actions_and_no_hover() -> None:
    server, asked = installed(resolve_edit=False)
    handler = server.protocol.fm.features[types.TEXT_DOCUMENT_CODE_ACTION]
    params = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri="file:///unknown.py"),
        range=types.Range(types.Position(0, 0), types.Position(0, 0)),
        context=types.CodeActionContext(diagnostics=[]),
    )
    assert handler(params) is None and asked == []
    hover = server.protocol.fm.features[types.TEXT_DOCUMENT_HOVER]
    unknown = types.TextDocumentIdentifier("file:///unknown.py")
    assert hover(types.HoverParams(unknown, types.Position(0, 0))) is None
    # The hover feature answers through the same handler for a document the server holds.
    known = types.HoverParams(types.TextDocumentIdentifier(URI), types.Position(1, 5))
    found = hover(known)
    assert found is not None and "await" in found.contents.value
