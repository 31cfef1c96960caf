"""LSP's base protocol on the wire, read so that no input can crash or hang the server.

pygls' own readers give up on a wrong ``Content-Length``, never answer a message they cannot
decode, block interpreter exit in a thread stuck on ``stdin.read`` and turn ``exit`` into
status 0.  This module owns the byte stream instead:

* headers are read line by line; anything before a ``Content-Length`` header is skipped (and
  logged), which resynchronises after a body that was shorter than announced;
* a body that is not JSON is answered with a ``-32700`` parse error (id ``null``) and the
  session goes on;
* a body that swallowed the next message's header, or a body that stops arriving for
  :data:`STALL_SECONDS`, means the stream cannot be resynchronised: the server says so in
  its log and exits with status 1 instead of waiting forever;
* end of input, ``exit`` and the editor's process disappearing (``processId``) end the
  session promptly with the status LSP asks for (0 only after ``shutdown``).

Decoded messages go to :meth:`coro_ls.server.protocol.RobustProtocol.receive`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, BinaryIO

from coro_ls.server.liveness import is_alive

if TYPE_CHECKING:
    from coro_ls.server.protocol import RobustProtocol

logger = logging.getLogger(__name__)

HEADER_LINE_LIMIT = 8192
"""A header line longer than this is garbage, skipped in pieces."""
MAX_CONTENT_LENGTH = 1 << 30
STALL_SECONDS = 5.0
"""How long a started body may go without a byte before the stream is declared lost."""
PARENT_POLL_SECONDS = 2.0

_CONTENT_LENGTH = re.compile(rb"content-length[ \t]*:[ \t]*([^\r\n]*)", re.IGNORECASE)
# The start of another message's header inside a body that was read too far.
_NEXT_HEADER = re.compile(rb"content-length[ \t]*:[ \t]*\d+[ \t]*\r?\n", re.IGNORECASE)


class Desynchronised(Exception):
    """The framing is lost: no message boundary can be found with certainty any more."""


class Inbox:
    """Bytes received and not consumed yet, filled by a reader thread or a socket pump."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._eof = False
        self._arrived = asyncio.Event()

    def feed(self, data: bytes) -> None:
        if data:
            self._buffer += data
        else:
            self._eof = True
        self._arrived.set()

    @property
    def eof(self) -> bool:
        return self._eof and not self._buffer

    async def _more(self, timeout: float | None) -> bool:
        """Wait for more bytes; False at end of input (or after ``timeout`` seconds)."""
        if self._eof:
            return False
        self._arrived.clear()
        try:
            await asyncio.wait_for(self._arrived.wait(), timeout)
        except asyncio.TimeoutError:
            return False
        return True

    async def readline(self) -> bytes:
        """One line with its ``\\n`` (at most :data:`HEADER_LINE_LIMIT` bytes; ``b""`` at end)."""
        while True:
            end = self._buffer.find(b"\n", 0, HEADER_LINE_LIMIT)
            if end >= 0:
                return self._take(end + 1)
            if len(self._buffer) >= HEADER_LINE_LIMIT:
                return self._take(HEADER_LINE_LIMIT)
            if not await self._more(None):
                return self._take(len(self._buffer))

    async def read_body(self, length: int, stall: float) -> bytes:
        while len(self._buffer) < length:
            before = len(self._buffer)
            if not await self._more(stall):
                missing = length - len(self._buffer)
                if self._eof:
                    raise Desynchronised(
                        f"the input ended {missing} bytes short of a {length}-byte message"
                    )
                raise Desynchronised(
                    f"a message announced {length} bytes (Content-Length) but only "
                    f"{before} arrived and nothing more for {stall:g} s: the length is wrong"
                )
        return self._take(length)

    def _take(self, count: int) -> bytes:
        data = bytes(self._buffer[:count])
        del self._buffer[:count]
        return data


async def read_message(inbox: Inbox, stall: float) -> bytes | None:
    """The next message body (``None`` at end of input).  Raises :class:`Desynchronised`."""
    length: int | None = None
    skipped = 0
    while True:
        line = await inbox.readline()
        if not line:
            if skipped:
                logger.warning("skipped %d bytes that were not a message header", skipped)
            return None
        if line.strip() == b"":
            if length is not None:
                break
            if skipped:
                logger.warning("skipped %d bytes that were not a message header", skipped)
                skipped = 0
            continue
        match = _CONTENT_LENGTH.search(line)
        if match is None:
            if length is None:
                skipped += len(line)
            # Other headers (Content-Type) are allowed and carry nothing we need.
            continue
        if match.start() or skipped:
            logger.warning(
                "skipped %d bytes before a Content-Length header", skipped + match.start()
            )
            skipped = 0
        value = match.group(1).strip()
        if not value.isdigit() or int(value) > MAX_CONTENT_LENGTH:
            logger.error("invalid Content-Length %r: skipping to the next header", value[:40])
            length = None
            skipped = 0
            continue
        length = int(value)
    if length == 0:
        return b""
    body = await inbox.read_body(length, stall)
    return body


def swallowed_next_message(body: bytes) -> bool:
    """Whether an undecodable body holds another message's header: its Content-Length was
    too large, the next message is cut in two, and no boundary can be trusted any more."""
    return _NEXT_HEADER.search(body) is not None


class Writer:
    """pygls' writer interface over a byte sink; a vanished reader ends the session."""

    def __init__(self, write: Callable[[bytes], object], on_lost: Callable[[str], None]) -> None:
        self._write = write
        self._on_lost = on_lost
        self._lock = threading.Lock()
        self.lost = False

    def write(self, data: bytes) -> None:
        if self.lost:
            return
        try:
            with self._lock:
                self._write(data)
        except (OSError, ValueError) as error:  # BrokenPipeError, closed file
            self.lost = True
            self._on_lost(f"the client stopped reading the server's output ({error})")

    def close(self) -> None:
        self.lost = True


async def pump_messages(protocol: RobustProtocol, inbox: Inbox, stall: float) -> None:
    while True:
        try:
            body = await read_message(inbox, stall)
        except Desynchronised as error:
            protocol.request_exit(1, f"the message stream cannot be resynchronised: {error}")
            return
        if body is None:
            protocol.request_exit(
                0 if protocol.shut_down else 1, "the client closed the server's input"
            )
            return
        if not protocol.receive(body) and swallowed_next_message(body):
            protocol.request_exit(
                1,
                f"a {len(body)}-byte message (Content-Length) ran into the next message's "
                "header: the message stream cannot be resynchronised",
            )
            return


async def watch_parent(protocol: RobustProtocol, interval: float) -> None:
    """End the session when the editor's process (``processId`` at ``initialize``) is gone."""
    while True:
        await asyncio.sleep(interval)
        pid = protocol.client_process_id
        if pid is not None and not is_alive(pid):
            protocol.request_exit(1, f"the editor's process {pid} is gone")
            return


async def run_session(
    protocol: RobustProtocol,
    inbox: Inbox,
    *,
    stall: float = STALL_SECONDS,
    parent_poll: float = PARENT_POLL_SECONDS,
) -> int:
    """Serve one connection until it ends; the exit status LSP asks for."""
    ending = protocol.start_session()
    tasks = [
        asyncio.ensure_future(pump_messages(protocol, inbox, stall)),
        asyncio.ensure_future(watch_parent(protocol, parent_poll)),
    ]
    try:
        return await ending
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _read_into(fd: int, loop: asyncio.AbstractEventLoop, inbox: Inbox) -> None:
    # os.read on the descriptor, not sys.stdin.buffer: a daemon thread blocked inside a
    # buffered reader holds its lock, which aborts interpreter shutdown.
    while True:
        try:
            chunk = os.read(fd, 1 << 16)
        except OSError:
            chunk = b""
        try:
            loop.call_soon_threadsafe(inbox.feed, chunk)
        except RuntimeError:  # the loop is closed: the session is over
            return
        if not chunk:
            return


def serve_stdio(
    protocol: RobustProtocol,
    stdin: BinaryIO | None = None,
    stdout: BinaryIO | None = None,
    *,
    stall: float = STALL_SECONDS,
) -> int:
    """Serve over stdin/stdout; returns the exit status."""
    source = stdin or sys.stdin.buffer
    sink = stdout or sys.stdout.buffer
    if stdout is None:
        # stdout carries the messages: a stray print() anywhere must not corrupt them.
        sys.stdout = sys.stderr

    def write(data: bytes) -> None:
        sink.write(data)
        sink.flush()

    async def main() -> int:
        loop = asyncio.get_running_loop()
        inbox = Inbox()
        protocol.set_writer(Writer(write, lambda reason: protocol.request_exit(1, reason)))
        reader = threading.Thread(
            target=_read_into, args=(source.fileno(), loop, inbox), daemon=True
        )
        reader.start()
        return await run_session(protocol, inbox, stall=stall)

    return asyncio.run(main())


def serve_tcp(
    protocol: RobustProtocol, host: str, port: int, *, stall: float = STALL_SECONDS
) -> int:
    """Serve the first TCP connection on ``host:port``; returns the exit status."""

    async def main() -> int:
        finished: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            if finished.done() or protocol.writer is not None:
                writer.close()  # one client per server, as with stdio
                return
            inbox = Inbox()

            async def pump() -> None:
                while True:
                    try:
                        chunk = await reader.read(1 << 16)
                    except OSError:
                        chunk = b""
                    inbox.feed(chunk)
                    if not chunk:
                        return

            protocol.set_writer(
                Writer(writer.write, lambda reason: protocol.request_exit(1, reason))
            )
            pumping = asyncio.ensure_future(pump())
            try:
                status = await run_session(protocol, inbox, stall=stall)
            finally:
                pumping.cancel()
                writer.close()
            if not finished.done():
                finished.set_result(status)

        listener = await asyncio.start_server(connection, host, port)
        logger.info("serving on %s", ", ".join(str(s.getsockname()) for s in listener.sockets))
        async with listener:
            return await finished

    return asyncio.run(main())
