"""Fixtures shared by the whole suite.

Shared modules (``oracle``, ``corpus``, ``lsp_support``, ``edit_strategies``) are found
through ``pythonpath`` in pyproject's pytest options, the wire client ``lsp_wire`` at the
repository root likewise.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from lsp_support import CLIENTS, Editor, profile, session


@pytest.fixture(params=list(CLIENTS))
def client_name(request: pytest.FixtureRequest) -> str:
    """The name of an editor's pytest-lsp profile: VS Code, Neovim (0.9 and current), Emacs."""
    return request.param


@pytest.fixture
async def editor(client_name: str) -> AsyncIterator[Editor]:
    """A server over stdio initialized with the capabilities ``client_name`` records, as that
    editor starts it (``editor.result``: the server's answer to ``initialize``)."""
    async with session(profile(client_name), args=CLIENTS[client_name]) as (started, _):
        yield started
