"""Requests on a big document work on the block holding the position: they parse at most
that block (fix checks, a blanked ``async with`` header), never the whole file, and answer
what the whole-module functions answer."""

from __future__ import annotations

import pytest
from parso.grammar import Grammar
from parso.utils import split_lines

from coro_ls.editing import fixes, hover
from coro_ls.editing.edits import Edit, apply_edits
from coro_ls.editing.excerpts import excerpt_of
from coro_ls.editing.expansions import expand, expand_in, find_expandable, find_expandable_in
from coro_ls.engine import checker as engine
from coro_ls.engine.block_views import view_at
from coro_ls.engine.incremental import IncrementalDocument

PADDING = "".join(f"def filler_{n}(sys):\n    return sys + {n}\n\n\n" for n in range(400))
TAIL = (
    "def f(m):\n"
    "    async with m() as value:\n"
    "        await value\n"
    "    async with (m() as a, m() as b):\n"
    "        pass\n"
)
SOURCE = '"""Doc."""\n' + PADDING + TAIL
TAIL_START = SOURCE.count("\n") - TAIL.count("\n") + 1  # 1-based line of "def f"


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Lines parsed by parso from now on."""
    counts: list[int] = []
    original = Grammar.parse

    def counting(self, code=None, **kwargs):  # type: ignore[no-untyped-def]
        counts.append(len(split_lines(code or "")))
        return original(self, code, **kwargs)

    monkeypatch.setattr(Grammar, "parse", counting)
    return counts


def test_requests_parse_no_more_than_their_block(parsed: list[int]) -> None:
    # (The engine's own re-parse of a block holding syntax parso lacks, such as a
    # parenthesised ``async with``, is padded to the block's tree line: not measured here.)
    source = SOURCE.replace("(m() as a, m() as b)", "m() as a, m() as b")
    document = IncrementalDocument(source)
    # Opening parses the statements that can hold a finding (the tail), not the padding.
    assert sum(parsed) <= TAIL.count("\n") + 6  # and the docstring, and blank lines
    opened = document.stats["parsed_lines"]
    parsed.clear()
    view = view_at(document, TAIL_START + 2)
    block_lines = view.block.count
    assert block_lines <= TAIL.count("\n") + 3
    excerpt = excerpt_of(view)

    found = hover.hover_at(
        excerpt, None, view.analysis(), excerpt.to_tree((TAIL_START + 2, 8)), view.findings()
    )
    assert found is not None and "Not allowed here" in found.text
    offered = fixes.quick_fixes(excerpt, view.analysis(), view.findings())
    assert offered  # the async def fix, checked on the function alone
    for start in ((TAIL_START + 1, 4), (TAIL_START + 3, 4)):
        statement = find_expandable_in(excerpt, excerpt.to_tree(start))
        assert statement is not None
        expand_in(excerpt, statement)
    # Each parse is at most the block (and a line or two of header around it).
    assert parsed and max(parsed) <= block_lines + 2
    # The expansion looks for other uses of ``sys``: the padding's blocks that mention it
    # are parsed then, each on its own (the document was opened lazily), and once.
    assert opened < document.stats["parsed_lines"] <= len(split_lines(source)) + opened


@pytest.mark.parametrize("line", [TAIL_START + 1, TAIL_START + 3])
def test_block_expansion_equals_the_whole_module_one(line: int) -> None:
    document = IncrementalDocument(SOURCE)
    excerpt = excerpt_of(view_at(document, line))
    statement = find_expandable_in(excerpt, excerpt.to_tree((line, 4)))
    assert statement is not None
    from_block = [
        Edit(excerpt.to_document(e.start), excerpt.to_document(e.end), e.new_text)
        for e in expand_in(excerpt, statement)
    ]
    module = engine.parse(SOURCE)
    whole_statement = find_expandable(SOURCE, module, (line, 4))
    assert whole_statement is not None
    assert from_block == expand(SOURCE, module, whole_statement)
    # The name sys is used in other blocks (parameters of other functions): the import
    # takes a fresh alias, after the module docstring.
    assert from_block[0] == Edit((2, 0), (2, 0), "import sys as sys_2\n")
    assert "sys_2.exc_info()" in apply_edits(SOURCE, from_block)
