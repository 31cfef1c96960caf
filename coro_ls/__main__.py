"""``python -m coro_ls`` runs the same command line as the ``coro-ls`` script."""

import sys

from coro_ls.cli.main import main

sys.exit(main())
