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
    uses = "".join(f"def filler_{n}(x):\n    return sys.maxsize + x\n\n\n" for n in range(400))
    tail = TAIL.replace("(m() as a, m() as b)", "m() as a, m() as b")
    source = '"""Doc."""\nimport sys\n' + uses + tail
    tail_start = source.count("\n") - tail.count("\n") + 1
    document = IncrementalDocument(source)
    opened = document.stats["parsed_lines"]
    parsed.clear()
    view = view_at(document, tail_start + 2)
    block_lines = view.block.count
    assert block_lines <= TAIL.count("\n") + 3
    excerpt = excerpt_of(document, view)

    found = hover.hover_at(
        excerpt, None, view.analysis(), excerpt.to_tree((tail_start + 2, 8)), view.findings()
    )
    assert found is not None and "Not allowed here" in found.text
    offered = fixes.quick_fixes(excerpt, view.analysis(), view.findings())
    assert offered  # the async def fix, checked on the function alone
    for start in ((tail_start + 1, 4), (tail_start + 3, 4)):
        statement = find_expandable_in(excerpt, excerpt.to_tree(start))
        assert statement is not None
        # The file's own import serves: nothing else binds sys (uses are read as text).
        assert "import" not in expand_in(excerpt, statement)[0].new_text
    # Each parse is at most the block (and a line or two of header around it); the engine
    # parsed only the import's line, not the 400 unparsed functions using sys.maxsize.
    assert parsed and max(parsed) <= block_lines + 2
    assert document.stats["parsed_lines"] - opened <= 2


@pytest.mark.parametrize("line", [TAIL_START + 1, TAIL_START + 3])
def test_block_expansion_equals_the_whole_module_one(line: int) -> None:
    document = IncrementalDocument(SOURCE)
    excerpt = excerpt_of(document, view_at(document, line))
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
