"""Rewrites and explanations computed from the engine's results: inline expansions of
``async for``/``async with``, quick fixes, hover text, and the edits they are made of.

Imports ``coro_ls.engine`` and ``coro_ls.syntax``; no LSP types.
"""
