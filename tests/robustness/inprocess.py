"""A coro-ls server driven in-process through its JSON-RPC entry point.

Messages go through :meth:`RobustProtocol.receive` as bytes, exactly as the transport hands
them over; what the server sends is collected as JSON objects.  No process and no pipes, so
thousands of edits take seconds.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from coro_ls.server.app import CoroLanguageServer, create_server


class InProcessServer:
    def __init__(self, encoding: str = "utf-16", *, pull: bool = False) -> None:
        self.loop = asyncio.new_event_loop()
        self.server: CoroLanguageServer = create_server()
        self.protocol = self.server.protocol
        self.sent: list[dict[str, Any]] = []
        """Everything sent but diagnostics (of which only the latest per uri is kept, so
        that a long session does not measure the memory of its own record)."""
        self.published: dict[str, dict[str, Any]] = {}
        self.publish_count = 0
        converter = self.protocol._converter

        def capture(data: Any) -> None:
            if not isinstance(data, dict):
                data = converter.unstructure(data)
            # Through JSON and back: what a client would read.
            message = json.loads(json.dumps(data))
            if message.get("method") == "textDocument/publishDiagnostics":
                self.published[message["params"]["uri"]] = message["params"]
                self.publish_count += 1
            else:
                self.sent.append(message)

        self.protocol._send_data = capture  # type: ignore[method-assign]
        self.run(self._start(encoding, pull))

    async def _start(self, encoding: str, pull: bool) -> None:
        self.protocol.start_session()  # type: ignore[attr-defined]
        capabilities = {
            "general": {"positionEncodings": [encoding]},
            "textDocument": {"publishDiagnostics": {"versionSupport": True}},
        }
        if pull:
            capabilities["textDocument"]["diagnostic"] = {}
        self._receive(
            {
                "jsonrpc": "2.0",
                "id": 0,
                "method": "initialize",
                "params": {"processId": None, "rootUri": None, "capabilities": capabilities},
            }
        )
        self._receive({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        await asyncio.sleep(0)

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)

    def _receive(self, message: dict[str, Any]) -> None:
        body = json.dumps(message).encode("utf-8", "surrogatepass")
        self.protocol.receive(body)  # type: ignore[attr-defined]

    def send(self, *messages: dict[str, Any]) -> None:
        """Handle ``messages`` in one turn of the loop, then let scheduled publishes run."""

        async def go() -> None:
            for message in messages:
                self._receive(message)
            for _ in range(3):
                await asyncio.sleep(0)

        self.run(go())

    def latest(self, uri: str) -> dict[str, Any] | None:
        return self.published.get(uri)

    def close(self) -> None:
        self.loop.close()


def open_message(uri: str, text: str, version: int = 1) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "method": "textDocument/didOpen",
        "params": {
            "textDocument": {"uri": uri, "languageId": "python", "version": version, "text": text}
        },
    }


def change_message(uri: str, version: int, changes: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "method": "textDocument/didChange",
        "params": {"textDocument": {"uri": uri, "version": version}, "contentChanges": changes},
    }


def close_message(uri: str) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "method": "textDocument/didClose",
        "params": {"textDocument": {"uri": uri}},
    }


def fresh_diagnostics(text: str, encoding: str, uri: str) -> list[dict[str, Any]]:
    """What a new server publishes for ``text`` opened once as ``uri``."""
    fresh = InProcessServer(encoding)
    try:
        fresh.send(open_message(uri, text))
        published = fresh.latest(uri)
        assert published is not None, "a fresh server published nothing"
        return published["diagnostics"]
    finally:
        fresh.close()
