"""One handler per request that several features answer: code actions (and their resolve)
and hover.

Features contribute providers (:meth:`CoroLanguageServer.provide_code_actions`,
:meth:`~CoroLanguageServer.provide_hover`); the server owns the one pygls handler of each
method, looks the document up once and asks every provider, as esbonio's ``call_features``
and ruff's server do.  pygls allows one handler per method, so no feature registers these
methods itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lsprotocol import types

if TYPE_CHECKING:
    from coro_ls.server.app import CoroLanguageServer
    from coro_ls.server.documents import Document

logger = logging.getLogger(__name__)

Actions = Callable[
    ["CoroLanguageServer", "Document", types.CodeActionParams], list[types.CodeAction]
]
Resolve = Callable[["CoroLanguageServer", types.CodeAction], types.CodeAction]
Hover = Callable[["CoroLanguageServer", "Document", types.HoverParams], types.Hover | None]


@dataclass(frozen=True)
class CodeActionProvider:
    kind: str
    """The kind of every action offered; ``context.only`` is matched against it."""
    actions: Actions
    resolve: Resolve | None = None
    """Fills in, on ``codeAction/resolve``, a lazy action whose ``data`` carries :attr:`tag`."""
    tag: str | None = None


def wanted(only: Sequence[str] | None, kind: str) -> bool:
    """``context.only`` asks for kinds by prefix: ``refactor`` includes ``refactor.inline``."""
    if not only:
        return True
    return any(asked in ("", kind) or kind.startswith(f"{asked}.") for asked in map(str, only))


def tag_of(action: types.CodeAction) -> Any:
    return action.data.get("tag") if isinstance(action.data, dict) else None


class FanOut:
    def __init__(self) -> None:
        self.code_action_providers: list[CodeActionProvider] = []
        self.hover_providers: list[Hover] = []

    def add_code_actions(self, provider: CodeActionProvider) -> None:
        self.code_action_providers.append(provider)
        # Quick fixes first, as editors list them (stable for the rest).
        self.code_action_providers.sort(
            key=lambda p: p.kind != types.CodeActionKind.QuickFix.value
        )

    def install(self, server: CoroLanguageServer) -> None:
        """Register the handlers, at ``initialize`` when the client is known (pygls advertises
        what is registered by the end of ``initialize``)."""

        # Plain functions: pygls marks a handler with attributes, which a bound method refuses.
        def hover(ls: CoroLanguageServer, params: types.HoverParams) -> types.Hover | None:
            return self.hover(ls, params)

        def code_action(
            ls: CoroLanguageServer, params: types.CodeActionParams
        ) -> list[types.CodeAction] | None:
            return self.code_action(ls, params)

        def resolve(ls: CoroLanguageServer, action: types.CodeAction) -> types.CodeAction:
            return self.resolve(ls, action)

        if self.hover_providers:
            server.feature(types.TEXT_DOCUMENT_HOVER)(hover)
        if not self.code_action_providers:
            return
        lazy = server.client.code_action_resolve_edit and any(
            provider.resolve is not None for provider in self.code_action_providers
        )
        options = types.CodeActionOptions(
            code_action_kinds=[provider.kind for provider in self.code_action_providers],
            resolve_provider=lazy,
        )
        server.feature(types.TEXT_DOCUMENT_CODE_ACTION, options)(code_action)
        if lazy:
            server.feature(types.CODE_ACTION_RESOLVE)(resolve)

    def code_action(
        self, ls: CoroLanguageServer, params: types.CodeActionParams
    ) -> list[types.CodeAction] | None:
        document = ls.documents.get(params.text_document.uri)
        if document is None:
            return None
        found: list[types.CodeAction] = []
        for provider in self.code_action_providers:
            if wanted(params.context.only, provider.kind):
                found.extend(provider.actions(ls, document, params))
        return found or None

    def resolve(self, ls: CoroLanguageServer, action: types.CodeAction) -> types.CodeAction:
        tag = tag_of(action)
        for provider in self.code_action_providers:
            if provider.resolve is not None and tag is not None and provider.tag == tag:
                return provider.resolve(ls, action)
        return action

    def hover(self, ls: CoroLanguageServer, params: types.HoverParams) -> types.Hover | None:
        document = ls.documents.get(params.text_document.uri)
        if document is None:
            return None
        for provider in self.hover_providers:
            found = provider(ls, document, params)
            if found is not None:
                return found
        return None
