"""LSP 3.17 notebook document sync: each Python code cell is a document of its own.

Cells arrive in ``notebookDocument/didOpen``/``didChange``/``didClose`` (never as
``textDocument/didOpen``); each code cell is opened in the server's document store under its
cell uri, so diagnostics are pushed per cell, or pulled per cell with
``textDocument/diagnostic`` like any document.  Cells are checked with top-level ``await``
allowed (IPython's autoawait) unless ``topLevelAwait`` is ``false``: see the settings feature.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Iterable
from typing import TYPE_CHECKING

from lsprotocol import types

from coro_ls.server import protocol

if TYPE_CHECKING:
    from coro_ls.server.app import CoroLanguageServer

logger = logging.getLogger(__name__)

PYTHON = "python"
SYNC = types.NotebookDocumentSyncOptions(
    notebook_selector=[
        types.NotebookDocumentFilterWithCells(
            notebook="*", cells=[types.NotebookCellLanguage(language=PYTHON)]
        )
    ],
    save=True,
)

# cell uri -> notebook uri, per server (features keep no state on the server object itself).
_cells: weakref.WeakKeyDictionary[object, dict[str, str]] = weakref.WeakKeyDictionary()


def cells(server: object) -> dict[str, str]:
    return _cells.setdefault(server, {})


def is_cell(server: object, uri: str) -> bool:
    return uri in cells(server)


def notebook_of(server: object, uri: str) -> str | None:
    return cells(server).get(uri)


def register(server: CoroLanguageServer) -> None:
    protocol.advertise_notebook_sync(server, SYNC)
    registry = cells(server)

    def open_cells(notebook: str, items: Iterable[types.TextDocumentItem], code: set[str]) -> None:
        for item in items:
            if item.uri in code and item.language_id.lower() == PYTHON:
                registry[item.uri] = notebook
                server.documents.open(item.uri, item.text, item.version)
                server.publish_soon(item.uri)

    def close_cells(uris: Iterable[str]) -> None:
        for uri in uris:
            if registry.pop(uri, None) is not None:
                server.documents.close(uri)
                server.clear(uri)

    def code_cells(items: Iterable[types.NotebookCell]) -> set[str]:
        return {cell.document for cell in items if cell.kind == types.NotebookCellKind.Code}

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    def did_open(ls: CoroLanguageServer, params: types.DidOpenNotebookDocumentParams) -> None:
        notebook = params.notebook_document
        open_cells(notebook.uri, params.cell_text_documents, code_cells(notebook.cells))

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def did_change(ls: CoroLanguageServer, params: types.DidChangeNotebookDocumentParams) -> None:
        notebook = params.notebook_document.uri
        changes = params.change.cells
        if changes is None:
            return
        structure = changes.structure
        if structure is not None:
            close_cells(cell.uri for cell in structure.did_close or ())
            added = code_cells(structure.array.cells or ())
            open_cells(notebook, structure.did_open or (), added)
        for cell in changes.data or ():
            # A cell turned into markdown is no longer checked; one turned into code is.
            if cell.kind != types.NotebookCellKind.Code:
                close_cells([cell.document])
            elif cell.document not in registry:
                text = _workspace_text(ls, cell.document)
                if text is not None:
                    item = types.TextDocumentItem(cell.document, PYTHON, 0, text)
                    open_cells(notebook, [item], {cell.document})
        for content in changes.text_content or ():
            uri = content.document.uri
            if uri not in registry:
                continue
            encoding = ls.client.position_encoding
            if ls.documents.change(uri, content.document.version, content.changes, encoding):
                ls.publish_soon(uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
    def did_save(ls: CoroLanguageServer, params: types.DidSaveNotebookDocumentParams) -> None:
        # Nothing changed in the text; a save may follow a settings file's edit, though.
        for uri, notebook in list(registry.items()):
            if notebook == params.notebook_document.uri:
                ls.publish_soon(uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def did_close(ls: CoroLanguageServer, params: types.DidCloseNotebookDocumentParams) -> None:
        close_cells(cell.uri for cell in params.cell_text_documents)
        notebook = params.notebook_document.uri
        close_cells([uri for uri, owner in registry.items() if owner == notebook])


def _workspace_text(server: CoroLanguageServer, uri: str) -> str | None:
    """A cell's text as pygls keeps it (pygls' own notebook sync stores every cell)."""
    try:
        return server.workspace.get_text_document(uri).source
    except Exception:
        logger.warning("cell %s: text unknown, not checked", uri)
        return None
