"""Settings in the server: where they come from, and what they do to each document.

Sources, highest first (see :mod:`coro_ls.config.settings`): the editor's settings (section
``coroLs``, pulled with ``workspace/configuration`` at ``initialized`` and again on each
``workspace/didChangeConfiguration``; pushed in that notification's ``settings`` by clients
that cannot be asked), ``initializationOptions``, ``[tool.coro-ls]`` of the document's nearest
``pyproject.toml``, its ``requires-python``, the running interpreter.  A change of any of them
(an edited ``pyproject.toml`` arrives as ``workspace/didChangeWatchedFiles``) re-checks every
open document and re-publishes, or asks a pulling client to pull again.  Invalid values are
shown once with ``window/showMessage`` and the next source is used.

Per document: the target version and the top-level-await mode (on in notebook cells and in
files with the ``# coro-ls: top-level-await`` marker when ``auto``) before checking; then
``select``/``ignore``, ``per-file-ignores``, ``# noqa`` and ``severity`` on the diagnostics.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.uris import to_fs_path

from coro_ls.config import pyproject, suppression
from coro_ls.config.resolver import Resolved, SettingsResolver
from coro_ls.config.settings import Layer, SettingWarning, parse_layer
from coro_ls.server.features import notebooks

if TYPE_CHECKING:
    from coro_ls.server.app import CoroLanguageServer
    from coro_ls.server.documents import Document

logger = logging.getLogger(__name__)

SECTION = "coroLs"
PYPROJECT_GLOB = "**/pyproject.toml"
SEVERITIES = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}
# Cells sent as plain text documents by clients without notebook sync.
CELL_SCHEMES = ("vscode-notebook-cell:",)


class SettingsFeature:
    """The settings layers the server holds, and what they do to each document."""

    def __init__(self, server: CoroLanguageServer) -> None:
        self.server = server
        self.editor = Layer()
        self.initialization = Layer()
        self.initialized = False
        self.queued: list[str] = []
        """Warnings waiting for ``initialized`` (nothing is shown during ``initialize``)."""
        self.shown: dict[str, frozenset[str]] = {}
        """Per source, the warnings last shown: each is shown again only after it went away."""
        self.per_document: dict[str, Resolved] = {}
        self.resolver = SettingsResolver(self.warn)

    def register(self) -> None:
        server = self.server
        server.on_initialize(self.read_initialization_options)
        server.on_initialized(self.start)
        server.before_check(self.prepare)
        server.on_diagnostics(self.shown_diagnostics)

        @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
        async def did_change_configuration(
            ls: CoroLanguageServer, params: types.DidChangeConfigurationParams
        ) -> None:
            if ls.client.workspace_configuration:
                await self.pull_editor_settings()
            elif isinstance(params.settings, dict) and SECTION in params.settings:
                self.set_editor_settings(params.settings[SECTION])
            await self.refresh()

        @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
        async def did_change_watched_files(
            ls: CoroLanguageServer, params: types.DidChangeWatchedFilesParams
        ) -> None:
            if any(change.uri.endswith("/" + pyproject.FILENAME) for change in params.changes):
                await self.refresh()

    # --- warnings ---------------------------------------------------------------------------

    def warn(self, source: str, warnings: Sequence[SettingWarning]) -> None:
        messages = frozenset(w.message for w in warnings)
        new = sorted(messages - self.shown.get(source, frozenset()))
        self.shown[source] = messages
        for message in new:
            logger.warning("%s", message)
            if self.initialized:
                self._show(message)
            else:
                self.queued.append(message)

    def _show(self, message: str) -> None:
        self.server.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Warning, message=message)
        )

    # --- per document -----------------------------------------------------------------------

    def document_path(self, uri: str) -> str | None:
        """Where a document is, for finding its pyproject (a cell: its notebook)."""
        uri = notebooks.notebook_of(self.server, uri) or uri
        path = to_fs_path(uri) if uri.startswith("file:") else None
        if path is None:
            workspace = _has_workspace(self.server)
            root = getattr(self.server.workspace, "root_path", None) if workspace else None
            # An untitled buffer: the workspace's pyproject, if there is one.
            return os.path.join(root, "untitled.py") if root else None
        return path

    def resolve(self, document: Document) -> Resolved:
        layers = [self.editor, self.initialization]
        return self.resolver.resolve(self.document_path(document.uri), layers)

    def prepare(self, document: Document) -> None:
        resolved = self.per_document[document.uri] = self.resolve(document)
        chosen = resolved.settings
        uri = document.uri
        cell = notebooks.is_cell(self.server, uri) or uri.startswith(CELL_SCHEMES)
        marked = not cell and suppression.has_marker(document.lines)
        document.set_options(
            target=chosen.target_version,
            top_level_await=chosen.top_level_await_for(notebook_cell=cell, marked=marked),
        )

    def shown_diagnostics(
        self, document: Document, items: list[types.Diagnostic]
    ) -> list[types.Diagnostic]:
        resolved = self.per_document.get(document.uri) or self.resolve(document)
        lines = document.lines
        kept = []
        for item in items:
            code = str(item.code)
            if not resolved.wants(code):
                continue
            line = item.range.start.line
            if line < len(lines) and suppression.silenced(lines[line], code):
                continue
            item.severity = SEVERITIES[resolved.settings.severity_of(code)]
            kept.append(item)
        return kept

    # --- the editor's layers ----------------------------------------------------------------

    def read_initialization_options(self, params: types.InitializeParams) -> None:
        self.initialization, warnings = parse_layer(
            params.initialization_options, "initializationOptions"
        )
        self.warn("initializationOptions", warnings)

    async def start(self) -> None:
        self.initialized = True
        for message in self.queued:
            self._show(message)
        self.queued.clear()
        await self.register_for_changes()
        if await self.pull_editor_settings():
            await self.refresh()

    async def register_for_changes(self) -> None:
        client = self.server.client
        registrations = []
        if client.configuration_dynamic_registration:
            registrations.append(
                types.Registration(
                    id="coro-ls-configuration",
                    method=types.WORKSPACE_DID_CHANGE_CONFIGURATION,
                    register_options=types.DidChangeConfigurationRegistrationOptions(
                        section=SECTION
                    ),
                )
            )
        if client.watched_files_dynamic_registration:
            registrations.append(
                types.Registration(
                    id="coro-ls-pyproject",
                    method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                    register_options=types.DidChangeWatchedFilesRegistrationOptions(
                        watchers=[types.FileSystemWatcher(glob_pattern=PYPROJECT_GLOB)]
                    ),
                )
            )
        if not registrations:
            return
        try:
            await self.server.client_register_capability_async(
                types.RegistrationParams(registrations=registrations)
            )
        except Exception:
            logger.exception("client/registerCapability failed; changes may go unnoticed")

    async def pull_editor_settings(self) -> bool:
        """Ask the editor for section ``coroLs``; whether the editor layer changed."""
        if not self.server.client.workspace_configuration:
            return False
        try:
            [value] = await self.server.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
            )
        except Exception:
            logger.exception("workspace/configuration failed; editor settings not read")
            return False
        return self.set_editor_settings(value)

    def set_editor_settings(self, value: Any) -> bool:
        layer, warnings = parse_layer(value, "the editor's settings (coroLs)")
        self.warn("editor", warnings)
        changed = layer != self.editor
        self.editor = layer
        return changed

    async def refresh(self) -> None:
        """Every open document again, with the settings as they are now."""
        self.per_document.clear()
        for document in self.server.documents:
            document.touch()
        await self.server.refresh_diagnostics()


def register(server: CoroLanguageServer) -> None:
    SettingsFeature(server).register()


def _has_workspace(server: CoroLanguageServer) -> bool:
    try:
        server.workspace  # noqa: B018 - raises before initialize
    except Exception:
        return False
    return True
