"""``textDocument/hover``: the explanations of :mod:`coro_ls.editing.hover`.

Markdown or plain text, whichever the client lists first in ``hover.contentFormat``
(plain text when it lists neither).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.capabilities import get_capability

from coro_ls.editing import hover
from coro_ls.engine import rules
from coro_ls.server import positions
from coro_ls.server.analyses import analysis_of

if TYPE_CHECKING:
    from coro_ls.server.app import CoroLanguageServer


def preferred_format(capabilities: types.ClientCapabilities) -> types.MarkupKind:
    formats = get_capability(capabilities, "text_document.hover.content_format", None) or ()
    for kind in formats:
        if kind in (types.MarkupKind.Markdown, types.MarkupKind.PlainText):
            return types.MarkupKind(kind)
    return types.MarkupKind.PlainText


def register(server: CoroLanguageServer) -> None:
    chosen = {"format": types.MarkupKind.PlainText}

    @server.on_initialize
    def choose_format(params: types.InitializeParams) -> None:
        chosen["format"] = preferred_format(params.capabilities)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: CoroLanguageServer, params: types.HoverParams) -> types.Hover | None:
        document = ls.documents.get(params.text_document.uri)
        if document is None:
            return None
        encoding = ls.client.position_encoding
        position, _ = positions.from_lsp(document.lines, params.position, encoding)
        kind = chosen["format"]
        analysis = analysis_of(document)
        found = hover.hover_at(
            document.text,
            document.module,
            analysis,
            position,
            document.findings(),
            markdown=kind == types.MarkupKind.Markdown,
            engine_findings=rules.run(analysis),
        )
        if found is None:
            return None
        return types.Hover(
            contents=types.MarkupContent(kind=kind, value=found.text),
            range=positions.range_to_lsp(document.lines, found.start, found.end, encoding),
        )
