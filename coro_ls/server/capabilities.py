"""What the client can do, resolved once at ``initialize`` into plain values features can read."""

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
    related_information: bool = False
    diagnostic_data: bool = False
    """``Diagnostic.data`` comes back in code action requests."""
    code_action_literals: bool = False
    code_action_data: bool = False
    code_action_resolve_edit: bool = False
    """``codeAction/resolve`` may fill in ``edit`` lazily (needs ``data`` support too)."""
    document_changes: bool = False
    """``WorkspaceEdit.documentChanges`` (versioned edits) is understood."""
    hover_markdown: bool = False
    workspace_configuration: bool = False
    configuration_dynamic_registration: bool = False
    work_done_progress: bool = False
    show_document: bool = False
    notebooks: bool = False

    @classmethod
    def resolve(cls, caps: types.ClientCapabilities, position_encoding: object) -> ClientSupport:
        def has(path: str) -> bool:
            return bool(get_capability(caps, path, None))

        resolve_properties = get_capability(
            caps, "text_document.code_action.resolve_support.properties", ()
        )
        hover_formats = get_capability(caps, "text_document.hover.content_format", ()) or ()
        return cls(
            position_encoding=normalize_encoding(position_encoding),
            pull_diagnostics=get_capability(caps, "text_document.diagnostic", None) is not None,
            diagnostic_refresh=has("workspace.diagnostics.refresh_support"),
            related_information=has("text_document.publish_diagnostics.related_information"),
            diagnostic_data=has("text_document.publish_diagnostics.data_support"),
            code_action_literals=has("text_document.code_action.code_action_literal_support"),
            code_action_data=has("text_document.code_action.data_support"),
            code_action_resolve_edit=has("text_document.code_action.data_support")
            and "edit" in (resolve_properties or ()),
            document_changes=has("workspace.workspace_edit.document_changes"),
            hover_markdown=types.MarkupKind.Markdown in hover_formats,
            workspace_configuration=has("workspace.configuration"),
            configuration_dynamic_registration=has(
                "workspace.did_change_configuration.dynamic_registration"
            ),
            work_done_progress=has("window.work_done_progress"),
            show_document=get_capability(caps, "window.show_document", None) is not None,
            notebooks=get_capability(caps, "notebook_document", None) is not None,
        )
