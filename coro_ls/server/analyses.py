"""The engine's scope analysis of an open document, computed once per document revision.

Quick fixes and hover both need it; diagnostics do not (the document caches its findings).
"""

from __future__ import annotations

import weakref

from coro_ls.engine import checker as engine
from coro_ls.engine.scopes import Analysis
from coro_ls.server.documents import Document

_cache: weakref.WeakKeyDictionary[Document, tuple[int, Analysis]] = weakref.WeakKeyDictionary()


def analysis_of(document: Document) -> Analysis:
    cached = _cache.get(document)
    if cached is not None and cached[0] == document.revision:
        return cached[1]
    analysis = engine.analyse_tree(
        document.module,
        document.text,
        target=document.target,
        top_level_await=document.top_level_await,
    )
    _cache[document] = (document.revision, analysis)
    return analysis
