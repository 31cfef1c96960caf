"""The LSP server: handlers, the document store, conversion to LSP types at the edge.

The only package of coro-ls that imports pygls or lsprotocol; may import ``engine``,
``syntax``, ``editing`` and ``config``.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from collections.abc import Callable
from typing import cast

RECURSION_LIMIT = 60_000
"""parso's tree methods and the checker recurse once per nesting level; code nested
thousands deep (CPython itself stops at 200 parentheses, 100 indentation levels) must
degrade to a logged failure of that one check, never kill the process."""
STACK_BYTES = 512 * 1024 * 1024
"""The serving thread's stack (reserved, touched only as deep as the recursion goes)."""


def configure_logging(log_file: str | None, level: str) -> None:
    # stdout carries JSON-RPC over stdio: the log goes to stderr or a file, never stdout.
    handler: logging.Handler = (
        logging.FileHandler(log_file, encoding="utf-8")
        if log_file
        else logging.StreamHandler(sys.stderr)
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    # pygls logs every message and the whole InitializeParams at INFO.
    logging.getLogger("pygls").setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)


def serve(args: argparse.Namespace) -> int:
    """Serve LSP over stdio, or over TCP with ``--tcp``, until the client ends the session.

    The exit status follows LSP: 0 after ``shutdown`` then ``exit``, 1 when the session ended
    any other way (``exit`` alone, end of input, a lost stream, the editor's process gone).
    """
    configure_logging(args.log_file, args.log_level)
    from coro_ls.server import transport
    from coro_ls.server.app import create_server
    from coro_ls.server.protocol import RobustProtocol

    server = create_server()
    protocol = cast(RobustProtocol, server.protocol)
    if args.tcp:
        status = with_deep_stack(lambda: transport.serve_tcp(protocol, args.host, args.port))
    else:
        status = with_deep_stack(lambda: transport.serve_stdio(protocol))
    logging.getLogger(__name__).info("session over (status %d)", status)
    return status


def with_deep_stack(run: Callable[[], int]) -> int:
    """``run()`` in a thread whose stack allows :data:`RECURSION_LIMIT` Python frames."""
    log = logging.getLogger(__name__)
    statuses: list[int] = []

    def target() -> None:
        try:
            statuses.append(run())
        except BaseException:
            log.exception("the server failed")

    sys.setrecursionlimit(max(sys.getrecursionlimit(), RECURSION_LIMIT))
    try:
        previous = threading.stack_size(STACK_BYTES)
    except (ValueError, RuntimeError):  # a platform without settable stacks: keep defaults
        return run()
    try:
        # Daemon: Ctrl-C in the main thread must not wait for the serving thread.
        thread = threading.Thread(target=target, name="coro-ls", daemon=True)
        thread.start()
    finally:
        threading.stack_size(previous)
    thread.join()
    return statuses[0] if statuses else 1
