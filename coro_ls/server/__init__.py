"""The LSP server.  The only package of coro-ls that imports pygls or lsprotocol."""

from __future__ import annotations

import argparse
import logging
import sys


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
    """Serve LSP over stdio, or over TCP with ``--tcp``, until the client ends the session."""
    configure_logging(args.log_file, args.log_level)
    from coro_ls.server.app import create_server

    server = create_server()
    if args.tcp:
        server.start_tcp(args.host, args.port)
    else:
        server.start_io()
    return 0
