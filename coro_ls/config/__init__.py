"""Where settings come from and what they mean: the settings model and its validation,
``[tool.coro-ls]`` and ``requires-python`` in pyproject.toml, ``# noqa`` and the top-level-await
marker, reading source files and notebooks.

Imports ``coro_ls.engine``; no LSP types.
"""
