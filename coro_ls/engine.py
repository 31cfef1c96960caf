"""The engine's entry points: parse a source for a target version and run every rule over it.

Pure Python over parso; knows nothing of LSP.

parso 0.8.7 cannot parse some modern syntax (``match``, ``except*``, ``type X = ...``,
parenthesised ``with`` items, PEP 701 f-strings).  On such code it produces error nodes and
sometimes moves a whole function body to module level.  So when a tree has errors, the
source is re-parsed with those constructs masked (``coro_ls.modern_syntax``: same length,
same positions, every expression kept), and whatever error recovery still had to guess is
marked doubtful by the scope walk, where rules stay silent.
"""

from __future__ import annotations

from collections.abc import Sequence

from parso.python.tree import Module
from parso.tree import NodeOrLeaf
from parso.utils import split_lines

from coro_ls import rules
from coro_ls.findings import Finding
from coro_ls.scopes import Analysis, SpecialScopes, analyse_statements, has_future_annotations
from coro_ls.versions import Version, grammar_for, running_version


def parse(source: str, target: Version | None = None) -> Module:
    """parso's tree of ``source`` with the target version's grammar (no caches)."""
    return grammar_for(target or running_version()).parse(source, error_recovery=True)


def check_source(
    source: str, *, target: Version | None = None, top_level_await: bool = False
) -> list[Finding]:
    """Every coroutine-placement finding in ``source``, sorted by position.

    ``target`` defaults to the running interpreter's version.  ``top_level_await`` checks the
    module as CPython does with ``ast.PyCF_ALLOW_TOP_LEVEL_AWAIT`` (notebook cells, asyncio REPL).
    """
    target = target or running_version()
    module = parse(source, target)
    return check_tree(module, source, target=target, top_level_await=top_level_await)


def check_tree(
    module: Module,
    source: str,
    *,
    target: Version | None = None,
    top_level_await: bool = False,
) -> list[Finding]:
    """As :func:`check_source`, for a tree the caller already has.

    ``module`` must be parso's parse of ``source`` with ``versions.grammar_for(target)``
    (a diff-parsed tree is fine).  The tree is not modified.
    """
    return rules.run(analyse_tree(module, source, target=target, top_level_await=top_level_await))


def analyse_tree(
    module: Module,
    source: str,
    *,
    target: Version | None = None,
    top_level_await: bool = False,
) -> Analysis:
    """The scope analysis the rules run on (also used by hover and quick fixes)."""
    return analyse_block(
        module.children,
        split_lines(source),
        target=target or running_version(),
        top_level_await=top_level_await,
        future_annotations=has_future_annotations(module.children),
    )


def analyse_block(
    statements: Sequence[NodeOrLeaf],
    lines: Sequence[str],
    *,
    target: Version,
    top_level_await: bool,
    future_annotations: bool,
) -> Analysis:
    """Analyse some top-level statements of a module (all of them, or one block of an
    incrementally parsed document); ``lines`` are the source lines in the statements'
    coordinates.  Statements that parsed with errors are re-parsed with modern syntax
    masked."""
    analysis = analyse_statements(
        statements,
        lines,
        version=target,
        top_level_await=top_level_await,
        future_annotations=future_annotations,
    )
    if not analysis.has_errors or not statements:
        return analysis
    first_line = statements[0].get_start_pos_of_prefix()[0]
    code = "\n" * (first_line - 1) + "".join(s.get_code() for s in statements)
    masked = _masked(code)
    if masked is None:
        return analysis
    text, special = masked
    module = parse(text, target)
    return analyse_statements(
        module.children,
        lines,
        version=target,
        top_level_await=top_level_await,
        future_annotations=future_annotations,
        special=special,
    )


def _masked(source: str) -> tuple[str, SpecialScopes] | None:
    try:
        from coro_ls.modern_syntax import mask_modern_syntax
    except ImportError:  # pragma: no cover - lands with its own change
        return None
    masked = mask_modern_syntax(source)
    if not masked.regions:
        return None
    return masked.text, {}
