"""A stand-in for the user's main Python server (pyright, pylsp, ...) in the editor tests.

It reports one diagnostic per file (on ``import``) and offers one code action everywhere, so
a test sees whether coro-ls and another server share a buffer without hiding each other.
"""

from __future__ import annotations

from lsprotocol import types
from pygls.lsp.server import LanguageServer

SOURCE = "other-server"
MESSAGE = "the other server was here"
ACTION_TITLE = "Other server's action"

server = LanguageServer("other-server", "1")


def publish(ls: LanguageServer, uri: str) -> None:
    document = ls.workspace.get_text_document(uri)
    diagnostics = [
        types.Diagnostic(
            range=types.Range(types.Position(number, 0), types.Position(number, len("import"))),
            message=MESSAGE,
            source=SOURCE,
            severity=types.DiagnosticSeverity.Information,
        )
        for number, line in enumerate(document.lines)
        if line.startswith("import ")
    ]
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics)
    )


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: LanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    publish(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: LanguageServer, params: types.DidChangeTextDocumentParams) -> None:
    publish(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION)
def code_action(ls: LanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    return [types.CodeAction(title=ACTION_TITLE, kind=types.CodeActionKind.QuickFix)]


if __name__ == "__main__":
    server.start_io()
