"""Runs the coro-ls bundled with the VS Code extension: ``python launch.py [coro-ls arguments]``.

The bundled packages (``../libs``) go first on ``sys.path``, ahead of the interpreter's own
site-packages, so that another pygls or lsprotocol installed there cannot mix with them.  The
extension starts this only with a Python its bundle supports.
"""

import os
import runpy
import sys

LIBS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "libs")

sys.path.insert(0, LIBS)
# As `python -m coro_ls`: the same command line, whatever module holds it.
runpy.run_module("coro_ls", run_name="__main__", alter_sys=True)
