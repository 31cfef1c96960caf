"""A raw LSP connection to a server process: framed JSON-RPC over its stdin and stdout.

Shared by the robustness tests (tests/robustness), the fuzzer (fuzz/fuzz_server.py) and the
latency benchmark (benchmarks/lsp_latency.py).  Unlike pytest-lsp's client it sends exactly
the bytes it is given (a wrong ``Content-Length``, a body that is not JSON), keeps every byte
it sent (a fuzzer's reproducer) and every message it received, and can start any server
(ruff's, for the benchmark's comparison).

It lives outside ``coro_ls/`` so the wheel does not ship it (pyproject's package list is
``coro_ls*``); pytest finds it through ``pythonpath`` and the scripts put the repository
root on their path.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
SERVER_COMMAND = [sys.executable, "-m", "coro_ls"]
TIMEOUT = 20.0

INITIALIZE_CAPABILITIES: dict[str, Any] = {
    "textDocument": {"publishDiagnostics": {"versionSupport": True}},
}

Message = dict[str, Any]


class ServerStopped(AssertionError):
    """The server closed its output while a message was awaited."""


# -- framing and messages --------------------------------------------------------------------


def encode(message: Any) -> bytes:
    """A JSON body; NaN and lone surrogates go out as given, for faults to test."""
    return json.dumps(message, allow_nan=True).encode("utf-8", "surrogatepass")


def frame(message: Any) -> bytes:
    """``message`` with its header (dicts are encoded; bytes are framed exactly as given)."""
    body = message if isinstance(message, bytes) else encode(message)
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def request(msg_id: int | str, method: str, params: Any = None) -> Message:
    message: Message = {"jsonrpc": "2.0", "id": msg_id, "method": method}
    if params is not None:
        message["params"] = params
    return message


def notification(method: str, params: Any = None) -> Message:
    message: Message = {"jsonrpc": "2.0", "method": method}
    if params is not None:
        message["params"] = params
    return message


def response(msg_id: Any, result: Any = None) -> Message:
    return {"jsonrpc": "2.0", "id": msg_id, "result": result}


def initialize(
    msg_id: int = 0,
    process_id: int | None = None,
    capabilities: dict[str, Any] | None = None,
    root_uri: str | None = None,
) -> Message:
    return request(
        msg_id,
        "initialize",
        {
            "processId": process_id,
            "rootUri": root_uri,
            "capabilities": INITIALIZE_CAPABILITIES if capabilities is None else capabilities,
        },
    )


def did_open(uri: str, text: str, version: int = 1) -> Message:
    return notification(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "python", "version": version, "text": text}},
    )


def did_change(uri: str, version: int, changes: list[dict[str, Any]]) -> Message:
    return notification(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": version}, "contentChanges": changes},
    )


def span(start: tuple[int, int], end: tuple[int, int], text: str) -> dict[str, Any]:
    """A ranged content change; positions are (line, character) in the session's units."""
    return {
        "range": {
            "start": {"line": start[0], "character": start[1]},
            "end": {"line": end[0], "character": end[1]},
        },
        "text": text,
    }


async def read_message(stream: asyncio.StreamReader) -> Message | None:
    """The next framed message on ``stream``; None at the end of the stream."""
    length = None
    while True:
        line = await stream.readline()
        if not line:
            return None
        if not line.strip():
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length is None:
        raise ServerStopped("the server wrote a message without Content-Length")
    return json.loads(await stream.readexactly(length))


# -- a connection ----------------------------------------------------------------------------

Answer = Callable[[Message], Any]


class Connection:
    """A server process over stdio.

    Every message it writes is kept in :attr:`received`, every byte sent in :attr:`sent`.
    With ``answer``, requests from the server are answered with ``answer(request)``;
    without, they are only recorded.
    """

    def __init__(self, process: asyncio.subprocess.Process, answer: Answer | None = None):
        self.process = process
        self.answer = answer
        self.received: list[Message] = []
        self.sent = bytearray()
        self._arrived = asyncio.Event()
        self._reading = asyncio.ensure_future(self._read())

    @classmethod
    async def start(
        cls,
        *args: str,
        command: Sequence[str] = SERVER_COMMAND,
        env: dict[str, str] | None = None,
        cwd: Path | str = ROOT,
        stderr: int = asyncio.subprocess.PIPE,
        answer: Answer | None = None,
    ) -> Connection:
        """Start ``command`` plus ``args``; stderr is kept for :meth:`log` unless redirected."""
        process = await asyncio.create_subprocess_exec(
            *command,
            *args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=stderr,
            cwd=cwd,
            env={**os.environ, **(env or {})},
        )
        return cls(process, answer)

    async def _read(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        while (message := await read_message(stdout)) is not None:
            self.received.append(message)
            if self.answer is not None and "id" in message and "method" in message:
                self.send(response(message["id"], self.answer(message)))
            self._arrived.set()

    @property
    def reading(self) -> bool:
        """Whether the server's output is still open."""
        return not self._reading.done()

    def send(self, *messages: Any) -> None:
        """Send messages (dicts are framed; bytes are sent exactly as given)."""
        assert self.process.stdin is not None
        for message in messages:
            data = message if isinstance(message, bytes) else frame(message)
            self.sent += data
            self.process.stdin.write(data)

    async def wait_for(
        self, predicate: Callable[[Message], bool], timeout: float = TIMEOUT, after: int = 0
    ) -> Message:
        """The first received message from index ``after`` on (old or new) that fits
        ``predicate``; :class:`ServerStopped` if the server stops writing first."""

        async def poll() -> Message:
            start = after
            while True:
                for index in range(start, len(self.received)):
                    if predicate(self.received[index]):
                        return self.received[index]
                start = max(after, len(self.received))
                self._arrived.clear()
                if self._reading.done():
                    raise ServerStopped(f"the server stopped writing; got {self.received}")
                await self._arrived.wait()

        return await asyncio.wait_for(poll(), timeout)

    async def response(self, msg_id: int | str | None, timeout: float = TIMEOUT) -> Message:
        return await self.wait_for(
            lambda m: "method" not in m and m.get("id", "missing") == msg_id, timeout
        )

    async def call(
        self, msg_id: int | str, method: str, params: Any = None, timeout: float = TIMEOUT
    ) -> Message:
        self.send(request(msg_id, method, params))
        return await self.response(msg_id, timeout)

    async def published(
        self, uri: str, version: int | None, timeout: float = TIMEOUT, after: int = 0
    ) -> list[dict[str, Any]]:
        """The diagnostics published for ``uri`` at ``version``."""
        message = await self.wait_for(
            lambda m: (
                m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"] == uri
                and m["params"].get("version") == version
            ),
            timeout,
            after,
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

    async def initialized(
        self,
        process_id: int | None = None,
        capabilities: dict[str, Any] | None = None,
        root_uri: str | None = None,
        timeout: float = TIMEOUT,
    ) -> Message:
        """Initialize the session; the result of ``initialize``."""
        self.send(initialize(0, process_id, capabilities, root_uri))
        result = await self.response(0, timeout)
        self.send(notification("initialized", {}))
        return result

    async def shutdown_and_exit(self, timeout: float = TIMEOUT) -> int:
        """Shut down and exit; the server's exit status."""
        answer = await self.call(999_999, "shutdown", timeout=timeout)
        assert "error" not in answer, answer
        self.send(notification("exit"))
        return await self.exit_status(timeout)
