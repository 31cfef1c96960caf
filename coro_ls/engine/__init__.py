"""The engine: parso trees in, findings out, judged as CPython's compiler judges them.

``scopes`` builds the scopes CPython's symbol table sees, ``rules`` decides from them,
``checker`` runs both over a source, ``incremental`` keeps a document as blocks so an edit
re-checks only what it touches (top-level statements and class members), ``statements``
finds where statements start without parso so that an open parses only what can hold a finding,
``versions`` knows the target versions.

Pure Python over parso: imports ``coro_ls.syntax`` and nothing else of coro_ls, and nothing
of LSP.
"""
