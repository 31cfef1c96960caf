"""The server's handlers in-process: what is checked and published after a burst of changes."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types

from coro_ls.engine import checker as engine
from coro_ls.engine.incremental import IncrementalDocument
from coro_ls.server.app import CoroLanguageServer, create_server
from coro_ls.server.capabilities import ClientSupport

URI = "file:///burst.py"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> tuple[CoroLanguageServer, list, list]:
    server = create_server()
    server.client = ClientSupport(position_encoding="utf-16")
    published: list[types.PublishDiagnosticsParams] = []
    checked: list[str] = []
    monkeypatch.setattr(server, "text_document_publish_diagnostics", published.append)
    real = IncrementalDocument.findings

    def counting(self: IncrementalDocument) -> list:
        checked.append(self.text)
        return real(self)

    monkeypatch.setattr(IncrementalDocument, "findings", counting)
    return server, published, checked


def handler(server: CoroLanguageServer, method: str):
    return server.protocol.fm.features[method]


def insert(version: int, line: int, text: str) -> types.DidChangeTextDocumentParams:
    return types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=URI, version=version),
        content_changes=[
            types.TextDocumentContentChangePartial(
                range=types.Range(types.Position(line, 0), types.Position(line, 0)), text=text
            )
        ],
    )


async def test_changes_handled_in_one_turn_are_checked_once_for_the_newest_version(
    server: tuple[CoroLanguageServer, list, list],
) -> None:
    ls, published, checked = server
    handler(ls, types.TEXT_DOCUMENT_DID_OPEN)(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=URI, language_id="python", version=1, text="pass\n")
        )
    )
    for version in (2, 3, 4):
        handler(ls, types.TEXT_DOCUMENT_DID_CHANGE)(insert(version, 0, "await x\n"))
    assert published == []  # nothing is computed inside the handlers themselves
    await asyncio.sleep(0)  # one turn of the loop, no timer
    assert [(p.uri, p.version) for p in published] == [(URI, 4)]
    assert checked == ["await x\nawait x\nawait x\npass\n"]
    assert len(published[0].diagnostics) == len(engine.check_source(checked[0])) == 3


async def test_a_document_closed_before_its_check_is_only_cleared(
    server: tuple[CoroLanguageServer, list, list],
) -> None:
    ls, published, checked = server
    handler(ls, types.TEXT_DOCUMENT_DID_OPEN)(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=URI, language_id="python", version=1, text="await x\n")
        )
    )
    handler(ls, types.TEXT_DOCUMENT_DID_CLOSE)(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri=URI))
    )
    await asyncio.sleep(0)
    assert [(p.uri, p.version, list(p.diagnostics)) for p in published] == [(URI, None, [])]
    assert checked == [] and URI not in ls.documents


async def test_a_failing_notification_handler_is_logged_with_its_traceback(
    server: tuple[CoroLanguageServer, list, list],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ls, published, _ = server
    shown: list[object] = []
    monkeypatch.setattr(ls, "window_show_message", shown.append)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("store exploded")

    monkeypatch.setattr(ls.documents, "change", broken)
    # Through pygls' own dispatch, as a message from the client would go.
    ls.protocol._handle_notification(types.TEXT_DOCUMENT_DID_CHANGE, insert(2, 0, "x"))
    await asyncio.sleep(0)
    assert "RuntimeError: store exploded" in caplog.text
    assert ", in broken" in caplog.text  # the frame that raised, from the traceback
    # Logged, not popped up at the user on every keystroke, and nothing half-made published.
    assert shown == [] and published == []
