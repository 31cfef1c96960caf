"""The ``coro-ls`` command line: no command serves LSP; ``check`` and ``expand`` read files."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from coro_ls import __version__

EPILOG = """\
Examples:

    Serve LSP over stdio (what editors run) : coro-ls
    Serve LSP over TCP                      : coro-ls --tcp --port 2087
    Check files and directories             : coro-ls check src/ tests/
    Check for another Python version        : coro-ls check --target-version 3.10 app.py
    Machine-readable findings               : coro-ls check --output-format json src/
    Show the expansion of an async for/with : coro-ls expand app.py:12
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coro-ls",
        description="Finds coroutine syntax that CPython rejects because of where it is written.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"coro-ls {__version__}")
    server = parser.add_argument_group("language server (when no command is given)")
    server.add_argument(
        "--stdio",
        action="store_true",
        help="serve over stdio (the default; accepted for clients that pass it)",
    )
    server.add_argument("--tcp", action="store_true", help="serve over TCP instead of stdio")
    server.add_argument("--host", default="127.0.0.1", help="TCP host (default: %(default)s)")
    server.add_argument("--port", type=int, default=2087, help="TCP port (default: %(default)s)")
    server.add_argument("--log-file", metavar="PATH", help="write the server's log to PATH")
    server.add_argument(
        "--log-level",
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="log level (default: %(default)s)",
    )

    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    from coro_ls.cli import check_command, expand_command

    check_command.add_parser(commands)
    expand_command.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from coro_ls.server import serve

        return serve(args)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
