"""What makes parso read modern Python: constructs its grammar lacks (``match``, ``except*``,
``type`` statements, parenthesised ``with`` items, PEP 701 f-strings...) masked so that the
rest of the block parses, each with the version its syntax needs.

Imports parso and ``coro_ls.engine.versions`` only.
"""
