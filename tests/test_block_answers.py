"""Requests answered from one block give the answers the whole-module functions give: hover,
quick fixes and expansions at every ``await``/``async`` of a file made of many generated
cases (classes, nested classes, decorators, comprehensions, lambdas...)."""

from __future__ import annotations

import random

import pytest
from corpus import generate
from parso.tree import BaseNode, Leaf

from coro_ls.editing import fixes, hover
from coro_ls.editing.edits import Edit
from coro_ls.editing.excerpts import excerpt_at
from coro_ls.editing.expansions import expand, expand_in, find_expandable, find_expandable_in
from coro_ls.engine import checker as engine
from coro_ls.engine import rules
from coro_ls.engine.incremental import IncrementalDocument

HEAD = '"""A module."""\nimport sys\n\n'
EXTRA = """
class Service:
    sys = None

    class Inner:
        async def run(self, m):
            async with (m() as a, m() as b):
                await a
            async for item in m():
                yield item

    @decorator(await x)
    def method(self, m):
        async with m():
            pass
        return [await x for x in m()]

    async def gen(self):
        yield 1
        return None
"""


def _source(seed: int, count: int) -> str:
    cases = [
        case for case in generate() if not case.top_level_await and "__future__" not in case.source
    ]
    chosen = random.Random(seed).sample(cases, count)
    return HEAD + "".join(case.source.rstrip("\n") + "\n\n\n" for case in chosen) + EXTRA


def _keywords(module: BaseNode) -> list[Leaf]:
    found, stack = [], [module]
    while stack:
        node = stack.pop()
        if isinstance(node, BaseNode):
            stack.extend(node.children)
        elif node.type == "keyword" and node.value in ("await", "async"):
            found.append(node)
    return sorted(found, key=lambda leaf: leaf.start_pos)


def _moved(edits: list[Edit], shift: int) -> list[Edit]:
    return [
        Edit((e.start[0] + shift, e.start[1]), (e.end[0] + shift, e.end[1]), e.new_text)
        for e in edits
    ]


@pytest.mark.parametrize("seed", [1, 2])
def test_block_answers_equal_whole_module_answers(seed: int) -> None:
    source = _source(seed, 40)
    module = engine.parse(source)
    analysis = engine.analyse_tree(module, source)
    everything = rules.run(analysis)
    document = IncrementalDocument(source)
    keywords = _keywords(module)
    assert len(keywords) > 40
    for leaf in keywords:
        position = leaf.start_pos
        excerpt, view = excerpt_at(document, position[0])
        shift = excerpt.shift
        raw = view.findings()
        where = f"{position}: {source.splitlines()[position[0] - 1]!r}"

        whole_hover = hover.hover_at(source, module, analysis, position, everything)
        block_hover = hover.hover_at(
            excerpt, None, view.analysis(), excerpt.to_tree(position), raw
        )
        if whole_hover is None:
            assert block_hover is None, where
        else:
            assert block_hover is not None, where
            assert block_hover.text == whole_hover.text, where
            assert excerpt.to_document(block_hover.start) == whole_hover.start, where

        asked = [f for f in everything if f.start[0] == position[0]]
        block_asked = [f for f in raw if f.start[0] + shift == position[0]]
        whole_fixes = fixes.quick_fixes(source, analysis, asked)
        block_fixes = fixes.quick_fixes(excerpt, view.analysis(), block_asked)
        assert [(f.title, f.edits) for f in whole_fixes] == [
            (f.title, tuple(_moved(list(f.edits), shift))) for f in block_fixes
        ], where

        whole_statement = find_expandable(source, module, position)
        block_statement = find_expandable_in(excerpt, excerpt.to_tree(position))
        if whole_statement is None:
            assert block_statement is None, where
        else:
            assert block_statement is not None, where
            assert _moved(expand_in(excerpt, block_statement), shift) == expand(
                source, module, whole_statement
            ), where
