"""The language server: document sync, diagnostics (push or pull), and the feature plug-in point.

Handlers stay thin: documents live in :mod:`coro_ls.server.documents`, positions in
:mod:`~coro_ls.server.positions`, the LSP shape of findings in :mod:`~coro_ls.server.diagnostics`.
Feature modules (``coro_ls/server/features/*.py``) each expose ``register(server)``.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInternalError
from pygls.lsp.server import LanguageServer

from coro_ls import __version__
from coro_ls.server import diagnostics
from coro_ls.server.capabilities import ClientSupport
from coro_ls.server.documents import Document, DocumentStore, UnappliableEdit
from coro_ls.server.fanout import Actions, CodeActionProvider, FanOut, Hover, Resolve
from coro_ls.server.protocol import CoroProtocol

logger = logging.getLogger(__name__)

NAME = "coro-ls"
InitializeHook = Callable[[types.InitializeParams], None]
InitializedHook = Callable[[], Awaitable[None] | None]
PrepareHook = Callable[[Document], None]
DiagnosticsHook = Callable[[Document, list[types.Diagnostic]], list[types.Diagnostic]]


class CoroLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            NAME,
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=CoroProtocol,
        )
        self.documents = DocumentStore()
        self.client = ClientSupport()
        """The client's capabilities, resolved at ``initialize``."""
        self._initialize_hooks: list[InitializeHook] = []
        self._initialized_hooks: list[InitializedHook] = []
        self._prepare_hooks: list[PrepareHook] = []
        self._diagnostics_hooks: list[DiagnosticsHook] = []
        self.fanout = FanOut()
        self._pending: set[str] = set()
        self.settled = asyncio.Event()
        """Set once the ``initialized`` hooks (the editor's settings among them) have run."""

    # --- plug-in points for feature modules -------------------------------------------------

    def on_initialize(self, hook: InitializeHook) -> InitializeHook:
        """Run ``hook(params)`` during ``initialize``, after :attr:`client` is resolved and
        before the capabilities are computed (features registered there are advertised)."""
        self._initialize_hooks.append(hook)
        return hook

    def on_initialized(self, hook: InitializedHook) -> InitializedHook:
        """Run ``hook()`` (may be async) on ``initialized``: requests to the client are allowed."""
        self._initialized_hooks.append(hook)
        return hook

    def before_check(self, hook: PrepareHook) -> PrepareHook:
        """Run ``hook(document)`` before a document's findings are asked for diagnostics
        (it may change the document's options, e.g. from settings)."""
        self._prepare_hooks.append(hook)
        return hook

    def on_diagnostics(self, hook: DiagnosticsHook) -> DiagnosticsHook:
        """Pass a document's diagnostics through ``hook(document, diagnostics)`` (filtering,
        severities) before they are published or returned to a pull."""
        self._diagnostics_hooks.append(hook)
        return hook

    def provide_code_actions(
        self, kind: str, actions: Actions, resolve: Resolve | None = None, tag: str | None = None
    ) -> None:
        """Answer ``textDocument/codeAction`` with ``actions(server, document, params)`` when
        ``context.only`` admits ``kind``; with ``resolve``, the actions whose ``data`` carries
        ``{"tag": tag}`` are completed by ``resolve(server, action)`` on ``codeAction/resolve``
        (advertised to clients that resolve ``edit``)."""
        self.fanout.add_code_actions(CodeActionProvider(kind, actions, resolve, tag))

    def provide_hover(self, hover: Hover) -> Hover:
        """Answer ``textDocument/hover`` with ``hover(server, document, params)`` (the first
        provider with an answer wins)."""
        self.fanout.hover_providers.append(hover)
        return hover

    # --- diagnostics ------------------------------------------------------------------------

    def diagnostics(self, document: Document) -> list[types.Diagnostic]:
        for prepare in self._prepare_hooks:
            prepare(document)
        items = diagnostics.to_diagnostics(
            document.findings(), document.uri, document.lines, self.client.position_encoding
        )
        for hook in self._diagnostics_hooks:
            items = hook(document, items)
        return items

    def publish_soon(self, uri: str) -> None:
        """Publish the document's diagnostics once the messages already handled are done.

        Not a timer: the callback runs on the next turn of the event loop, so the newest
        version is checked once however many ``didChange`` were handled in this turn.
        """
        if self.client.pull_diagnostics or uri in self._pending:
            return
        self._pending.add(uri)
        asyncio.get_running_loop().call_soon(self._publish_pending, uri)

    def _publish_pending(self, uri: str) -> None:
        self._pending.discard(uri)
        document = self.documents.get(uri)
        if document is not None:  # closed meanwhile: the close already cleared it
            self.publish(document)

    def publish(self, document: Document) -> None:
        if document.broken:
            return
        try:
            items = self.diagnostics(document)
        except Exception:
            # A partial list would show some errors and hide others: publish none.
            logger.exception("checking %s v%s failed", document.uri, document.version)
            return
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=document.uri, version=document.version, diagnostics=items
            )
        )

    def lost_text(self, uri: str) -> None:
        """An edit could not be applied: the document keeps its last good text, shows no
        diagnostics until it is opened again, and the user is told why."""
        self.clear(uri)
        self.window_show_message(
            types.ShowMessageParams(
                type=types.MessageType.Warning,
                message=(
                    f"coro-ls lost track of {uri}: an edit did not fit the text it had. "
                    "Diagnostics for this file are paused; close and reopen it to resume."
                ),
            )
        )

    def clear(self, uri: str) -> None:
        if not self.client.pull_diagnostics:
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
            )

    async def refresh_diagnostics(self) -> None:
        """After a change of options: re-push every document, or ask a pulling client to pull."""
        if not self.client.pull_diagnostics:
            for document in self.documents:
                self.publish_soon(document.uri)
        elif self.client.diagnostic_refresh:
            await self.workspace_diagnostic_refresh_async(None)

    # --- errors -----------------------------------------------------------------------------

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Log only: a notification handler failing on every keystroke must not pop up a
        message each time, and requests already answer with a JSON-RPC error."""
        trace = ""
        if isinstance(error, JsonRpcInternalError) and isinstance(error.data, dict):
            trace = "".join(error.data.get("traceback", ()))
        logger.error("%s: %s\n%s", getattr(source, "__name__", source), error, trace)


def register_core(server: CoroLanguageServer) -> None:
    """Lifecycle, document sync and diagnostics."""

    @server.feature(types.INITIALIZE)
    def initialize(ls: CoroLanguageServer, params: types.InitializeParams) -> None:
        ls.client = ClientSupport.resolve(params.capabilities, ls.workspace.position_encoding)
        logger.info("client %s: %s", params.client_info, ls.client)
        if (
            ls.client.pull_diagnostics
            and types.TEXT_DOCUMENT_DIAGNOSTIC not in ls.protocol.fm.features
        ):
            options = types.DiagnosticOptions(
                identifier=NAME, inter_file_dependencies=False, workspace_diagnostics=False
            )
            ls.feature(types.TEXT_DOCUMENT_DIAGNOSTIC, options)(document_diagnostic)
        for hook in ls._initialize_hooks:
            hook(params)
        ls.fanout.install(ls)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: CoroLanguageServer, params: types.InitializedParams) -> None:
        for hook in ls._initialized_hooks:
            result = hook()
            if inspect.isawaitable(result):
                await result
        ls.settled.set()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: CoroLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        ls.documents.open(item.uri, item.text, item.version)
        ls.publish_soon(item.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: CoroLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        uri, version = params.text_document.uri, params.text_document.version
        encoding = ls.client.position_encoding
        try:
            changed = ls.documents.change(uri, version, params.content_changes, encoding)
        except UnappliableEdit:
            ls.lost_text(uri)
            return
        if changed is not None:
            ls.publish_soon(uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: CoroLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.documents.close(params.text_document.uri)
        ls.clear(params.text_document.uri)


# How long a pull waits for the editor's settings before answering with the others.
SETTLE_TIMEOUT = 10.0


async def document_diagnostic(
    ls: CoroLanguageServer, params: types.DocumentDiagnosticParams
) -> types.FullDocumentDiagnosticReport | types.UnchangedDocumentDiagnosticReport:
    # A pull answered before the editor's settings arrive would stay wrong in a client that
    # cannot be asked to pull again (Neovim 0.11: no workspace/diagnostic/refresh).
    try:
        await asyncio.wait_for(ls.settled.wait(), SETTLE_TIMEOUT)
    except asyncio.TimeoutError:
        logger.warning("answering a diagnostic pull before the editor's settings are known")
    document = ls.documents.get(params.text_document.uri)
    if document is None or document.broken:
        return types.FullDocumentDiagnosticReport(items=[])
    result_id = str(document.revision)
    if params.previous_result_id == result_id:
        return types.UnchangedDocumentDiagnosticReport(result_id=result_id)
    return types.FullDocumentDiagnosticReport(items=ls.diagnostics(document), result_id=result_id)


def create_server() -> CoroLanguageServer:
    from coro_ls.server import features

    server = CoroLanguageServer()
    register_core(server)
    features.register_all(server)
    return server
