"""``textDocument/hover``: the explanations of :mod:`coro_ls.editing.hover`.

In the format the client prefers (:attr:`ClientSupport.hover_format
<coro_ls.server.capabilities.ClientSupport.hover_format>`).  Computed on the block holding the
position, from the engine's tree of it and its cached analysis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from coro_ls.editing import hover
from coro_ls.server import positions

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
    excerpt, view = document.excerpt_at(position[0])
    found = hover.hover_at(
        excerpt,
        None,
        view.analysis(),
        excerpt.to_tree(position),
        view.findings(),
        markdown=kind == types.MarkupKind.Markdown,
    )
    if found is None:
        return None
    start, end = excerpt.to_document(found.start), excerpt.to_document(found.end)
    return types.Hover(
        contents=types.MarkupContent(kind=kind, value=found.text),
        range=positions.range_to_lsp(document.lines, start, end, encoding),
    )
