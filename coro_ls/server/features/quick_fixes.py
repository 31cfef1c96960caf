"""Code actions ``quickfix``: the fixes of :mod:`coro_ls.editing.fixes` for coro-ls diagnostics.

Offered for the coro-ls diagnostics the client sends in ``context.diagnostics`` and for any
coro-ls finding whose range touches the requested range.  Each action lists, in
``diagnostics``, every diagnostic it removes, exactly as they were published.

Answered through the server's one ``textDocument/codeAction`` handler
(:mod:`coro_ls.server.fanout`), before the other kinds.  Only the blocks the range and those
diagnostics lie in are looked at, with their cached analyses; a fix is checked on its
function, or on its block, never on the whole file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from coro_ls.editing import fixes
from coro_ls.editing.edits import Edit
from coro_ls.editing.excerpts import Excerpt
from coro_ls.engine.block_views import BlockView
from coro_ls.engine.findings import Finding
from coro_ls.server import diagnostics, positions

if TYPE_CHECKING:
    from coro_ls.server.app import CoroLanguageServer
    from coro_ls.server.documents import Document

KIND = types.CodeActionKind.QuickFix


def register(server: CoroLanguageServer) -> None:
    server.provide_code_actions(KIND, quick_fixes)


def quick_fixes(
    server: CoroLanguageServer, document: Document, params: types.CodeActionParams
) -> list[types.CodeAction]:
    encoding = server.client.position_encoding
    sent = {
        (str(d.code), d.message, _key(d.range))
        for d in params.context.diagnostics
        if d.source == diagnostics.SOURCE
    }
    # LSP lines are 0-based, parso's 1-based; a range ending at column 0 of the next line
    # still touches a finding ending there.
    wanted_lines = {(params.range.start.line + 1, params.range.end.line + 1)}
    wanted_lines.update(
        (d.range.start.line + 1, d.range.end.line + 1)
        for d in params.context.diagnostics
        if d.source == diagnostics.SOURCE
    )
    seen: set[int] = set()
    actions: list[types.CodeAction] = []
    for first, last in sorted(wanted_lines):
        for view in document.views(first, last):
            if view.index in seen:
                continue
            seen.add(view.index)
            actions.extend(_block_fixes(server, document, view, params, sent, encoding))
    return actions


def _block_fixes(
    server: CoroLanguageServer,
    document: Document,
    view: BlockView,
    params: types.CodeActionParams,
    sent: set[tuple[str, str, tuple[tuple[int, int], tuple[int, int]]]],
    encoding: str,
) -> list[types.CodeAction]:
    paired = document.block_findings(view)
    if not paired:
        return []
    asked = _asked(document, paired, params, sent, encoding)
    if not asked:
        return []
    excerpt = document.excerpt(view)
    findings = [raw for raw, _ in paired]
    offered = fixes.quick_fixes(excerpt, view.analysis(), asked, all_findings=findings)
    published = dict(paired)
    return [_action(document, excerpt, fix, published, server) for fix in offered]


def _asked(
    document: Document,
    paired: list[tuple[Finding, Finding]],
    params: types.CodeActionParams,
    sent: set[tuple[str, str, tuple[tuple[int, int], tuple[int, int]]]],
    encoding: str,
) -> list[Finding]:
    """The findings of a block (tree coordinates) the request is about: those sent back as
    diagnostics, and those whose range touches the requested range."""
    lines = document.lines
    requested = _key(params.range)
    asked = []
    for raw, placed in paired:
        key = _key(positions.range_to_lsp(lines, placed.start, placed.end, encoding))
        touches = key[0] <= requested[1] and requested[0] <= key[1]
        if touches or (placed.code, placed.message, key) in sent:
            asked.append(raw)
    return asked


def _key(range_: types.Range) -> tuple[tuple[int, int], tuple[int, int]]:
    start, end = range_.start, range_.end
    return (start.line, start.character), (end.line, end.character)


def _action(
    document: Document,
    excerpt: Excerpt,
    fix: fixes.Fix,
    published: dict[Finding, Finding],
    server: CoroLanguageServer,
) -> types.CodeAction:
    encoding = server.client.position_encoding
    lines = document.lines
    edits = [
        types.TextEdit(
            range=positions.range_to_lsp(lines, *_placed(excerpt, edit), encoding),
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
    removed = [published.get(f) or f.shifted(excerpt.shift) for f in fix.fixes]
    return types.CodeAction(
        title=fix.title,
        kind=KIND,
        diagnostics=diagnostics.to_diagnostics(removed, document.uri, lines, encoding),
        is_preferred=fix.is_preferred or None,
        edit=edit,
    )


def _placed(excerpt: Excerpt, edit: Edit) -> tuple[tuple[int, int], tuple[int, int]]:
    return excerpt.to_document(edit.start), excerpt.to_document(edit.end)
