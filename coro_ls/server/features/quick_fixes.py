"""Code actions ``quickfix``: the fixes of :mod:`coro_ls.editing.fixes` for coro-ls diagnostics.

Offered for the coro-ls diagnostics the client sends in ``context.diagnostics`` and for any
coro-ls finding whose range touches the requested range.  Each action lists, in
``diagnostics``, every diagnostic it removes, exactly as they were published.

Answered through the server's one ``textDocument/codeAction`` handler
(:mod:`coro_ls.server.fanout`), before the other kinds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from coro_ls.editing import fixes
from coro_ls.engine.findings import Finding
from coro_ls.server import diagnostics, positions
from coro_ls.server.analyses import analysis_of

if TYPE_CHECKING:
    from coro_ls.server.app import CoroLanguageServer
    from coro_ls.server.documents import Document

KIND = types.CodeActionKind.QuickFix


def register(server: CoroLanguageServer) -> None:
    server.provide_code_actions(KIND, quick_fixes)


def quick_fixes(
    server: CoroLanguageServer, document: Document, params: types.CodeActionParams
) -> list[types.CodeAction]:
    findings = document.findings()
    if not findings:
        return []
    encoding = server.client.position_encoding
    asked = _asked(document, findings, params, encoding)
    if not asked:
        return []
    offered = fixes.quick_fixes(document.text, analysis_of(document), asked, all_findings=findings)
    return [_action(document, fix, server) for fix in offered]


def _asked(
    document: Document, findings: list[Finding], params: types.CodeActionParams, encoding: str
) -> list[Finding]:
    """The findings the request is about: those sent back as diagnostics, and those whose
    range touches the requested range."""
    lines = document.lines
    sent = {
        (str(d.code), d.message, _key(d.range))
        for d in params.context.diagnostics
        if d.source == diagnostics.SOURCE
    }
    requested = _key(params.range)
    asked = []
    for finding in findings:
        key = _key(positions.range_to_lsp(lines, finding.start, finding.end, encoding))
        touches = key[0] <= requested[1] and requested[0] <= key[1]
        if touches or (finding.code, finding.message, key) in sent:
            asked.append(finding)
    return asked


def _key(range_: types.Range) -> tuple[tuple[int, int], tuple[int, int]]:
    start, end = range_.start, range_.end
    return (start.line, start.character), (end.line, end.character)


def _action(document: Document, fix: fixes.Fix, server: CoroLanguageServer) -> types.CodeAction:
    encoding = server.client.position_encoding
    lines = document.lines
    edits = [
        types.TextEdit(
            range=positions.range_to_lsp(lines, edit.start, edit.end, encoding),
            new_text=edit.new_text,
        )
        for edit in fix.edits
    ]
    if server.client.document_changes:
        edit = types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(
                        uri=document.uri, version=document.version
                    ),
                    edits=edits,  # type: ignore[arg-type]
                )
            ]
        )
    else:
        edit = types.WorkspaceEdit(changes={document.uri: edits})
    return types.CodeAction(
        title=fix.title,
        kind=KIND,
        diagnostics=diagnostics.to_diagnostics(fix.fixes, document.uri, lines, encoding),
        is_preferred=fix.is_preferred or None,
        edit=edit,
    )
