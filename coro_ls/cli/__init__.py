"""The command line: ``coro-ls`` serves LSP, ``coro-ls check`` and ``coro-ls expand`` run the
engine and the editing layer without a server.

May import every other layer; nothing imports it (but ``__main__``).
"""

from coro_ls.cli.main import main

__all__ = ["main"]
