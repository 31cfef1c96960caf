"""Feature modules: every ``coro_ls/server/features/<name>.py`` exposes ``register(server)``.

They are found here by name (in alphabetical order), so adding a feature is adding its file.
``register`` may add handlers with ``@server.feature(...)`` / ``@server.command(...)``, hooks
with ``server.on_initialize(...)`` / ``server.on_initialized(...)``, and answers to the requests
several features share with ``server.provide_code_actions(...)`` / ``server.provide_hover(...)``
(the server owns those handlers: :mod:`coro_ls.server.fanout`); it reads the
client's resolved capabilities from ``server.client`` (after initialize) and the open
documents from ``server.documents`` (never from pygls' ``server.workspace``, which does not
hold coro-ls' documents).
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coro_ls.server.app import CoroLanguageServer


def names() -> list[str]:
    return sorted(info.name for info in pkgutil.iter_modules(__path__) if not info.ispkg)


def register_all(server: CoroLanguageServer) -> None:
    for name in names():
        module = importlib.import_module(f"{__name__}.{name}")
        module.register(server)
