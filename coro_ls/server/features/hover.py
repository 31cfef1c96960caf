"""``textDocument/hover``: the explanations of :mod:`coro_ls.editing.hover`.

In the format the client prefers (:attr:`ClientSupport.hover_format
<coro_ls.server.capabilities.ClientSupport.hover_format>`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from coro_ls.editing import hover
from coro_ls.engine import rules
from coro_ls.server import positions
from coro_ls.server.analyses import analysis_of

if TYPE_CHECKING:
    from coro_ls.server.app import CoroLanguageServer
    from coro_ls.server.documents import Document


def register(server: CoroLanguageServer) -> None:
    server.provide_hover(explanation)


def explanation(
    ls: CoroLanguageServer, document: Document, params: types.HoverParams
) -> types.Hover | None:
    encoding = ls.client.position_encoding
    position, _ = positions.from_lsp(document.lines, params.position, encoding)
    kind = ls.client.hover_format
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
