"""What the client can do, resolved once at ``initialize`` into plain values features can read.

The one place the client's capabilities are read: a feature that needs another one adds a
field here.
"""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types
from pygls.capabilities import get_capability

from coro_ls.server.positions import UTF16, normalize_encoding


@dataclass(frozen=True)
class ClientSupport:
    position_encoding: str = UTF16
    """The negotiated position encoding: ``"utf-8"``, ``"utf-16"`` or ``"utf-32"``."""
    pull_diagnostics: bool = False
    """``textDocument/diagnostic``: the client pulls, so the server never pushes."""
    diagnostic_refresh: bool = False
    """``workspace/diagnostic/refresh`` may be sent (pull mode, after a settings change)."""
    code_action_resolve_edit: bool = False
    """``codeAction/resolve`` may fill in ``edit`` lazily (needs ``data`` support too)."""
    document_changes: bool = False
    """``WorkspaceEdit.documentChanges`` (versioned edits) is understood."""
    hover_format: types.MarkupKind = types.MarkupKind.PlainText
    """Markdown or plain text, whichever ``hover.contentFormat`` lists first (plain text
    when it lists neither)."""
    workspace_configuration: bool = False
    """``workspace/configuration`` may be sent."""
    configuration_dynamic_registration: bool = False
    """``workspace/didChangeConfiguration`` may be registered for (with a section)."""
    watched_files_dynamic_registration: bool = False
    """``workspace/didChangeWatchedFiles`` may be registered for (a glob to watch)."""

    @classmethod
    def resolve(cls, caps: types.ClientCapabilities, position_encoding: object) -> ClientSupport:
        def has(path: str) -> bool:
            return bool(get_capability(caps, path, None))

        resolve_properties = get_capability(
            caps, "text_document.code_action.resolve_support.properties", ()
        )
        return cls(
            position_encoding=normalize_encoding(position_encoding),
            pull_diagnostics=get_capability(caps, "text_document.diagnostic", None) is not None,
            diagnostic_refresh=has("workspace.diagnostics.refresh_support"),
            code_action_resolve_edit=has("text_document.code_action.data_support")
            and "edit" in (resolve_properties or ()),
            document_changes=has("workspace.workspace_edit.document_changes"),
            hover_format=_hover_format(caps),
            workspace_configuration=has("workspace.configuration"),
            configuration_dynamic_registration=has(
                "workspace.did_change_configuration.dynamic_registration"
            ),
            watched_files_dynamic_registration=has(
                "workspace.did_change_watched_files.dynamic_registration"
            ),
        )


def _hover_format(caps: types.ClientCapabilities) -> types.MarkupKind:
    for kind in get_capability(caps, "text_document.hover.content_format", None) or ():
        if kind in (types.MarkupKind.Markdown, types.MarkupKind.PlainText):
            return types.MarkupKind(kind)
    return types.MarkupKind.PlainText
