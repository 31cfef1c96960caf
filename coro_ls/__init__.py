"""coro-ls: CPython's coroutine-placement rules as a language server and a command-line checker."""

__version__ = "0.1.0"
