"""Faults on the wire and in the LSP lifecycle, sent as raw bytes to the server process.

Each one gets a proper JSON-RPC answer or a logged reason, and the server keeps serving
(checked with a request answered afterwards); only the faults LSP defines as the end of
the session (exit, end of input, a lost stream, the editor's process gone) end it, with
the status LSP asks for and a clear line in the log.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

from lsp_support import Key, expected_in_process, wire_keys

from lsp_wire import (
    Connection,
    did_change,
    did_open,
    frame,
    initialize,
    notification,
    request,
    span,
)

URI = "file:///faults.py"
TEXT = "def f():\n    await g()\n"
PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS = -32700, -32600, -32601, -32602
SERVER_NOT_INITIALIZED, REQUEST_CANCELLED = -32002, -32800
HOVER = {"textDocument": {"uri": URI}, "position": {"line": 1, "character": 5}}


async def still_serving(connection: Connection, msg_id: int) -> None:
    response = await connection.call(msg_id, "textDocument/hover", HOVER)
    assert "error" not in response, response


def engine_keys(text: str) -> list[Key]:
    """What a fresh check of ``text`` gives, in UTF-16 units (the session's)."""
    return expected_in_process(text, "utf-16")


def error_code(response: dict) -> int:
    assert "error" in response, response
    return response["error"]["code"]


async def started() -> Connection:
    connection = await Connection.start()
    await connection.initialized()
    connection.send(did_open(URI, TEXT))
    await connection.published(URI, 1)
    return connection


async def test_bodies_that_are_not_json_rpc_get_errors_and_the_session_goes_on() -> None:
    connection = await started()
    try:
        for body, code in [
            (b"{not json", PARSE_ERROR),
            (b"\xff\xfe{}", PARSE_ERROR),  # not UTF-8
            (b"[" * 100_000 + b"]" * 100_000, PARSE_ERROR),  # deeper than json can nest
            (b"[1, 2]", INVALID_REQUEST),  # a batch
            (b"42", INVALID_REQUEST),
            (b'{"id": 7, "method": "shutdown"}', INVALID_REQUEST),  # no "jsonrpc"
            (b'{"jsonrpc": "2.0", "id": 1.5, "method": "textDocument/hover"}', INVALID_REQUEST),
            (b'{"jsonrpc": "2.0", "id": 8, "method": 3}', INVALID_REQUEST),
        ]:
            connection.received.clear()
            connection.send(frame(body))
            response = await connection.wait_for(lambda m: "error" in m)
            assert error_code(response) == code, (body[:40], response)
            await still_serving(connection, 100)
        assert await connection.shutdown_and_exit() == 0
    finally:
        await connection.stop()
    log = await connection.log()
    assert "Parse error" in log and "Invalid request" in log


async def test_unknown_methods_and_invalid_params() -> None:
    connection = await started()
    try:
        assert error_code(await connection.call(1, "coroLs/noSuchMethod", {})) == METHOD_NOT_FOUND
        assert error_code(await connection.call(2, "$/noSuchRequest", {})) == METHOD_NOT_FOUND
        connection.send(notification("coroLs/noSuchNotification", {"x": 1}))
        connection.send(notification("$/setTrace", {"value": 42}))
        # Wrong types, missing fields, extra fields and a notification's method as a request.
        hover_bad = {"textDocument": {"uri": 3}, "position": {"line": "one"}}
        assert (
            error_code(await connection.call(3, "textDocument/hover", hover_bad)) == INVALID_PARAMS
        )
        assert error_code(await connection.call(4, "textDocument/hover", None)) == INVALID_PARAMS
        assert error_code(await connection.call(5, "textDocument/didOpen", {})) == INVALID_REQUEST
        extra = {**HOVER, "extra": [1, 2], "workDoneToken": "t"}
        assert "error" not in await connection.call(6, "textDocument/hover", extra)
        # Notifications with params that do not fit are dropped, never answered.
        connection.send(notification("textDocument/didChange", {"textDocument": None}))
        connection.send(notification("textDocument/didOpen", []))
        await still_serving(connection, 7)
        assert not [m for m in connection.received if m.get("id") is None and "error" in m]
        assert await connection.shutdown_and_exit() == 0
    finally:
        await connection.stop()
    log = await connection.log()
    assert "invalid params dropped" in log and "noSuchMethod" in log


async def test_lifecycle_out_of_order() -> None:
    connection = await Connection.start()
    try:
        # Before initialize: requests are refused, notifications dropped.
        assert (
            error_code(await connection.call(1, "textDocument/hover", HOVER))
            == SERVER_NOT_INITIALIZED
        )
        assert error_code(await connection.call(2, "shutdown")) == SERVER_NOT_INITIALIZED
        connection.send(did_open(URI, TEXT))
        await connection.initialized()
        assert (
            error_code(await connection.call(3, "initialize", initialize()["params"]))
            == INVALID_REQUEST
        )
        connection.send(did_open("file:///other.py", "await x\n"))
        await connection.published("file:///other.py", 1)
        # The didOpen sent before initialize was dropped: the document is unknown.
        assert not [m for m in connection.received if m.get("params", {}).get("uri") == URI]
        assert "error" not in await connection.call(4, "shutdown")
        assert error_code(await connection.call(5, "textDocument/hover", HOVER)) == INVALID_REQUEST
        connection.send(notification("exit"))
        assert await connection.exit_status() == 0
    finally:
        await connection.stop()


async def test_exit_without_shutdown_ends_with_status_1() -> None:
    connection = await started()
    try:
        connection.send(notification("exit"))
        assert await connection.exit_status() == 1
    finally:
        await connection.stop()
    assert "exit without shutdown" in await connection.log()


async def test_exit_before_initialize_ends_with_status_1() -> None:
    connection = await Connection.start()
    try:
        connection.send(notification("exit"))
        assert await connection.exit_status() == 1
    finally:
        await connection.stop()


async def test_closed_input_ends_the_session_promptly() -> None:
    connection = await started()
    try:
        began = time.monotonic()
        connection.close_input()
        assert await connection.exit_status(timeout=10) == 1
        assert time.monotonic() - began < 5
    finally:
        await connection.stop()
    assert "closed the server's input" in await connection.log()


async def test_garbage_and_a_short_content_length_are_skipped_to_the_next_header() -> None:
    connection = await started()
    try:
        hover = frame(request(10, "textDocument/hover", HOVER))
        # Random bytes between messages, then a header announcing fewer bytes than sent.
        body = b'{"jsonrpc": "2.0", "id": 11, "method": "textDocument/hover"}'
        connection.send(b"\x00\x01garbage\r\nmore garbage\r\n\r\n", hover)
        connection.send(b"Content-Length: 20\r\n\r\n" + body)
        connection.send(frame(request(12, "textDocument/hover", HOVER)))
        assert "error" not in await connection.response(10)
        assert error_code(await connection.response(None)) == PARSE_ERROR
        assert "error" not in await connection.response(12)
        # Headers without Content-Length, a non-numeric one, other headers.
        connection.send(b"Content-Type: x\r\n\r\n")
        connection.send(b"Content-Length: lots\r\n\r\n")
        lowercase = frame(request(13, "textDocument/hover", HOVER)).partition(b"\r\n\r\n")[2]
        connection.send(
            b"content-length:  %d\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8"
            b"\r\n\r\n%s" % (len(lowercase), lowercase)
        )
        assert "error" not in await connection.response(13)
        await still_serving(connection, 14)
        assert await connection.shutdown_and_exit() == 0
    finally:
        await connection.stop()
    log = await connection.log()
    assert "skipped" in log and "invalid Content-Length" in log


async def test_a_content_length_that_swallows_the_next_message_ends_the_session() -> None:
    connection = await started()
    try:
        first = frame(request(20, "textDocument/hover", HOVER))
        header, _, body = first.partition(b"\r\n\r\n")
        # 30 bytes too many: the body runs into the next message's header.
        connection.send(b"Content-Length: %d\r\n\r\n" % (len(body) + 30) + body)
        connection.send(frame(request(21, "textDocument/hover", HOVER)))
        assert await connection.exit_status(timeout=10) == 1
    finally:
        await connection.stop()
    assert "cannot be resynchronised" in await connection.log()


async def test_a_body_that_never_arrives_ends_the_session_instead_of_hanging() -> None:
    connection = await started()
    try:
        body = frame(request(30, "textDocument/hover", HOVER)).partition(b"\r\n\r\n")[2]
        connection.send(b"Content-Length: %d\r\n\r\n" % (len(body) + 100) + body)
        began = time.monotonic()
        # The transport waits STALL_SECONDS (5 s) for the missing bytes.
        assert await connection.exit_status(timeout=30) == 1
        assert time.monotonic() - began < 20
    finally:
        await connection.stop()
    log = await connection.log()
    assert "cannot be resynchronised" in log and "the length is wrong" in log


async def test_the_editors_process_disappearing_ends_the_session() -> None:
    editor = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    connection = await Connection.start()
    try:
        await connection.initialized(process_id=editor.pid)
        await still_serving_without_document(connection)
        editor.kill()
        editor.wait()
        assert await connection.exit_status(timeout=15) == 1
    finally:
        editor.kill()
        await connection.stop()
    assert f"process {editor.pid} is gone" in await connection.log()


async def still_serving_without_document(connection: Connection) -> None:
    response = await connection.call(40, "textDocument/hover", HOVER)
    assert "error" not in response


async def test_document_sync_faults_are_applied_as_lsp_says_or_logged() -> None:
    connection = await started()
    try:
        # A change to a document that is not open: ignored, logged.
        connection.send(did_change("file:///never-opened.py", 2, [span((0, 0), (0, 0), "x")]))
        # A character past the end of a line means the end of that line.
        connection.send(did_change(URI, 2, [span((1, 4), (1, 999), "await h()")]))
        text = "def f():\n    await h()\n"
        assert wire_keys(await connection.published(URI, 2)) == engine_keys(text) != []
        # An inverted range is taken with its ends swapped.
        connection.send(did_change(URI, 3, [span((1, 13), (1, 4), "x = await k()")]))
        text = "def f():\n    x = await k()\n"
        assert wire_keys(await connection.published(URI, 3)) == engine_keys(text) != []
        # A version going backwards: applied, logged.
        connection.send(did_change(URI, 0, [span((1, 4), (1, 4), "pass; ")]))
        text = "def f():\n    pass; x = await k()\n"
        assert wire_keys(await connection.published(URI, 0)) == engine_keys(text) != []
        # Opening an open document again: the new text replaces the old.
        connection.send(did_open(URI, "async def f():\n    await g()\n", version=5))
        assert await connection.published(URI, 5) == []
        # Lone surrogates in the JSON text.
        connection.send(
            frame(
                b'{"jsonrpc": "2.0", "method": "textDocument/didChange", "params": '
                b'{"textDocument": {"uri": "file:///faults.py", "version": 6}, '
                b'"contentChanges": [{"text": "s = \\"\\ud800\\"; await x\\n"}]}}'
            )
        )
        text = 's = "\ud800"; await x\n'
        assert wire_keys(await connection.published(URI, 6)) == engine_keys(text) != []
        await still_serving(connection, 50)
        assert await connection.shutdown_and_exit() == 0
    finally:
        await connection.stop()
    log = await connection.log()
    assert "not open" in log and "inverted" in log and "clamped" in log
    assert "after version" in log and "opened again" in log


async def test_a_cancelled_request_is_answered_request_cancelled() -> None:
    # coro-ls' own requests answer within one turn of the loop; a request still running
    # when its $/cancelRequest arrives is made here with a feature that waits.
    from coro_ls.server.app import create_server

    server = create_server()
    sent: list[dict] = []
    server.protocol._send_data = lambda data: sent.append(  # type: ignore[method-assign]
        data if isinstance(data, dict) else server.protocol._converter.unstructure(data)
    )
    release = asyncio.Event()

    @server.feature("coroLs/slow")
    async def slow(ls: object, params: object) -> str:
        await release.wait()
        return "done"

    protocol = server.protocol
    protocol.start_session()
    protocol.receive(frame(initialize())[frame(initialize()).index(b"{") :])
    for msg_id in (1, 2):
        protocol.receive(b'{"jsonrpc": "2.0", "id": %d, "method": "coroLs/slow"}' % msg_id)
    protocol.receive(b'{"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 1}}')
    protocol.receive(b'{"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 99}}')
    await asyncio.sleep(0.05)
    release.set()
    await asyncio.sleep(0.05)
    answers = {m["id"]: m for m in sent if m.get("id") in (1, 2)}
    assert answers[1]["error"]["code"] == REQUEST_CANCELLED
    assert answers[2]["result"] == "done"
    # shutdown cancels what is still running and answers itself normally, also while a
    # notification's handler waits (pygls keeps a future for it, cancelled synchronously).
    release.clear()

    @server.on_initialized
    async def waiting() -> None:
        await release.wait()

    protocol.receive(b'{"jsonrpc": "2.0", "method": "initialized", "params": {}}')
    protocol.receive(b'{"jsonrpc": "2.0", "id": 3, "method": "coroLs/slow"}')
    protocol.receive(b'{"jsonrpc": "2.0", "id": 4, "method": "coroLs/slow"}')
    protocol.receive(b'{"jsonrpc": "2.0", "id": 5, "method": "shutdown"}')
    await asyncio.sleep(0.05)
    answers = {m["id"]: m for m in sent if m.get("id") in (3, 4, 5)}
    assert answers[3]["error"]["code"] == REQUEST_CANCELLED
    assert answers[4]["error"]["code"] == REQUEST_CANCELLED
    assert "error" not in answers[5] and answers[5]["result"] is None


async def test_an_edit_that_cannot_be_applied_pauses_the_document_until_reopened() -> None:
    connection = await started()
    try:
        # A start line far beyond the document's end: not this document's text any more.
        connection.send(did_change(URI, 2, [span((40, 0), (41, 0), "await x\n")]))
        shown = await connection.wait_for(lambda m: m.get("method") == "window/showMessage")
        assert URI in shown["params"]["message"]
        cleared = await connection.wait_for(
            lambda m: (
                m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"] == URI
                and m["params"]["diagnostics"] == []
            )
        )
        assert cleared["params"].get("version") is None
        # Further changes publish nothing until the editor opens the document again.
        connection.send(did_change(URI, 3, [span((0, 0), (0, 0), "await y\n")]))
        await still_serving(connection, 60)
        assert not [
            m
            for m in connection.received
            if m.get("method") == "textDocument/publishDiagnostics"
            and m["params"].get("version") == 3
        ]
        connection.send(did_open(URI, "await z\n", version=4))
        assert wire_keys(await connection.published(URI, 4)) == engine_keys("await z\n") != []
        assert await connection.shutdown_and_exit() == 0
    finally:
        await connection.stop()
    assert "keeping the last good text" in await connection.log()
