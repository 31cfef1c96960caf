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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.uris import to_fs_path

from coro_ls.config import pyproject, suppression
from coro_ls.config.settings import (
    Layer,
    Settings,
    SettingWarning,
    ignored_by_path,
    merge,
    parse_layer,
)
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


@dataclass
class SettingsState:
    editor: Layer = field(default_factory=Layer)
    initialization: Layer = field(default_factory=Layer)
    initialized: bool = False
    queued: list[str] = field(default_factory=list)
    """Warnings waiting for ``initialized`` (nothing is shown during ``initialize``)."""
    shown: dict[str, frozenset[str]] = field(default_factory=dict)
    """Per source, the warnings last shown: each is shown again only after it went away."""
    per_document: dict[str, tuple[Settings, tuple[str, ...]]] = field(default_factory=dict)


def register(server: CoroLanguageServer) -> None:
    state = SettingsState()

    def warn(source: str, warnings: list[SettingWarning] | tuple[SettingWarning, ...]) -> None:
        messages = frozenset(w.message for w in warnings)
        new = sorted(messages - state.shown.get(source, frozenset()))
        state.shown[source] = messages
        for message in new:
            logger.warning("%s", message)
            if state.initialized:
                server.window_show_message(
                    types.ShowMessageParams(type=types.MessageType.Warning, message=message)
                )
            else:
                state.queued.append(message)

    def document_path(uri: str) -> str | None:
        """Where a document is, for finding its pyproject (a cell: its notebook)."""
        uri = notebooks.notebook_of(server, uri) or uri
        path = to_fs_path(uri) if uri.startswith("file:") else None
        if path is None:
            root = getattr(server.workspace, "root_path", None) if _has_workspace(server) else None
            # An untitled buffer: the workspace's pyproject, if there is one.
            return os.path.join(root, "untitled.py") if root else None
        return path

    def resolve(document: Document) -> tuple[Settings, tuple[str, ...]]:
        layers = [state.editor, state.initialization]
        path = document_path(document.uri)
        project = pyproject.for_file(path) if path else None
        if project is None:
            return merge(*layers), ()
        warn(str(project.path), project.warnings)
        chosen = merge(*layers, project.tool, project.requires_python)
        return chosen, ignored_by_path(chosen, project.relative(path)) if path else ()

    @server.before_check
    def prepare(document: Document) -> None:
        chosen, ignored = resolve(document)
        state.per_document[document.uri] = (chosen, ignored)
        cell = notebooks.is_cell(server, document.uri) or document.uri.startswith(CELL_SCHEMES)
        marked = not cell and suppression.has_marker(document.lines)
        document.set_options(
            target=chosen.target_version,
            top_level_await=chosen.top_level_await_for(notebook_cell=cell, marked=marked),
        )

    @server.on_diagnostics
    def shown(document: Document, items: list[types.Diagnostic]) -> list[types.Diagnostic]:
        chosen, ignored = state.per_document.get(document.uri) or resolve(document)
        lines = document.lines
        kept = []
        for item in items:
            code = str(item.code)
            if not chosen.wants(code) or code.startswith(ignored):
                continue
            line = item.range.start.line
            if line < len(lines) and suppression.silenced(lines[line], code):
                continue
            item.severity = SEVERITIES[chosen.severity_of(code)]
            kept.append(item)
        return kept

    @server.on_initialize
    def read_initialization_options(params: types.InitializeParams) -> None:
        state.initialization, warnings = parse_layer(
            params.initialization_options, "initializationOptions"
        )
        warn("initializationOptions", warnings)

    @server.on_initialized
    async def start() -> None:
        state.initialized = True
        for message in state.queued:
            server.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Warning, message=message)
            )
        state.queued.clear()
        await register_for_changes()
        if await pull_editor_settings():
            await refresh()

    async def register_for_changes() -> None:
        registrations = []
        if server.client.configuration_dynamic_registration:
            registrations.append(
                types.Registration(
                    id="coro-ls-configuration",
                    method=types.WORKSPACE_DID_CHANGE_CONFIGURATION,
                    register_options=types.DidChangeConfigurationRegistrationOptions(
                        section=SECTION
                    ),
                )
            )
        if server.client.watched_files_dynamic_registration:
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
            await server.client_register_capability_async(
                types.RegistrationParams(registrations=registrations)
            )
        except Exception:
            logger.exception("client/registerCapability failed; changes may go unnoticed")

    async def pull_editor_settings() -> bool:
        """Ask the editor for section ``coroLs``; whether the editor layer changed."""
        if not server.client.workspace_configuration:
            return False
        try:
            [value] = await server.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
            )
        except Exception:
            logger.exception("workspace/configuration failed; editor settings not read")
            return False
        return set_editor_settings(value)

    def set_editor_settings(value: Any) -> bool:
        layer, warnings = parse_layer(value, "the editor's settings (coroLs)")
        warn("editor", warnings)
        changed = layer != state.editor
        state.editor = layer
        return changed

    async def refresh() -> None:
        """Every open document again, with the settings as they are now."""
        state.per_document.clear()
        for document in server.documents:
            document.touch()
        await server.refresh_diagnostics()

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(
        ls: CoroLanguageServer, params: types.DidChangeConfigurationParams
    ) -> None:
        if ls.client.workspace_configuration:
            await pull_editor_settings()
        elif isinstance(params.settings, dict) and SECTION in params.settings:
            set_editor_settings(params.settings[SECTION])
        await refresh()

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def did_change_watched_files(
        ls: CoroLanguageServer, params: types.DidChangeWatchedFilesParams
    ) -> None:
        if any(change.uri.endswith("/" + pyproject.FILENAME) for change in params.changes):
            await refresh()


def _has_workspace(server: CoroLanguageServer) -> bool:
    try:
        server.workspace  # noqa: B018 - raises before initialize
    except Exception:
        return False
    return True
