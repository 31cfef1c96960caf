"""A raw LSP connection to a server process: bytes in, framed JSON messages out.

pytest-lsp's client cannot send a wrong ``Content-Length`` or a body that is not JSON;
this one sends exactly the bytes it is given and reads what the server writes.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
COMMAND = [sys.executable, "-m", "coro_ls"]
TIMEOUT = 20.0

INITIALIZE_CAPABILITIES: dict[str, Any] = {
    "textDocument": {"publishDiagnostics": {"versionSupport": True}},
}


def frame(message: Any) -> bytes:
    body = message if isinstance(message, bytes) else json.dumps(message).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def request(msg_id: int | str, method: str, params: Any = None) -> dict[str, Any]:
    message: dict[str, Any] = {"jsonrpc": "2.0", "id": msg_id, "method": method}
    if params is not None:
        message["params"] = params
    return message


def notification(method: str, params: Any = None) -> dict[str, Any]:
    message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
    if params is not None:
        message["params"] = params
    return message


def initialize(msg_id: int = 0, process_id: int | None = None) -> dict[str, Any]:
    return request(
        msg_id,
        "initialize",
        {"processId": process_id, "rootUri": None, "capabilities": INITIALIZE_CAPABILITIES},
    )


def did_open(uri: str, text: str, version: int = 1) -> dict[str, Any]:
    return notification(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "python", "version": version, "text": text}},
    )


def did_change(uri: str, version: int, changes: list[dict[str, Any]]) -> dict[str, Any]:
    return notification(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": version}, "contentChanges": changes},
    )


def span(start: tuple[int, int], end: tuple[int, int], text: str) -> dict[str, Any]:
    return {
        "range": {
            "start": {"line": start[0], "character": start[1]},
            "end": {"line": end[0], "character": end[1]},
        },
        "text": text,
    }


class Connection:
    """A server process over stdio; every message it writes is kept in :attr:`received`."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.received: list[dict[str, Any]] = []
        self._arrived = asyncio.Event()
        self._reading = asyncio.ensure_future(self._read())

    @classmethod
    async def start(cls, *args: str, env: dict[str, str] | None = None) -> Connection:
        process = await asyncio.create_subprocess_exec(
            *COMMAND,
            *args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
        )
        return cls(process)

    async def _read(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        while True:
            length = None
            while True:
                line = await stdout.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            assert length is not None, "the server wrote a message without Content-Length"
            self.received.append(json.loads(await stdout.readexactly(length)))
            self._arrived.set()

    def send(self, *messages: Any) -> None:
        """Send messages (dicts are framed; bytes are sent exactly as given)."""
        assert self.process.stdin is not None
        for message in messages:
            self.process.stdin.write(message if isinstance(message, bytes) else frame(message))

    async def wait_for(self, predicate: Any, timeout: float = TIMEOUT) -> dict[str, Any]:
        """The first received message (old or new) for which ``predicate`` holds."""

        async def poll() -> dict[str, Any]:
            while True:
                for message in self.received:
                    if predicate(message):
                        return message
                self._arrived.clear()
                if self._reading.done():
                    raise AssertionError(f"the server stopped writing; got {self.received}")
                await self._arrived.wait()

        return await asyncio.wait_for(poll(), timeout)

    async def response(self, msg_id: int | str | None) -> dict[str, Any]:
        return await self.wait_for(
            lambda m: "method" not in m and m.get("id", "missing") == msg_id
        )

    async def call(self, msg_id: int, method: str, params: Any = None) -> dict[str, Any]:
        self.send(request(msg_id, method, params))
        return await self.response(msg_id)

    async def published(
        self, uri: str, version: int | None, timeout: float = TIMEOUT
    ) -> list[dict[str, Any]]:
        message = await self.wait_for(
            lambda m: (
                m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"] == uri
                and m["params"].get("version") == version
            ),
            timeout,
        )
        return message["params"]["diagnostics"]

    def close_input(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()

    async def exit_status(self, timeout: float = TIMEOUT) -> int:
        return await asyncio.wait_for(self.process.wait(), timeout)

    async def log(self) -> str:
        """The server's stderr (once it has exited)."""
        assert self.process.stderr is not None
        return (await self.process.stderr.read()).decode("utf-8", "replace")

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        self._reading.cancel()

    async def initialized(self, process_id: int | None = None) -> dict[str, Any]:
        self.send(initialize(0, process_id))
        result = await self.response(0)
        self.send(notification("initialized", {}))
        return result

    async def shutdown_and_exit(self) -> int:
        response = await self.call(999_999, "shutdown")
        assert "error" not in response, response
        self.send(notification("exit"))
        return await self.exit_status()


def keys(diagnostics: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted(
        (
            d["range"]["start"]["line"],
            d["range"]["start"]["character"],
            d["range"]["end"]["line"],
            d["range"]["end"]["character"],
            d["code"],
            d["message"],
        )
        for d in diagnostics
    )


def utf16_column(text: str, line: int, column: int) -> int:
    """A code-point column of 0-based ``line`` in UTF-16 units (LSP's default)."""
    import re

    content = re.split(r"\r\n|\r|\n", text)[line]
    return sum(2 if ord(char) > 0xFFFF else 1 for char in content[:column])


def engine_keys(text: str) -> list[tuple[Any, ...]]:
    """What a fresh check of ``text`` gives, in the shape of :func:`keys` (UTF-16 columns)."""
    from coro_ls.engine.checker import check_source

    return sorted(
        (
            f.start[0] - 1,
            utf16_column(text, f.start[0] - 1, f.start[1]),
            f.end[0] - 1,
            utf16_column(text, f.end[0] - 1, f.end[1]),
            f.code,
            f.message,
        )
        for f in check_source(text)
    )
