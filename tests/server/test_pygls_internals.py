"""The non-public parts of pygls coro-ls relies on: all present in the installed pygls, and
used nowhere but ``coro_ls/server/protocol.py``.

When pygls is upgraded and the first test fails, its message names what went missing; the
``pygls`` pin in ``pyproject.toml`` admits only the releases where it passes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pygls.protocol import JsonRPCProtocol, LanguageServerProtocol

from coro_ls.server import protocol
from coro_ls.server.protocol import PYGLS_INTERNALS, missing_pygls_internals

PACKAGE = Path(protocol.__file__).resolve().parent.parent


def test_the_installed_pygls_has_every_internal_coro_ls_uses() -> None:
    missing = missing_pygls_internals()
    assert not missing, "this pygls lacks what coro-ls relies on:\n" + "\n".join(missing)


def test_a_missing_attribute_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(JsonRPCProtocol, "_send_handler_result")
    assert missing_pygls_internals() == [
        "pygls JsonRPCProtocol._send_handler_result is missing "
        "(coro-ls expects the callback that answers a request)"
    ]


def test_a_renamed_built_in_handler_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    # Were pygls to rename its didChange, coro-ls' replacement would no longer take its place.
    monkeypatch.delattr(LanguageServerProtocol, "lsp_text_document__did_change")
    [message] = missing_pygls_internals()
    assert "LanguageServerProtocol.lsp_text_document__did_change is missing" in message


def test_an_internal_of_another_shape_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    def execute(self, msg_id, handler, callback, args=None, kwargs=None, context=None):  # type: ignore[no-untyped-def]
        raise AssertionError("not called")

    monkeypatch.setattr(JsonRPCProtocol, "_execute_handler", execute)
    [message] = missing_pygls_internals()
    assert message.startswith("pygls JsonRPCProtocol._execute_handler has changed")


def test_no_other_module_touches_them() -> None:
    names = "|".join(re.escape(name) for _, name, _ in PYGLS_INTERNALS)
    pattern = re.compile(rf"\.(?:{names})\b")
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "protocol.py" or path.parent.name != "server"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []
